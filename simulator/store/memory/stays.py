"""The stay repository in memory (simulator/platform/inpatient/repository.py): stays, their fee lines and the
inpatient accumulators per person and year, over the memory store's tables."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from simulator.domain.records import InpatientYearRecord, StayLineRecord, StayRecord
from simulator.domain.refusals import Duplicate
from simulator.store.memory.state import Tables


class MemoryStays:
    def __init__(self, t: Tables) -> None:
        self.t = t

    def get(self, mdtrt_id: str, lock: bool = False) -> StayRecord | None:
        return self.t.stays.get(mdtrt_id)

    def add(self, stay: StayRecord) -> None:
        if stay.mdtrt_id in self.t.stays:
            raise Duplicate()
        self.t.stays[stay.mdtrt_id] = replace(stay, id=self.t.next_id("stays"))

    def save(self, stay: StayRecord) -> None:
        found = self.t.stays.get(stay.mdtrt_id)
        if found is None:
            raise AssertionError(f"stay {stay.mdtrt_id} not stored")
        self.t.stays[stay.mdtrt_id] = replace(stay, id=found.id)

    def of_person(self, person_id: int) -> list[StayRecord]:
        return sorted((s for s in self.t.stays.values() if s.person_id == person_id), key=lambda s: s.id)

    def of_institution(self, fixmedins_code: str, limit: int) -> list[StayRecord]:
        found = sorted((s for s in self.t.stays.values() if s.fixmedins_code == fixmedins_code), key=lambda s: -s.id)
        return found[:limit]

    def lines(self, mdtrt_id: str) -> list[StayLineRecord]:
        return [line for _, line in sorted(self.t.stay_lines.items()) if line.mdtrt_id == mdtrt_id]

    def add_lines(self, lines: Sequence[StayLineRecord]) -> None:
        taken = {(x.mdtrt_id, x.feedetl_sn) for x in self.t.stay_lines.values()}
        for line in lines:
            if (line.mdtrt_id, line.feedetl_sn) in taken:
                raise Duplicate()
            taken.add((line.mdtrt_id, line.feedetl_sn))
            row = self.t.next_id("stay_lines")
            self.t.stay_lines[row] = replace(line, id=row)

    def delete_lines(self, line_ids: Sequence[int]) -> None:
        for row in line_ids:
            self.t.stay_lines.pop(row, None)

    def settle_lines(self, line_ids: Sequence[int], setl_id: str) -> None:
        for row in line_ids:
            self.t.stay_lines[row] = replace(self.t.stay_lines[row], setl_id=setl_id, revoked_setl_id=None)

    def unsettle_lines(self, setl_id: str) -> None:
        for row, line in list(self.t.stay_lines.items()):
            if line.setl_id == setl_id:
                self.t.stay_lines[row] = replace(line, setl_id=None, revoked_setl_id=setl_id)

    def year(self, person_id: int, year: int) -> InpatientYearRecord:
        return self.t.inpatient_years.get((person_id, year), InpatientYearRecord(person_id, year, 0, 0))

    def add_to_year(self, person_id: int, year: int, fund_fen: int, stays: int) -> None:
        now = self.year(person_id, year)
        self.t.inpatient_years[(person_id, year)] = replace(now, fund_fen=now.fund_fen + fund_fen,
                                                            stays=now.stays + stays)
