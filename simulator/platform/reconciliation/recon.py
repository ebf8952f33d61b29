"""Reconciliation use cases: 3201 totals, 3202 detail against an uploaded file (9101), result file (9102).

The rules (records of a period, totals, the detail file, comparison) are in simulator/domain/recon.py.
"""

from __future__ import annotations

from datetime import timedelta

from simulator.domain.recon import (
    RESULT_NAMES,
    Period,
    Record,
    Totals,
    compare,
    declared_matches,
    parse_detail_file,
    records_of,
    result_file,
    totals,
    totals_verdict,
)
from simulator.domain.refusals import BadFile, BadPeriod, FileTotalsMismatch, FileUnknown
from simulator.platform.base import PlatformBase, RequestMeta
from simulator.platform.clock import stamp


class ReconOps(PlatformBase):
    """3201 / 3202 / 9101 / 9102."""

    def _records(self, meta: RequestMeta, period: Period) -> list[Record]:
        if period.end < period.begin:
            raise BadPeriod()
        with self.store.write() as tx:
            self.institution(tx, meta.fixmedins_code)
            self.claim(tx, meta)
            rows = tx.settlements_in_period(meta.fixmedins_code, f"{period.begin.isoformat()} 00:00:00",
                                            f"{period.end.isoformat()} 23:59:59")
        return records_of(rows, period)

    def reconcile_totals(self, meta: RequestMeta, period: Period, declared: Totals) -> tuple[str, str]:
        """3201: ("0", "对账平衡") or ("1", a description of every difference)."""
        return totals_verdict(totals(self._records(meta, period)), declared)

    def upload_file(self, meta: RequestMeta, filename: str, content: bytes) -> str:
        """9101: keep the file; returns its file_qury_no."""
        if not content:
            raise BadFile(detail="上传文件内容为空")
        number = self.ids.file_qury_no()
        with self.store.write() as tx:
            self.institution(tx, meta.fixmedins_code)
            self.claim(tx, meta)
            tx.insert_file(file_qury_no=number, fixmedins_code=meta.fixmedins_code, filename=filename,
                           content=content, created_at=self.now_stamp())
        return number

    def reconcile_detail(self, meta: RequestMeta, period: Period, file_qury_no: str,
                         declared: Totals) -> tuple[str, str, str, dict[str, int]]:
        """3202: compare the uploaded file with the platform; returns (file_qury_no, filename,
        download deadline, counts per result code) of the result file."""
        with self.store.read() as tx:
            found = tx.file(file_qury_no)
        if found is None or found.fixmedins_code != meta.fixmedins_code:
            raise FileUnknown(file_qury_no=file_qury_no, hint="，请先上传（9101）")
        theirs = parse_detail_file(bytes(found.content))
        if not declared_matches(theirs, declared):
            raise FileTotalsMismatch()
        number, filename = self.ids.file_qury_no(), f"{file_qury_no}_result.zip"  # before the transaction opens
        rows = compare(theirs, self._records(meta, period))
        with self.store.write() as tx:
            tx.insert_file(file_qury_no=number, fixmedins_code=meta.fixmedins_code, filename=filename,
                           content=result_file(rows), created_at=self.now_stamp())
        counts = {code: sum(1 for _, c in rows if c == code) for code in RESULT_NAMES}
        return number, filename, stamp(self.now() + timedelta(days=1)), counts

    def download_file(self, meta: RequestMeta, file_qury_no: str) -> tuple[str, bytes]:
        """9102: (filename, content) of an uploaded or result file of this institution."""
        with self.store.write() as tx:
            found = tx.file(file_qury_no)
            if found is None or found.fixmedins_code != meta.fixmedins_code:  # refused: the msgid stays unused
                raise FileUnknown(file_qury_no=file_qury_no, hint="")
            self.claim(tx, meta)
        return str(found.filename), bytes(found.content)
