"""1312 catalogue query (paged by update time), 3301/3302 目录对照 upload and revoke, admin catalogue edits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

from simulator.domain.catalogue import CatalogueEntry, MappingRecord
from simulator.domain.refusals import BadMapping, ListCodeUnknown, MappingUnknown
from simulator.domain.requests import RequestMeta
from simulator.platform.catalogue.repository import CatalogueRepository
from simulator.platform.clock import parse_timestamp, stamp
from simulator.platform.deps import Deps

MAX_PAGE_SIZE = 1000


@dataclass(frozen=True)
class CataloguePage:
    """One page of entries changed since a time, and how many there are in all."""

    entries: list[CatalogueEntry]
    page_num: int
    page_size: int
    total: int

    @property
    def pages(self) -> int:
        return (self.total + self.page_size - 1) // self.page_size


class CatalogueOps:
    """The catalogue's transactions."""

    def __init__(self, deps: Deps) -> None:
        self.store, self.lookups, self.msgids = deps.store, deps.lookups, deps.msgids

    def query(self, meta: RequestMeta, since: str, page_num: int, page_size: int, code: str = "") -> CataloguePage:
        """1312: entries updated after `since` (`updt_time`), in (updt_time, code) order."""
        with self.store.read() as tx:
            self.lookups.institution(tx, meta.fixmedins_code)
            self.msgids.check_unused(tx, meta)
            repo = tx.catalogue
            if code:
                found = [e for e in repo.entries([code]).values() if e.updt_time > since]
                entries, total = (found if page_num == 1 else []), len(found)
            else:
                entries, total = repo.changed_since(since, (page_num - 1) * page_size, page_size)
        self.msgids.claim_read_only(meta)
        return CataloguePage(entries, page_num, page_size, total)

    def map_items(self, meta: RequestMeta, rows: Sequence[MappingRecord]) -> int:
        """3301: every row's insurance code exists and its list type agrees; one row per item code."""
        ids = [r.fixmedins_hilist_id for r in rows]
        if len(set(ids)) != len(ids):
            raise BadMapping(detail="同一次上传中定点医药机构目录编号 fixmedins_hilist_id 重复")
        with self.store.write() as tx:
            self.lookups.institution(tx, meta.fixmedins_code)
            self.msgids.claim(tx, meta)
            repo = tx.catalogue
            known = repo.entries(r.med_list_codg for r in rows)
            for row in rows:
                entry = known.get(row.med_list_codg)
                if entry is None:
                    raise ListCodeUnknown(code=row.med_list_codg)
                if entry.list_type != row.list_type:
                    raise BadMapping(detail=f"{row.fixmedins_hilist_id} 的目录类别 {row.list_type} 与医保目录 "
                                            f"{row.med_list_codg} 的 {entry.list_type} 不符")
            repo.save_mappings(rows)
        return len(rows)

    def unmap_item(self, meta: RequestMeta, fixmedins_hilist_id: str) -> None:
        """3302: revoke one mapping of this institution."""
        with self.store.write() as tx:
            self.msgids.claim(tx, meta)
            if not tx.catalogue.drop_mapping(meta.fixmedins_code, fixmedins_hilist_id):
                raise MappingUnknown(fixmedins_hilist_id=fixmedins_hilist_id)

    def mappings(self, fixmedins_code: str) -> list[MappingRecord]:
        with self.store.read() as tx:
            return tx.catalogue.mappings_of(fixmedins_code)

    def update(self, entries: Sequence[CatalogueEntry]) -> str:
        """`POST /admin/catalogue`: add or replace entries (their `updt_time` is now, or later: see `save_versioned`)."""
        with self.store.write() as tx:
            return save_versioned(tx.catalogue, entries)


def save_versioned(repo: CatalogueRepository, entries: Sequence[CatalogueEntry]) -> str:
    """Save entries under one new version: their `updt_time`, or one second after the newest version
    already served when that is not earlier (a frozen or reset clock), so `updt_time > version` is
    exactly what changed since a till's last sync. Returns the version."""
    at = max((e.updt_time for e in entries), default="")
    newest = repo.newest()
    if newest is not None and at <= newest:
        at = stamp(parse_timestamp(newest) + timedelta(seconds=1))
    repo.save([replace(e, updt_time=at) for e in entries])
    return at
