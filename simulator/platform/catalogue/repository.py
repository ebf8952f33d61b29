"""The catalogue's own small typed repository (typed records in and out, no column dictionaries).

One per unit of work: `uow.catalogue` (simulator/store/catalogue_repo.py implements it on SQLite and
PostgreSQL, simulator/store/memory/catalogue.py in memory; tests/platform_memory/
test_repository_contract_daily.py holds the memory store, SQLite and PostgreSQL to one contract, as it does
`uow.trace_codes`, `uow.sales_uploads` and `uow.stays`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from simulator.domain.catalogue import CatalogueEntry, ChkStas, MappingRecord
from simulator.domain.sales import SalesUpload
from simulator.domain.trace import TraceRecord


class CatalogueRepository(Protocol):
    """Catalogue entries by insurance code, paged by update time, and the institutions' 目录对照 rows with the
    platform's review of each (a row saved again starts over with the review state it carries)."""

    def entries(self, codes: Iterable[str]) -> dict[str, CatalogueEntry]: ...
    def save(self, entries: Sequence[CatalogueEntry]) -> None: ...  # replaces entries of the same code
    def newest(self) -> str | None: ...  # the greatest updt_time held
    def changed_since(self, updt_time: str, offset: int, limit: int) -> tuple[list[CatalogueEntry], int]:
        ...  # (one page of entries updated after `updt_time`, in (updt_time, code) order; how many in all)
    def save_mappings(self, rows: Sequence[MappingRecord]) -> None: ...  # replaces the same item code
    def drop_mapping(self, fixmedins_code: str, fixmedins_hilist_id: str) -> bool: ...  # False: none
    def mappings_of(self, fixmedins_code: str) -> list[MappingRecord]: ...  # by item code
    def mappings_for(self, fixmedins_code: str, fixmedins_hilist_ids: Iterable[str]) -> dict[str, MappingRecord]: ...
    def review_mapping(self, fixmedins_code: str, fixmedins_hilist_id: str, chk_stas: ChkStas, chk_memo: str,
                       at: str) -> bool: ...  # False: no such mapping


class TraceCodeRepository(Protocol):
    """Drug traceability codes: `uploaded` with an outpatient fee line, `sold` under one settlement at a time,
    `returned` when it is revoked or reversed (simulator/store/trace_repo.py)."""

    def sold(self, codes: Iterable[str]) -> dict[str, TraceRecord]: ...
    def sell(self, mdtrt_id: str, records: Sequence[TraceRecord]) -> None: ...
    def upload(self, mdtrt_id: str, records: Sequence[TraceRecord]) -> None: ...
    def uploaded(self, mdtrt_id: str) -> dict[str, list[str]]: ...  # feedetl_sn -> codes
    def settle_uploaded(self, mdtrt_id: str, feedetl_sns: Sequence[str], setl_id: str, at: str) -> None: ...
    def drop_uploaded(self, mdtrt_id: str, feedetl_sns: Sequence[str]) -> None: ...
    def release(self, setl_id: str, back_to_visit: bool, at: str) -> int: ...
    def of_settlement(self, setl_id: str) -> list[TraceRecord]: ...
    def resell(self, setl_id: str, at: str) -> list[str]: ...


class SalesUploadRepository(Protocol):
    """The till's 3505/3506 lines (simulator/store/sales_repo.py)."""

    def known(self, fixmedins_code: str, kind: str, numbers: Sequence[str]) -> set[str]: ...
    def add(self, uploads: Sequence[SalesUpload]) -> None: ...
    def of_institution(self, fixmedins_code: str) -> list[SalesUpload]: ...
