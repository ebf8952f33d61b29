"""The stay repository over SQL (implements simulator/platform/inpatient/repository.py): stays, their fee
lines and the inpatient accumulators, in the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, fields
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from simulator.domain.records import InpatientYearRecord, StayLineRecord, StayRecord
from simulator.store.tables_stays import inpatient_years, stay_lines, stays

_STAY_COLUMNS = tuple(f.name for f in fields(StayRecord) if f.name != "id")
_LINE_COLUMNS = tuple(f.name for f in fields(StayLineRecord) if f.name != "id")


def _stay(row: Any) -> StayRecord:
    return StayRecord(id=int(row.id), **{name: getattr(row, name) for name in _STAY_COLUMNS})


def _line(row: Any) -> StayLineRecord:
    return StayLineRecord(id=int(row.id), **{name: getattr(row, name) for name in _LINE_COLUMNS})


class SqlStays:
    """`StayRepository` on one connection; `locking`: SELECT ... FOR UPDATE (PostgreSQL)."""

    def __init__(self, conn: Connection, locking: bool) -> None:
        self.conn = conn
        self.locking = locking

    def get(self, mdtrt_id: str, lock: bool = False) -> StayRecord | None:
        stmt = select(stays).where(stays.c.mdtrt_id == mdtrt_id)
        found = self.conn.execute(stmt.with_for_update() if lock and self.locking else stmt).first()
        return None if found is None else _stay(found)

    def add(self, stay: StayRecord) -> None:
        self.conn.execute(insert(stays).values({name: getattr(stay, name) for name in _STAY_COLUMNS}))

    def save(self, stay: StayRecord) -> None:
        values = {name: getattr(stay, name) for name in _STAY_COLUMNS if name != "mdtrt_id"}
        result = self.conn.execute(update(stays).where(stays.c.mdtrt_id == stay.mdtrt_id).values(values))
        if result.rowcount != 1:
            raise AssertionError(f"stay {stay.mdtrt_id} not stored")

    def of_person(self, person_id: int) -> list[StayRecord]:
        stmt = select(stays).where(stays.c.person_id == person_id).order_by(stays.c.id)
        return [_stay(row) for row in self.conn.execute(stmt)]

    def of_institution(self, fixmedins_code: str, limit: int) -> list[StayRecord]:
        stmt = select(stays).where(stays.c.fixmedins_code == fixmedins_code).order_by(stays.c.id.desc()).limit(limit)
        return [_stay(row) for row in self.conn.execute(stmt)]

    def lines(self, mdtrt_id: str) -> list[StayLineRecord]:
        stmt = select(stay_lines).where(stay_lines.c.mdtrt_id == mdtrt_id).order_by(stay_lines.c.id)
        return [_line(row) for row in self.conn.execute(stmt)]

    def add_lines(self, lines: Sequence[StayLineRecord]) -> None:
        if lines:
            self.conn.execute(insert(stay_lines), [{k: v for k, v in asdict(line).items() if k != "id"}
                                                   for line in lines])

    def delete_lines(self, line_ids: Sequence[int]) -> None:
        if line_ids:
            self.conn.execute(delete(stay_lines).where(stay_lines.c.id.in_(list(line_ids))))

    def settle_lines(self, line_ids: Sequence[int], setl_id: str) -> None:
        if line_ids:
            self.conn.execute(update(stay_lines).where(stay_lines.c.id.in_(list(line_ids)))
                              .values(setl_id=setl_id, revoked_setl_id=None))

    def unsettle_lines(self, setl_id: str) -> None:
        self.conn.execute(update(stay_lines).where(stay_lines.c.setl_id == setl_id)
                          .values(setl_id=None, revoked_setl_id=setl_id))

    def year(self, person_id: int, year: int) -> InpatientYearRecord:
        found = self.conn.execute(select(inpatient_years).where(
            inpatient_years.c.person_id == person_id, inpatient_years.c.year == year)).first()
        if found is None:
            return InpatientYearRecord(person_id, year, 0, 0)
        return InpatientYearRecord(person_id, year, int(found.fund_fen), int(found.stays))

    def add_to_year(self, person_id: int, year: int, fund_fen: int, stays: int) -> None:
        """Add to (or, negative, take back from) the year's accumulators. The caller holds the person's lock."""
        where = (inpatient_years.c.person_id == person_id, inpatient_years.c.year == year)
        result = self.conn.execute(update(inpatient_years).where(*where).values(
            fund_fen=inpatient_years.c.fund_fen + fund_fen, stays=inpatient_years.c.stays + stays))
        if result.rowcount == 0:
            self.conn.execute(insert(inpatient_years).values(person_id=person_id, year=year, fund_fen=fund_fen,
                                                             stays=stays))
