"""The catalogue's own small typed repository (typed records in and out, no column dictionaries).

One per unit of work: `uow.catalogue` (simulator/store/catalogue_repo.py implements it on SQLite and
PostgreSQL, simulator/store/memory/catalogue.py in memory; tests/platform_memory/test_repository_contract.py
holds both to one contract).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from simulator.domain.catalogue import CatalogueEntry, MappingRecord


class CatalogueRepository(Protocol):
    """Catalogue entries by insurance code, paged by update time, and the institutions' 目录对照 rows."""

    def entries(self, codes: Iterable[str]) -> dict[str, CatalogueEntry]: ...
    def save(self, entries: Sequence[CatalogueEntry]) -> None: ...  # replaces entries of the same code
    def changed_since(self, updt_time: str, offset: int, limit: int) -> tuple[list[CatalogueEntry], int]:
        ...  # (one page in (updt_time, code) order, how many changed in all)
    def save_mappings(self, rows: Sequence[MappingRecord]) -> None: ...  # replaces the same item code
    def drop_mapping(self, fixmedins_code: str, fixmedins_hilist_id: str) -> bool: ...  # False: none
    def mappings_of(self, fixmedins_code: str) -> list[MappingRecord]: ...
