"""3505 商品销售 / 3506 商品销售退货: `selinfo` lines (docs/protocol.md §8)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from simulator.domain.money import parse_decimal
from simulator.domain.refusals import BadSalesUpload, BadTraceCode, PlatformError
from simulator.domain.sales import KIND_OF_INFNO, SalesUpload
from simulator.domain.trace import trace_code_form
from simulator.platform.service import Platform
from simulator.protocol import inputs
from simulator.protocol.envelope import Envelope

REQUIRED = ("med_list_codg", "fixmedins_hilist_id", "fixmedins_hilist_name", "fixmedins_bchno", "rx_flag",
            "trdn_flag", "sel_retn_cnt", "sel_retn_time", "sel_retn_opter_name", "medins_prod_sel_no")
OPTIONAL = ("setl_id", "psn_no", "psn_cert_type", "certno", "psn_name", "manu_lotnum", "manu_date", "expy_end",
            "finl_trns_pric", "memo", "mdtrt_sn", "mdtrt_setl_type", "rxno", "rx_circ_flag", "rtal_docno",
            "stoout_no", "bchno", "drug_prod_barc", "shelf_posi", "drugtracinfo", "drug_trac_codg")
MAX_LINES = 1000


def _line(platform: Platform, env: Envelope, item: dict[str, Any], where: str) -> SalesUpload:
    unknown = sorted(set(item) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise BadSalesUpload(detail=f"{where} 含未知字段：{', '.join(unknown)}")
    inputs.require(item, REQUIRED, where)
    inputs.choice(item, "trdn_flag", where, ("0", "1"))
    inputs.choice(item, "rx_flag", where, ("0", "1"))
    try:
        cnt = parse_decimal(item["sel_retn_cnt"], f"{where}.sel_retn_cnt", 4)
        codes = inputs.trace_codes_of(item, where)
    except PlatformError as exc:
        raise BadSalesUpload(detail=exc.message) from None
    if cnt <= 0:
        raise BadSalesUpload(detail=f"{where}.sel_retn_cnt 必须大于 0")
    bad = [c for c in codes if trace_code_form(c) is None]
    if bad:
        raise BadTraceCode(detail=f"{where} 的药品追溯码 {bad[0]!r} 格式错误")
    if codes and len(codes) != cnt:
        raise BadSalesUpload(detail=f"{where} 数量 {cnt}，药品追溯码 {len(codes)} 个（须一盒一码）")
    return SalesUpload(env.fixmedins_code, KIND_OF_INFNO[env.infno], inputs.text(item, "medins_prod_sel_no", where),
                       inputs.text(item, "setl_id", where, required=False, max_len=40),
                       inputs.text(item, "med_list_codg", where), inputs.text(item, "fixmedins_hilist_id", where),
                       cnt, codes, inputs.stamp(item, "sel_retn_time", where), platform.now_stamp())


def upload(platform: Platform, env: Envelope) -> dict[str, Any]:
    raw = env.input.get("selinfo")
    items = [raw] if isinstance(raw, dict) else inputs.rows(env.input, "selinfo")
    if not items or len(items) > MAX_LINES:
        raise BadSalesUpload(detail=f"selinfo 须有 1–{MAX_LINES} 行")
    lines = [_line(platform, env, item, f"selinfo[{i}]") for i, item in enumerate(items, start=1)]
    stored, again = platform.sales.upload(env.meta(), KIND_OF_INFNO[env.infno], lines)
    return {"result": {"retRslt": "1", "msgRslt": "受理成功", "stored": stored, "already": again}}


HANDLERS: dict[str, Callable[[Platform, Envelope], Any]] = {"3505": upload, "3506": upload}
