"""The terminal's copy of the catalogue and its item-code mapping: one SQLite file in the state directory
(`catalogue.sqlite`), shared by the terminals of an institution like the journal."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from pos_plugin.domain.cart import CatalogueClass
from pos_plugin.platform.state import StateDb

SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    code TEXT PRIMARY KEY,           -- hilist_code = med_list_codg
    name TEXT NOT NULL,
    cls TEXT NOT NULL,               -- A / B / C (chrgitm_lv 01 / 02 / 03)
    selfpay_prop TEXT NOT NULL,
    price_cap TEXT,
    begndate TEXT NOT NULL,
    enddate TEXT,
    expired_use TEXT NOT NULL,       -- own_pay | refuse
    traced INTEGER NOT NULL,         -- 1: every box needs its traceability code
    lmt_note TEXT NOT NULL,
    updt_time TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS catalogue_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    updt_time TEXT NOT NULL          -- the greatest updt_time fetched (the next 1312 asks from it)
);
CREATE TABLE IF NOT EXISTS item_mappings (
    item TEXT PRIMARY KEY,           -- the pharmacy's own item code (fixmedins_hilist_id)
    med_list_codg TEXT NOT NULL,
    name TEXT NOT NULL,
    list_type TEXT NOT NULL,
    uploaded INTEGER NOT NULL        -- 1: accepted by the platform (3301)
);
CREATE TABLE IF NOT EXISTS mapping_reviews (
    item TEXT PRIMARY KEY,           -- an item of item_mappings (its own table: older books open unchanged)
    chk_stas TEXT NOT NULL,          -- the platform's review: 0 待审核 / 1 审核通过 / 2 审核不通过
    chk_memo TEXT NOT NULL,          -- why it was rejected
    updt_time TEXT NOT NULL          -- when this terminal learnt it (3301 reply or 1317)
);
"""
CHK_STAS = {"0": "待审核", "1": "审核通过", "2": "审核不通过", "": "审核状态未知"}


@dataclass(frozen=True)
class CatalogueEntry:
    code: str
    name: str
    cls: CatalogueClass
    selfpay_prop: Decimal
    price_cap: Decimal | None
    begndate: str
    enddate: str | None
    expired_use: str
    traced: bool
    lmt_note: str
    updt_time: str

    def valid_on(self, day: str) -> bool:
        return self.begndate <= day and (self.enddate is None or day <= self.enddate)


@dataclass(frozen=True)
class ItemMapping:
    item: str
    med_list_codg: str
    name: str
    list_type: str = "101"
    chk_stas: str = ""  # the platform's review as this terminal last learnt it ("": never learnt)
    chk_memo: str = ""


class CatalogueBook:
    def __init__(self, path: str | Path) -> None:
        self.db = StateDb(path, schema=SCHEMA)

    def close(self) -> None:
        self.db.close()

    def version(self) -> str | None:
        """The greatest `updt_time` synced, or None when this terminal never synced (old cart form only)."""
        with self.db.immediate() as conn:
            row = conn.execute("SELECT updt_time FROM catalogue_version WHERE id = 1").fetchone()
        return None if row is None else str(row["updt_time"])

    def save(self, entries: Sequence[CatalogueEntry], version: str) -> None:
        """Store one page and move the version forward, in one transaction (a crash keeps both or neither)."""
        with self.db.immediate() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(e.code, e.name, e.cls, str(e.selfpay_prop), None if e.price_cap is None else str(e.price_cap),
                  e.begndate, e.enddate, e.expired_use, int(e.traced), e.lmt_note, e.updt_time) for e in entries])
            conn.execute("INSERT INTO catalogue_version (id, updt_time) VALUES (1, ?) ON CONFLICT(id) DO UPDATE "
                         "SET updt_time = max(updt_time, excluded.updt_time)", (version,))

    def entries(self, codes: Iterable[str]) -> dict[str, CatalogueEntry]:
        wanted = sorted(set(codes))
        if not wanted:
            return {}
        with self.db.immediate() as conn:
            rows = conn.execute(f"SELECT * FROM entries WHERE code IN ({','.join('?' * len(wanted))})",
                                wanted).fetchall()
        return {row["code"]: CatalogueEntry(
            row["code"], row["name"], row["cls"], Decimal(row["selfpay_prop"]),
            None if row["price_cap"] is None else Decimal(row["price_cap"]), row["begndate"], row["enddate"],
            row["expired_use"], bool(row["traced"]), row["lmt_note"], row["updt_time"]) for row in rows}

    def count(self) -> int:
        with self.db.immediate() as conn:
            return int(conn.execute("SELECT count(*) FROM entries").fetchone()[0])

    def save_mappings(self, mappings: Sequence[ItemMapping]) -> None:
        """Mappings the platform accepted (3301), each with the review state its reply gave."""
        with self.db.immediate() as conn:
            conn.executemany("INSERT OR REPLACE INTO item_mappings VALUES (?, ?, ?, ?, 1)",
                             [(m.item, m.med_list_codg, m.name, m.list_type) for m in mappings])
            conn.executemany("DELETE FROM mapping_reviews WHERE item = ?", [(m.item,) for m in mappings])
            conn.executemany("INSERT INTO mapping_reviews VALUES (?, ?, ?, '')",
                             [(m.item, m.chk_stas, m.chk_memo) for m in mappings if m.chk_stas])

    def save_reviews(self, reviews: Sequence[tuple[str, str, str, str]]) -> int:
        """(item, chk_stas, chk_memo, updt_time) rows from 1317 for items this terminal mapped; returns how many."""
        with self.db.immediate() as conn:
            known = {row["item"] for row in conn.execute("SELECT item FROM item_mappings").fetchall()}
            rows = [r for r in reviews if r[0] in known]
            conn.executemany("INSERT OR REPLACE INTO mapping_reviews VALUES (?, ?, ?, ?)", rows)
        return len(rows)

    def mappings(self, items: Iterable[str] | None = None) -> dict[str, ItemMapping]:
        """The mappings of these items (every mapping when `items` is None), with their review state."""
        wanted = None if items is None else sorted(set(items))
        if wanted == []:
            return {}
        query = ("SELECT m.*, r.chk_stas, r.chk_memo FROM item_mappings m "
                 "LEFT JOIN mapping_reviews r ON r.item = m.item")
        with self.db.immediate() as conn:
            rows = conn.execute(query + ("" if wanted is None else f" WHERE m.item IN ({','.join('?' * len(wanted))})")
                                + " ORDER BY m.item", wanted or []).fetchall()
        return {row["item"]: ItemMapping(row["item"], row["med_list_codg"], row["name"], row["list_type"],
                                         row["chk_stas"] or "", row["chk_memo"] or "") for row in rows}
