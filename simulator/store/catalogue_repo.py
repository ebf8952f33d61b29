"""The catalogue repository on SQLite and PostgreSQL (simulator/platform/catalogue/repository.py)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, select, tuple_

from simulator.domain.catalogue import CatalogueEntry, ChkStas, MappingRecord
from simulator.store.compiled import FastQueries, Statements, id_params, ids_in
from simulator.store.tables_catalogue import hilist, list_mappings, mapping_reviews


def _entry(row: Any) -> CatalogueEntry:
    return CatalogueEntry(
        code=row.code, name=row.name, lv=row.lv, selfpay_prop=Decimal(row.selfpay_prop),
        price_cap=None if row.price_cap is None else Decimal(row.price_cap), begndate=row.begndate,
        enddate=row.enddate, updt_time=row.updt_time, list_type=row.list_type, lmt_used_flag=row.lmt_used_flag,
        lmt_note=row.lmt_note, expired_use="refuse" if row.expired_use == "refuse" else "own_pay",
        traced=bool(row.traced))


def _mapping(row: Any) -> MappingRecord:
    state: ChkStas = "1" if row.chk_stas is None else row.chk_stas  # no review row: accepted at once (before reviews)
    return MappingRecord(row.fixmedins_code, row.fixmedins_hilist_id, row.fixmedins_hilist_name, row.list_type,
                         row.med_list_codg, row.begndate, row.enddate, row.uploaded_at, state, row.chk_memo or "",
                         row.reviewed_at)


_MAPPINGS = select(list_mappings, mapping_reviews.c.chk_stas, mapping_reviews.c.chk_memo,
                   mapping_reviews.c.reviewed_at).select_from(list_mappings.outerjoin(mapping_reviews, and_(
                       mapping_reviews.c.fixmedins_code == list_mappings.c.fixmedins_code,
                       mapping_reviews.c.fixmedins_hilist_id == list_mappings.c.fixmedins_hilist_id)))


class SqlCatalogue(FastQueries):
    """In the caller's transaction. `entries` is on every sale's path: a statement compiled once per
    number of codes (store/compiled.py)."""

    def __init__(self, conn: Connection, statements: Statements) -> None:
        self.conn, self.statements, self.locking = conn, statements, False

    def entries(self, codes: Iterable[str]) -> dict[str, CatalogueEntry]:
        wanted = sorted(set(codes))
        if not wanted:
            return {}
        count = len(wanted)
        found = self.run(("hilist_entries", count), lambda: select(hilist).where(ids_in(hilist.c.code, count, "c")),
                         **id_params(wanted, "c")).all()
        return {row.code: _entry(row) for row in found}

    def save(self, entries: Sequence[CatalogueEntry]) -> None:
        if not entries:
            return
        self.conn.execute(delete(hilist).where(hilist.c.code.in_([e.code for e in entries])))
        self.conn.execute(insert(hilist), [{
            "code": e.code, "name": e.name, "lv": e.lv, "selfpay_prop": str(e.selfpay_prop),
            "price_cap": None if e.price_cap is None else str(e.price_cap), "begndate": e.begndate,
            "enddate": e.enddate, "updt_time": e.updt_time, "list_type": e.list_type,
            "lmt_used_flag": e.lmt_used_flag, "lmt_note": e.lmt_note, "expired_use": e.expired_use,
            "traced": e.traced} for e in entries])

    def changed_since(self, updt_time: str, offset: int, limit: int) -> tuple[list[CatalogueEntry], int]:
        where = hilist.c.updt_time > updt_time
        total = int(self.conn.execute(select(func.count()).select_from(hilist).where(where)).scalar_one())
        page = self.conn.execute(select(hilist).where(where).order_by(hilist.c.updt_time, hilist.c.code)
                                 .offset(offset).limit(limit))
        return [_entry(row) for row in page], total

    def newest(self) -> str | None:
        return self.conn.execute(select(func.max(hilist.c.updt_time))).scalar_one_or_none()

    def save_mappings(self, rows: Sequence[MappingRecord]) -> None:
        if not rows:
            return
        keys = [(r.fixmedins_code, r.fixmedins_hilist_id) for r in rows]
        self._delete_mappings(keys)
        self.conn.execute(insert(list_mappings), [{
            "fixmedins_code": r.fixmedins_code, "fixmedins_hilist_id": r.fixmedins_hilist_id,
            "fixmedins_hilist_name": r.fixmedins_hilist_name, "list_type": r.list_type,
            "med_list_codg": r.med_list_codg, "begndate": r.begndate, "enddate": r.enddate,
            "uploaded_at": r.uploaded_at} for r in rows])
        self.conn.execute(insert(mapping_reviews), [{
            "fixmedins_code": r.fixmedins_code, "fixmedins_hilist_id": r.fixmedins_hilist_id,
            "chk_stas": r.chk_stas, "chk_memo": r.chk_memo, "reviewed_at": r.reviewed_at} for r in rows])

    def _delete_mappings(self, keys: list[tuple[str, str]]) -> int:
        self.conn.execute(delete(mapping_reviews).where(
            tuple_(mapping_reviews.c.fixmedins_code, mapping_reviews.c.fixmedins_hilist_id).in_(keys)))
        done = self.conn.execute(delete(list_mappings).where(
            tuple_(list_mappings.c.fixmedins_code, list_mappings.c.fixmedins_hilist_id).in_(keys)))
        return int(done.rowcount or 0)

    def drop_mapping(self, fixmedins_code: str, fixmedins_hilist_id: str) -> bool:
        return self._delete_mappings([(fixmedins_code, fixmedins_hilist_id)]) > 0

    def review_mapping(self, fixmedins_code: str, fixmedins_hilist_id: str, chk_stas: ChkStas, chk_memo: str,
                       at: str) -> bool:
        found = self.mappings_for(fixmedins_code, [fixmedins_hilist_id])
        if not found:
            return False
        key = (fixmedins_code, fixmedins_hilist_id)
        self.conn.execute(delete(mapping_reviews).where(
            tuple_(mapping_reviews.c.fixmedins_code, mapping_reviews.c.fixmedins_hilist_id).in_([key])))
        self.conn.execute(insert(mapping_reviews).values(
            fixmedins_code=fixmedins_code, fixmedins_hilist_id=fixmedins_hilist_id, chk_stas=chk_stas,
            chk_memo=chk_memo, reviewed_at=at))
        return True

    def mappings_of(self, fixmedins_code: str) -> list[MappingRecord]:
        found = self.conn.execute(_MAPPINGS.where(list_mappings.c.fixmedins_code == fixmedins_code)
                                  .order_by(list_mappings.c.fixmedins_hilist_id))
        return [_mapping(row) for row in found]

    def mappings_for(self, fixmedins_code: str, fixmedins_hilist_ids: Iterable[str]) -> dict[str, MappingRecord]:
        wanted = sorted(set(fixmedins_hilist_ids))
        if not wanted:
            return {}
        found = self.conn.execute(_MAPPINGS.where(list_mappings.c.fixmedins_code == fixmedins_code,
                                                  list_mappings.c.fixmedins_hilist_id.in_(wanted)))
        return {row.fixmedins_hilist_id: _mapping(row) for row in found}
