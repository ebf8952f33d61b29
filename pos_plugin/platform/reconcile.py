"""Day-end wrappers: 3201 totals, 3202 detail against a 9101-uploaded file, the 9102 result download.

The detail file is UTF-8 text, one record per line, tab-separated: setl_id, mdtrt_id, psn_no,
medfee_sumamt, fund_pay_sumamt, acct_pay (2 places, revocations negative), refd_setl_flag; the
platform's result file (a zip of one text file) adds the result code and its name.
"""

from __future__ import annotations

import io
import zipfile
from base64 import b64encode
from collections.abc import Sequence
from datetime import date
from typing import Any

from pos_plugin.domain.money import format_amount
from pos_plugin.errors import BadReply
from pos_plugin.platform import wire
from pos_plugin.platform.client import PlatformCore
from pos_plugin.platform.models import (
    DetailOutcome,
    DetailRow,
    FileInfo,
    ReconRecord,
    ReconTotals,
    StatementResult,
)


def detail_file(records: Sequence[ReconRecord]) -> bytes:
    """The institution's detail file for 9101 (UTF-8, tab-separated, one record per line)."""
    lines = ["\t".join((r.setl_id, r.mdtrt_id, r.psn_no, format_amount(r.medfee_sumamt),
                        format_amount(r.fund_pay_sumamt), format_amount(r.acct_pay), r.refd_setl_flag))
             for r in records]
    return ("\n".join(lines) + ("\n" if lines else "")).encode("utf-8")


def parse_result_file(content: bytes) -> list[DetailRow]:
    """The platform's 3202 result file (a zip holding one text file, or the text) -> rows."""
    if content[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                content = archive.read(archive.namelist()[0])
        except (zipfile.BadZipFile, IndexError) as exc:
            raise BadReply("对账结果文件不是有效的 zip") from exc
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadReply("对账结果文件不是 UTF-8 文本") from exc
    return [_result_row(number, line) for number, line in enumerate(text.splitlines(), start=1) if line.strip()]


def _result_row(number: int, line: str) -> DetailRow:
    cells = line.split("\t")
    if len(cells) < 8:
        raise BadReply(f"对账结果文件第 {number} 行列数不足: {line!r}")
    money = [wire.to_money(cell, f"第{number}行金额") for cell in cells[3:6]]
    record = ReconRecord(cells[0], cells[1], cells[2], money[0], money[1], money[2], cells[6])
    return DetailRow(record, cells[7], cells[8] if len(cells) > 8 else "")


class ReconcileApi(PlatformCore):
    """Compare the institution's books with the platform's for a date range."""

    def reconcile_totals(
        self, *, insutype: str, clr_type: str, setl_optins: str, begndate: date, enddate: date,
        totals: ReconTotals, refd_setl_flag: str = "0",
    ) -> StatementResult:
        """3201: does the platform agree with our totals for (insutype, clr_type, setl_optins)?"""
        data = {
            "insutype": insutype, "clr_type": clr_type, "setl_optins": setl_optins,
            "stmt_begndate": begndate.isoformat(), "stmt_enddate": enddate.isoformat(),
            "medfee_sumamt": totals.medfee_sumamt, "fund_pay_sumamt": totals.fund_pay_sumamt,
            "acct_pay": totals.acct_pay, "fixmedins_setl_cnt": str(totals.count), "refd_setl_flag": refd_setl_flag,
        }
        node = self.call("3201", {"data": data}).output.get("stmtinfo")
        if not isinstance(node, dict):
            raise BadReply("对总账应答缺少 stmtinfo")
        return StatementResult(str(node.get("setl_optins") or setl_optins), str(node.get("stmt_rslt", "")),
                               str(node.get("stmt_rslt_dscr") or ""))

    def upload_file(self, filename: str, content: bytes) -> str:
        """9101: upload a file (base64); returns its file_qury_no."""
        node = {"in": b64encode(content).decode("ascii"), "filename": filename,
                "fixmedins_code": self.institution.fixmedins_code}
        number = self.call("9101", {"fsUploadIn": node}).output.get("file_qury_no")
        if not number:
            raise BadReply("文件上传应答缺少 file_qury_no")
        return str(number)

    def reconcile_detail(
        self, *, clr_type: str, setl_optins: str, begndate: date, enddate: date, records: Sequence[ReconRecord],
        refd_setl_flag: str = "0",
    ) -> DetailOutcome:
        """9101 the detail file of `records`, then 3202: the platform compares it record by record."""
        stamp = f"{begndate:%Y%m%d}_{enddate:%Y%m%d}"
        file_qury_no = self.upload_file(f"{self.institution.fixmedins_code}_{clr_type}_{stamp}.txt", detail_file(records))
        totals = ReconTotals.of(list(records))
        data = {
            "setl_optins": setl_optins, "file_qury_no": file_qury_no, "stmt_begndate": begndate.isoformat(),
            "stmt_enddate": enddate.isoformat(), "medfee_sumamt": totals.medfee_sumamt,
            "fund_pay_sumamt": totals.fund_pay_sumamt, "cash_payamt": totals.cash_payamt,
            "fixmedins_setl_cnt": str(totals.count), "clr_type": clr_type, "refd_setl_flag": refd_setl_flag,
        }
        output = self.call("3202", {"data": data}).output
        stmt = output.get("stmtinfo") or {}
        counts = {str(k): int(v) for k, v in (stmt.get("counts") or {}).items()}
        return DetailOutcome(str(stmt.get("stmt_rslt", "")), counts, _file_info(output.get("fileinfo")))

    def download_file(self, *, file_qury_no: str, filename: str = "") -> bytes:
        """9102: the bytes of a platform file (e.g. the 3202 result)."""
        data = {"file_qury_no": file_qury_no, "filename": filename, "fixmedins_code": self.institution.fixmedins_code}
        reply = self.call("9102", {"fsDownloadIn": data})
        if reply.content is None:
            raise BadReply("文件下载应答不是文件内容")
        return reply.content

    def detail_results(self, outcome: DetailOutcome) -> list[DetailRow]:
        """Download and read the result file of a 3202."""
        return parse_result_file(self.download_file(file_qury_no=outcome.fileinfo.file_qury_no,
                                                    filename=outcome.fileinfo.filename))


def _file_info(node: Any) -> FileInfo:
    if not isinstance(node, dict) or not node.get("file_qury_no"):
        raise BadReply("对明细账应答缺少 fileinfo.file_qury_no")
    return FileInfo(str(node["file_qury_no"]), str(node.get("filename") or ""), str(node.get("dld_endtime") or ""))


__all__ = ["ReconcileApi", "detail_file", "parse_result_file"]
