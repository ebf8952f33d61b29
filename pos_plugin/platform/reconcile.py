"""Day-end wrappers: 3201 totals reconciliation, 3202 detail reconciliation and the 9102 file download."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from pos_plugin.errors import BadReply
from pos_plugin.platform.client import PlatformCore
from pos_plugin.platform.models import FileInfo, StatementResult


class ReconcileApi(PlatformCore):
    """Compare the institution's books with the platform's for a date range."""

    def reconcile_totals(
        self, *, insutype: str, clr_type: str, setl_optins: str, begndate: date, enddate: date,
        medfee_sumamt: Decimal, fund_pay_sumamt: Decimal, acct_pay: Decimal, fixmedins_setl_cnt: int,
        refd_setl_flag: str = "0",
    ) -> StatementResult:
        """3201: the platform says whether our totals for (insutype, clr_type, setl_optins) match its own."""
        data = {
            "insutype": insutype, "clr_type": clr_type, "setl_optins": setl_optins,
            "stmt_begndate": begndate.isoformat(), "stmt_enddate": enddate.isoformat(),
            "medfee_sumamt": medfee_sumamt, "fund_pay_sumamt": fund_pay_sumamt, "acct_pay": acct_pay,
            "fixmedins_setl_cnt": fixmedins_setl_cnt, "refd_setl_flag": refd_setl_flag,
        }
        node = self.call("3201", {"data": data}).output.get("stmtinfo")
        if not isinstance(node, dict):
            raise BadReply("对总账应答缺少 stmtinfo")
        return StatementResult(
            setl_optins=str(node.get("setl_optins") or setl_optins),
            stmt_rslt=str(node.get("stmt_rslt", "")),
            stmt_rslt_dscr=str(node.get("stmt_rslt_dscr") or ""),
        )

    def reconcile_detail(self, data: Mapping[str, Any]) -> FileInfo:
        """3202: detail reconciliation; the platform answers with a file to fetch through 9102."""
        node = self.call("3202", {"data": dict(data)}).output.get("fileinfo")
        return _file_info(node)

    def download_file(self, *, file_qury_no: str, filename: str) -> Any:
        """9102: the content of a platform file (as the platform returns it in `output`)."""
        data = {"file_qury_no": file_qury_no, "filename": filename, "fixmedins_code": self.institution.fixmedins_code}
        return self.call("9102", {"fsDownloadIn": data}).output


def _file_info(node: Any) -> FileInfo:
    if not isinstance(node, dict) or not node.get("file_qury_no"):
        raise BadReply("对明细账应答缺少 fileinfo.file_qury_no")
    return FileInfo(str(node["file_qury_no"]), str(node.get("filename") or ""), str(node.get("dld_endtime") or ""))
