"""The fee lines of an open visit or stay as the terminal uploaded them (batch by batch, with the platform's
split of each line), so the visit survives a till restart between batches. One table per kind of visit
(`stay_fees` for the stay book, `visit_fees` for the outpatient visit book), one shape and one code."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from pos_plugin.domain.cart import CartLine
from pos_plugin.journal.sales import line_from_json, line_json
from pos_plugin.platform.state import StateStore


def fees_schema(table: str, batch_note: str) -> str:
    return f"""
CREATE TABLE IF NOT EXISTS {table} (
    mdtrt_id TEXT NOT NULL,
    feedetl_sn TEXT NOT NULL,
    batch TEXT NOT NULL,            -- {batch_note}
    fee_ocur_time TEXT NOT NULL,
    line TEXT NOT NULL,             -- JSON: the cart line
    split TEXT NOT NULL,            -- JSON: the platform's result row for the line (2204 / 2301)
    deleted INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (mdtrt_id, feedetl_sn)
);
"""


@dataclass(frozen=True)
class BookedFee:
    """One uploaded fee line, with the platform's split of it (`result[]` row, amounts as text)."""

    feedetl_sn: str
    batch: str
    fee_ocur_time: str
    line: CartLine
    split: dict[str, str]
    deleted: bool = False


def fees_from_result(sns: Sequence[str], batch: str, when: str, lines: Sequence[CartLine],
                     result: Sequence[Mapping[str, Any]]) -> list[BookedFee]:
    """The lines of one upload as booked: each with the platform's `result[]` row of its feedetl_sn (as text)."""
    by_sn = {str(row.get("feedetl_sn")): row for row in result}
    return [BookedFee(sn, batch, when, line, {k: _text(v) for k, v in by_sn.get(sn, {}).items()})
            for sn, line in zip(sns, lines, strict=True)]


def _text(value: object) -> str:
    return f"{value:f}" if isinstance(value, Decimal) else str(value)


class FeeLedger:
    """The fee lines of one table of a book's SQLite file."""

    def __init__(self, db: StateStore, table: str) -> None:
        self.db = db
        self.table = table

    def add(self, mdtrt_id: str, fees: list[BookedFee]) -> None:
        with self.db.immediate() as conn:
            conn.executemany(f"INSERT INTO {self.table} (mdtrt_id, feedetl_sn, batch, fee_ocur_time, line, split) "
                             "VALUES (?, ?, ?, ?, ?, ?)",
                             [(mdtrt_id, fee.feedetl_sn, fee.batch, fee.fee_ocur_time, line_json(fee.line),
                               json.dumps(fee.split, ensure_ascii=False)) for fee in fees])

    def of(self, mdtrt_id: str, *, with_deleted: bool = False) -> list[BookedFee]:
        rows = self.db.read(f"SELECT * FROM {self.table} WHERE mdtrt_id = ?"
                            + ("" if with_deleted else " AND deleted = 0") + " ORDER BY feedetl_sn", (mdtrt_id,))
        return [BookedFee(row["feedetl_sn"], row["batch"], row["fee_ocur_time"], line_from_json(row["line"]),
                          json.loads(row["split"]), bool(row["deleted"])) for row in rows]

    def count(self, mdtrt_id: str) -> int:
        """Every line ever uploaded to the visit, deleted ones included (the next line's number follows them)."""
        rows = self.db.read(f"SELECT COUNT(*) AS n FROM {self.table} WHERE mdtrt_id = ?", (mdtrt_id,))
        return int(rows[0]["n"])

    def batches(self, mdtrt_id: str) -> int:
        rows = self.db.read(f"SELECT COUNT(DISTINCT batch) AS n FROM {self.table} WHERE mdtrt_id = ?", (mdtrt_id,))
        return int(rows[0]["n"])

    def delete(self, mdtrt_id: str, by: Literal["feedetl_sn", "batch"], value: str) -> None:
        """Mark the lines deleted whose `by` is `value` (`0000`: every line), as 2302 / 2205 did on the platform."""
        with self.db.immediate() as conn:
            conn.execute(f"UPDATE {self.table} SET deleted = 1 WHERE mdtrt_id = ? AND (? = '0000' OR {by} = ?)",
                         (mdtrt_id, value, value))
