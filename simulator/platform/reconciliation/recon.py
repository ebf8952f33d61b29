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
from simulator.domain.records import StoredFile
from simulator.domain.refusals import BadFile, BadPeriod, FileTotalsMismatch, FileUnknown
from simulator.domain.requests import RequestMeta
from simulator.platform.clock import stamp
from simulator.platform.deps import Deps


class ReconOps:
    """3201 / 3202 / 9101 / 9102."""

    def __init__(self, deps: Deps) -> None:
        self.store, self.clock, self.ids = deps.store, deps.clock, deps.ids
        self.lookups, self.msgids = deps.lookups, deps.msgids

    def _records(self, meta: RequestMeta, period: Period) -> list[Record]:
        if period.end < period.begin:
            raise BadPeriod()
        with self.store.write() as uow:
            self.lookups.institution(uow, meta.fixmedins_code)
            self.msgids.claim(uow, meta)
            rows = uow.settlements.in_period(meta.fixmedins_code, f"{period.begin.isoformat()} 00:00:00",
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
        with self.store.write() as uow:
            self.lookups.institution(uow, meta.fixmedins_code)
            self.msgids.claim(uow, meta)
            uow.files.add(StoredFile(number, meta.fixmedins_code, filename, content, self.clock.stamp()))
        return number

    def reconcile_detail(self, meta: RequestMeta, period: Period, file_qury_no: str,
                         declared: Totals) -> tuple[str, str, str, dict[str, int]]:
        """3202: compare the uploaded file with the platform; returns (file_qury_no, filename,
        download deadline, counts per result code) of the result file."""
        with self.store.read() as uow:
            found = uow.files.get(file_qury_no)
        if found is None or found.fixmedins_code != meta.fixmedins_code:
            raise FileUnknown(file_qury_no=file_qury_no, hint="，请先上传（9101）")
        theirs = parse_detail_file(found.content)
        if not declared_matches(theirs, declared):
            raise FileTotalsMismatch()
        number, filename = self.ids.file_qury_no(), f"{file_qury_no}_result.zip"  # before the transaction opens
        rows = compare(theirs, self._records(meta, period))
        with self.store.write() as uow:
            uow.files.add(StoredFile(number, meta.fixmedins_code, filename, result_file(rows), self.clock.stamp()))
        counts = {code: sum(1 for _, c in rows if c == code) for code in RESULT_NAMES}
        return number, filename, stamp(self.clock.to_second() + timedelta(days=1)), counts

    def download_file(self, meta: RequestMeta, file_qury_no: str) -> tuple[str, bytes]:
        """9102: (filename, content) of an uploaded or result file of this institution."""
        with self.store.write() as uow:
            found = uow.files.get(file_qury_no)
            if found is None or found.fixmedins_code != meta.fixmedins_code:  # refused: the msgid stays unused
                raise FileUnknown(file_qury_no=file_qury_no, hint="")
            self.msgids.claim(uow, meta)
        return found.filename, found.content
