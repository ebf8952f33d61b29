"""1312 catalogue query (paged by update time), 3301/3302 目录对照 upload and revoke, 1317 目录对照 query with the
platform's review state, the tester's review (approve / reject) and admin catalogue edits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

from simulator.domain.catalogue import CatalogueEntry, ChkStas, MappingRecord
from simulator.domain.records import StoredFile
from simulator.domain.refusals import BadMapping, ListCodeUnknown, MappingUnknown
from simulator.domain.requests import RequestMeta
from simulator.platform.catalogue.repository import CatalogueRepository
from simulator.platform.clock import parse_timestamp, stamp
from simulator.platform.deps import Deps
from simulator.platform.ports import UnitOfWork

MAX_PAGE_SIZE = 1000
SETTINGS = "settings"  # the reference handles of world-wide settings (set by a world file, emptied by reset)
MAPPING_REVIEW_MODES = ("auto", "manual")  # auto: a 3301 row is approved at once; manual: it waits for review


def mapping_review_mode(tx: UnitOfWork) -> str:
    return tx.reference.handles(SETTINGS).get("mapping_review", "auto")


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
        self.deps, self.store, self.lookups, self.msgids = deps, deps.store, deps.lookups, deps.msgids

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

    def map_items(self, meta: RequestMeta, rows: Sequence[MappingRecord]) -> tuple[int, ChkStas]:
        """3301: every row's insurance code exists and its list type agrees; one row per item code. Each row
        (new, or replacing one) starts its review again: approved at once (`mapping_review` auto, the default)
        or 待审核 until the tester approves or rejects it. Returns the count and that state."""
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
            state: ChkStas = "1" if mapping_review_mode(tx) == "auto" else "0"
            repo.save_mappings([replace(r, chk_stas=state, chk_memo="",
                                        reviewed_at=r.uploaded_at if state == "1" else None) for r in rows])
        return len(rows), state

    def query_mappings(self, meta: RequestMeta, since: str, page_num: int, page_size: int,
                       item: str = "") -> tuple[list[MappingRecord], int]:
        """1317: this institution's 目录对照 rows changed (uploaded or reviewed) after `since`, by item code."""
        with self.store.read() as tx:
            self.lookups.institution(tx, meta.fixmedins_code)
            self.msgids.check_unused(tx, meta)
            rows = [m for m in tx.catalogue.mappings_of(meta.fixmedins_code)
                    if m.updt_time > since and (not item or m.fixmedins_hilist_id == item)]
        self.msgids.claim_read_only(meta)
        start = (page_num - 1) * page_size
        return rows[start:start + page_size], len(rows)

    def review(self, fixmedins_code: str, items: Sequence[str], chk_stas: ChkStas, chk_memo: str) -> list[MappingRecord]:
        """`POST /admin/mappings/review`: the platform approves (`1`) or rejects (`2`) the named mappings."""
        if chk_stas == "2" and not chk_memo:
            raise BadMapping(detail="审核不通过须填写原因 chk_memo")
        at = self.deps.clock.stamp()
        with self.store.write() as tx:
            self.lookups.institution(tx, fixmedins_code)
            for item in items:
                if not tx.catalogue.review_mapping(fixmedins_code, item, chk_stas, chk_memo, at):
                    raise MappingUnknown(fixmedins_hilist_id=item)
            found = tx.catalogue.mappings_for(fixmedins_code, items)
        return [found[i] for i in items]

    def unmap_item(self, meta: RequestMeta, fixmedins_hilist_id: str) -> None:
        """3302: revoke one mapping of this institution."""
        with self.store.write() as tx:
            self.msgids.claim(tx, meta)
            if not tx.catalogue.drop_mapping(meta.fixmedins_code, fixmedins_hilist_id):
                raise MappingUnknown(fixmedins_hilist_id=fixmedins_hilist_id)

    def of_list_type(self, meta: RequestMeta, list_type: str, since: str) -> tuple[list[CatalogueEntry], str | None]:
        """130x: every entry of one list type updated after `since`, in (updt_time, code) order, and the newest
        version of the whole catalogue at that moment."""
        with self.store.read() as tx:
            self.lookups.institution(tx, meta.fixmedins_code)
            self.msgids.check_unused(tx, meta)
            total = tx.catalogue.changed_since(since, 0, 1)[1]
            entries = tx.catalogue.changed_since(since, 0, max(total, 1))[0]
            newest = tx.catalogue.newest()
        return [e for e in entries if e.list_type == list_type], newest

    def keep_file(self, meta: RequestMeta, filename: str, content: bytes) -> tuple[str, str]:
        """Keep a catalogue file for 9102 (this institution's, downloadable for a day); (file_qury_no, deadline)."""
        number = self.deps.ids.file_qury_no()  # before the write transaction opens
        with self.store.write() as tx:
            self.msgids.claim(tx, meta)
            tx.files.add(StoredFile(number, meta.fixmedins_code, filename, content, self.deps.clock.stamp()))
        return number, stamp(self.deps.clock.to_second() + timedelta(days=1))

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
