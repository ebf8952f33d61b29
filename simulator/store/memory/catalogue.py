"""The catalogue repository in memory (simulator/platform/catalogue/repository.py; the SQL one is
simulator/store/catalogue_repo.py): entries by code, paged by update time, and 目录对照 rows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from simulator.domain.catalogue import CatalogueEntry, ChkStas, MappingRecord
from simulator.store.memory.state import Tables


class MemoryCatalogue:
    def __init__(self, t: Tables) -> None:
        self.t = t

    def entries(self, codes: Iterable[str]) -> dict[str, CatalogueEntry]:
        return {c: self.t.catalogue[c] for c in sorted(set(codes)) if c in self.t.catalogue}

    def save(self, entries: Sequence[CatalogueEntry]) -> None:
        for entry in entries:
            self.t.catalogue[entry.code] = entry

    def changed_since(self, updt_time: str, offset: int, limit: int) -> tuple[list[CatalogueEntry], int]:
        found = sorted((e for e in self.t.catalogue.values() if e.updt_time > updt_time),
                       key=lambda e: (e.updt_time, e.code))
        return found[offset:offset + limit], len(found)

    def newest(self) -> str | None:
        return max((e.updt_time for e in self.t.catalogue.values()), default=None)

    def save_mappings(self, rows: Sequence[MappingRecord]) -> None:
        for row in rows:
            self.t.mappings[(row.fixmedins_code, row.fixmedins_hilist_id)] = row

    def drop_mapping(self, fixmedins_code: str, fixmedins_hilist_id: str) -> bool:
        return self.t.mappings.pop((fixmedins_code, fixmedins_hilist_id), None) is not None

    def review_mapping(self, fixmedins_code: str, fixmedins_hilist_id: str, chk_stas: ChkStas, chk_memo: str,
                       at: str) -> bool:
        found = self.t.mappings.get((fixmedins_code, fixmedins_hilist_id))
        if found is None:
            return False
        self.t.mappings[(fixmedins_code, fixmedins_hilist_id)] = replace(found, chk_stas=chk_stas, chk_memo=chk_memo,
                                                                           reviewed_at=at)
        return True

    def mappings_for(self, fixmedins_code: str, fixmedins_hilist_ids: Iterable[str]) -> dict[str, MappingRecord]:
        return {i: self.t.mappings[(fixmedins_code, i)] for i in sorted(set(fixmedins_hilist_ids))
                if (fixmedins_code, i) in self.t.mappings}

    def mappings_of(self, fixmedins_code: str) -> list[MappingRecord]:
        return sorted((m for m in self.t.mappings.values() if m.fixmedins_code == fixmedins_code),
                      key=lambda m: m.fixmedins_hilist_id)
