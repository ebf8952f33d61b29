"""Traceability codes and sales uploads in memory (simulator/platform/catalogue/repository.py; the SQL ones
are simulator/store/trace_repo.py and sales_repo.py). Rows are immutable and replaced, so a rolled-back
unit of work (state.py snapshot) leaves them as they were."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from simulator.domain.refusals import Duplicate
from simulator.domain.sales import SalesUpload
from simulator.domain.trace import TraceRecord
from simulator.store.memory.state import Tables


@dataclass(frozen=True)
class TraceRow:
    code: str
    mdtrt_id: str
    feedetl_sn: str
    med_list_codg: str
    fixmedins_code: str
    setl_id: str | None
    status: str  # uploaded | sold | returned
    at: str

    def record(self) -> TraceRecord:
        return TraceRecord(self.code, self.setl_id or "", self.feedetl_sn, self.med_list_codg, self.fixmedins_code,
                           self.at)


class MemoryTraceCodes:
    def __init__(self, t: Tables) -> None:
        self.t = t

    def _sold_once(self) -> None:
        """The SQL store's partial unique index: at most one `sold` row per code (else the unit of work
        raises Duplicate and rolls back)."""
        sold = [row.code for row in self.t.trace_rows if row.status == "sold"]
        if len(set(sold)) != len(sold):
            raise Duplicate()

    def _add(self, mdtrt_id: str, records: Sequence[TraceRecord], status: str) -> None:
        for r in records:
            self.t.trace_rows.append(TraceRow(r.code, mdtrt_id, r.feedetl_sn, r.med_list_codg, r.fixmedins_code,
                                              r.setl_id or None, status, r.sold_at))
        self._sold_once()

    def _update(self, match: Callable[[TraceRow], bool], **values: Any) -> int:
        count = 0
        for index, row in enumerate(self.t.trace_rows):
            if match(row):
                self.t.trace_rows[index] = replace(row, **values)
                count += 1
        return count

    def sold(self, codes: Iterable[str]) -> dict[str, TraceRecord]:
        wanted = set(codes)
        return {row.code: row.record() for row in self.t.trace_rows if row.code in wanted and row.status == "sold"}

    def sell(self, mdtrt_id: str, records: Sequence[TraceRecord]) -> None:
        self._add(mdtrt_id, records, "sold")

    def upload(self, mdtrt_id: str, records: Sequence[TraceRecord]) -> None:
        self._add(mdtrt_id, records, "uploaded")

    def uploaded(self, mdtrt_id: str) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for row in self.t.trace_rows:
            if row.mdtrt_id == mdtrt_id and row.status == "uploaded":
                out.setdefault(row.feedetl_sn, []).append(row.code)
        return out

    def settle_uploaded(self, mdtrt_id: str, feedetl_sns: Sequence[str], setl_id: str, at: str) -> None:
        sns = set(feedetl_sns)
        self._update(lambda r: r.mdtrt_id == mdtrt_id and r.feedetl_sn in sns and r.status == "uploaded",
                     status="sold", setl_id=setl_id, at=at)
        self._sold_once()

    def drop_uploaded(self, mdtrt_id: str, feedetl_sns: Sequence[str]) -> None:
        sns = set(feedetl_sns)
        self.t.trace_rows = [r for r in self.t.trace_rows
                             if not (r.mdtrt_id == mdtrt_id and r.feedetl_sn in sns and r.status == "uploaded")]

    def release(self, setl_id: str, back_to_visit: bool, at: str) -> int:
        if back_to_visit:
            return self._update(lambda r: r.setl_id == setl_id and r.status == "sold",
                                status="uploaded", setl_id=None, at=at)
        return self._update(lambda r: r.setl_id == setl_id and r.status == "sold", status="returned", at=at)

    def of_settlement(self, setl_id: str) -> list[TraceRecord]:
        return [row.record() for row in self.t.trace_rows if row.setl_id == setl_id]

    def resell(self, setl_id: str, at: str) -> list[str]:
        codes = [r.code for r in self.of_settlement(setl_id)]
        self._update(lambda r: r.setl_id == setl_id and r.status == "returned", status="sold", at=at)
        self._sold_once()
        return codes


class MemorySalesUploads:
    def __init__(self, t: Tables) -> None:
        self.t = t

    def known(self, fixmedins_code: str, kind: str, numbers: Sequence[str]) -> set[str]:
        wanted = set(numbers)
        return {u.medins_prod_sel_no for u in self.t.sales_uploads
                if u.fixmedins_code == fixmedins_code and u.kind == kind and u.medins_prod_sel_no in wanted}

    def add(self, uploads: Sequence[SalesUpload]) -> None:
        """One line per (institution, kind, 商品销售流水号), as the SQL store's unique constraint."""
        self.t.sales_uploads.extend(uploads)
        keys = [(u.fixmedins_code, u.kind, u.medins_prod_sel_no) for u in self.t.sales_uploads]
        if len(set(keys)) != len(keys):
            raise Duplicate()

    def of_institution(self, fixmedins_code: str) -> list[SalesUpload]:
        return [u for u in self.t.sales_uploads if u.fixmedins_code == fixmedins_code]
