"""The traceability-code repository on SQLite and PostgreSQL (simulator/platform/catalogue/repository.py).

A code is `uploaded` with an outpatient fee line (2204), `sold` under a settlement, `returned` when that
settlement is revoked or reversed. A partial unique index keeps at most one `sold` row per code, so two
settlements racing for one box cannot both commit."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, and_, delete, insert, select, update

from simulator.domain.trace import TraceRecord
from simulator.store.tables_catalogue import trace_codes


def _record(row: Any) -> TraceRecord:
    return TraceRecord(row.code, row.setl_id or "", row.feedetl_sn, row.med_list_codg, row.fixmedins_code, row.at)


class SqlTraceCodes:
    """In the caller's transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def sold(self, codes: Iterable[str]) -> dict[str, TraceRecord]:
        wanted = sorted(set(codes))
        if not wanted:
            return {}
        found = self.conn.execute(select(trace_codes).where(trace_codes.c.code.in_(wanted),
                                                            trace_codes.c.status == "sold"))
        return {row.code: _record(row) for row in found}

    def sell(self, mdtrt_id: str, records: Sequence[TraceRecord]) -> None:
        if records:
            self.conn.execute(insert(trace_codes), [{
                "code": r.code, "mdtrt_id": mdtrt_id, "feedetl_sn": r.feedetl_sn, "med_list_codg": r.med_list_codg,
                "fixmedins_code": r.fixmedins_code, "setl_id": r.setl_id, "status": "sold", "at": r.sold_at}
                for r in records])

    def upload(self, mdtrt_id: str, records: Sequence[TraceRecord]) -> None:
        if records:
            self.conn.execute(insert(trace_codes), [{
                "code": r.code, "mdtrt_id": mdtrt_id, "feedetl_sn": r.feedetl_sn, "med_list_codg": r.med_list_codg,
                "fixmedins_code": r.fixmedins_code, "setl_id": None, "status": "uploaded", "at": r.sold_at}
                for r in records])

    def uploaded(self, mdtrt_id: str) -> dict[str, list[str]]:
        """feedetl_sn -> the codes uploaded with that unsettled line (in upload order)."""
        found = self.conn.execute(select(trace_codes.c.feedetl_sn, trace_codes.c.code).where(
            trace_codes.c.mdtrt_id == mdtrt_id, trace_codes.c.status == "uploaded").order_by(trace_codes.c.id))
        out: dict[str, list[str]] = {}
        for row in found:
            out.setdefault(row.feedetl_sn, []).append(row.code)
        return out

    def settle_uploaded(self, mdtrt_id: str, feedetl_sns: Sequence[str], setl_id: str, at: str) -> None:
        if feedetl_sns:
            self.conn.execute(update(trace_codes).where(
                trace_codes.c.mdtrt_id == mdtrt_id, trace_codes.c.feedetl_sn.in_(list(feedetl_sns)),
                trace_codes.c.status == "uploaded").values(status="sold", setl_id=setl_id, at=at))

    def drop_uploaded(self, mdtrt_id: str, feedetl_sns: Sequence[str]) -> None:
        if feedetl_sns:
            self.conn.execute(delete(trace_codes).where(
                trace_codes.c.mdtrt_id == mdtrt_id, trace_codes.c.feedetl_sn.in_(list(feedetl_sns)),
                trace_codes.c.status == "uploaded"))

    def release(self, setl_id: str, back_to_visit: bool, at: str) -> int:
        """The settlement's boxes are free again: `returned` (a pharmacy sale), or back on the visit's
        unsettled lines (`uploaded`, an outpatient settlement whose lines may be settled again)."""
        values = {"status": "uploaded", "setl_id": None, "at": at} if back_to_visit else {"status": "returned", "at": at}
        done = self.conn.execute(update(trace_codes).where(
            trace_codes.c.setl_id == setl_id, trace_codes.c.status == "sold").values(**values))
        return int(done.rowcount or 0)

    def of_settlement(self, setl_id: str) -> list[TraceRecord]:
        found = self.conn.execute(select(trace_codes).where(trace_codes.c.setl_id == setl_id)
                                  .order_by(trace_codes.c.id))
        return [_record(row) for row in found]

    def resell(self, setl_id: str, at: str) -> list[str]:
        """A reversed revoke: the settlement's returned boxes are sold again (the caller checked them)."""
        codes = [r.code for r in self.of_settlement(setl_id)]
        self.conn.execute(update(trace_codes).where(and_(trace_codes.c.setl_id == setl_id,
                                                         trace_codes.c.status == "returned"))
                          .values(status="sold", at=at))
        return codes
