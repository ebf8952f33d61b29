"""3201 / 3202 reconciliation and 9101 / 9102 files."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Response

from simulator.domain.recon import Period, Totals
from simulator.domain.refusals import BadField, BadFile
from simulator.platform.service import Platform
from simulator.protocol import inputs
from simulator.protocol.envelope import Envelope


def _day(data: dict[str, Any], key: str) -> date:
    raw = inputs.text(data, key, "data")
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        raise BadField(detail=f"data.{key} 日期格式错误：{raw!r}（yyyy-MM-dd）") from None


def _count(data: dict[str, Any]) -> int:
    raw = inputs.text(data, "fixmedins_setl_cnt", "data")
    if not raw.isdigit():
        raise BadField(detail=f"data.fixmedins_setl_cnt 须为非负整数：{raw!r}")
    return int(raw)


def _period(data: dict[str, Any], insutype: str = "") -> Period:
    return Period(_day(data, "stmt_begndate"), _day(data, "stmt_enddate"),
                  inputs.choice(data, "clr_type", "data", ("11", "21", "41")), inputs.text(data, "setl_optins", "data"),
                  inputs.choice(data, "refd_setl_flag", "data", ("0", "1"), default="0"), insutype)


def totals_3201(platform: Platform, env: Envelope) -> dict[str, Any]:
    data = inputs.node(env.input, "data")
    period = _period(data, inputs.choice(data, "insutype", "data", ("310", "390")))
    declared = Totals(inputs.amount(data, "medfee_sumamt", "data"), inputs.amount(data, "fund_pay_sumamt", "data"),
                      inputs.amount(data, "acct_pay", "data"), inputs.amount(data, "medfee_sumamt", "data"),
                      _count(data))
    result, text = platform.reconciliation.reconcile_totals(env.meta(), period, declared)
    return {"stmtinfo": {"setl_optins": period.setl_optins, "stmt_rslt": result, "stmt_rslt_dscr": text}}


def detail_3202(platform: Platform, env: Envelope) -> dict[str, Any]:
    data = inputs.node(env.input, "data")
    period = _period(data)
    declared = Totals(inputs.amount(data, "medfee_sumamt", "data"), inputs.amount(data, "fund_pay_sumamt", "data"),
                      inputs.amount(data, "medfee_sumamt", "data"), inputs.amount(data, "cash_payamt", "data"),
                      _count(data))
    number, filename, deadline, counts = platform.reconciliation.reconcile_detail(
        env.meta(), period, inputs.text(data, "file_qury_no", "data"), declared)
    balanced = counts["1"] + counts["2"] + counts["3"] == 0
    return {"fileinfo": {"file_qury_no": number, "filename": filename, "dld_endtime": deadline},
            "stmtinfo": {"setl_optins": period.setl_optins, "stmt_rslt": "0" if balanced else "1",
                         "counts": counts}}


def upload_9101(platform: Platform, env: Envelope) -> dict[str, Any]:
    node = inputs.node(env.input, "fsUploadIn")
    raw, filename = node.get("in"), inputs.text(node, "filename", "fsUploadIn")
    try:
        content = bytes(raw) if isinstance(raw, list) else base64.b64decode(str(raw or ""), validate=True)
    except (ValueError, TypeError, binascii.Error):
        raise BadFile(detail="fsUploadIn.in 须为 base64 字符串或字节数组") from None
    number = platform.reconciliation.upload_file(env.meta(), filename, content)
    return {"file_qury_no": number, "filename": filename, "fixmedins_code": env.fixmedins_code}


def download_9102(platform: Platform, env: Envelope) -> Response:
    node = inputs.node(env.input, "fsDownloadIn")
    filename, content = platform.reconciliation.download_file(env.meta(), inputs.text(node, "file_qury_no", "fsDownloadIn"))
    return Response(content, content_type="application/octet-stream",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


HANDLERS: dict[str, Callable[[Platform, Envelope], Any]] = {
    "3201": totals_3201, "3202": detail_3202, "9101": upload_9101, "9102": download_9102,
}
