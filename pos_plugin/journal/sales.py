"""The sale book: what the counter sold under each settlement id (cart lines, legs, receipt), so a sale can
be revoked, refunded or its receipt reprinted later. Lives in the journal's SQLite file (or shared store).

A sale with no platform settlement (nothing insurable) is booked under a local id starting `LOCAL-`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pos_plugin.domain.cart import CartLine, cart_line_from_mapping
from pos_plugin.errors import SaleUnknown
from pos_plugin.platform.state import StateStore, on_store

SALES_SCHEMA = """
CREATE TABLE IF NOT EXISTS sales (
    setl_id TEXT PRIMARY KEY,
    flow TEXT NOT NULL,
    med_type TEXT NOT NULL,
    psn_no TEXT NOT NULL,
    insuplc TEXT NOT NULL,
    mdtrt_id TEXT NOT NULL,
    use_account INTEGER NOT NULL,
    use_wallet INTEGER NOT NULL,
    lines TEXT NOT NULL,            -- JSON: the whole cart, insurable or not
    receipt TEXT NOT NULL,
    state TEXT NOT NULL,            -- settled | revoked
    created_at TEXT NOT NULL DEFAULT (datetime('now'))
);
"""


LOCAL_PREFIX = "LOCAL-"


@dataclass(frozen=True)
class SaleRecord:
    setl_id: str
    flow: str
    med_type: str
    psn_no: str
    insuplc: str
    mdtrt_id: str
    use_account: bool
    use_wallet: bool
    lines: tuple[CartLine, ...]
    receipt: str
    state: str

    @property
    def on_platform(self) -> bool:
        """False for a cash-only sale booked under a local id: nothing of it is on the platform."""
        return not self.setl_id.startswith(LOCAL_PREFIX)


class SaleBook:
    def __init__(self, path: str | Path | StateStore) -> None:
        """`path`: the journal's SQLite file, or the shared store's postgresql:// URL, or the terminal's store."""
        self.db = on_store(path, SALES_SCHEMA)

    def record(self, record: SaleRecord) -> None:
        with self.db.immediate() as conn:
            conn.execute(
                "INSERT INTO sales (setl_id, flow, med_type, psn_no, insuplc, mdtrt_id, use_account, use_wallet,"
                " lines, receipt, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (record.setl_id, record.flow, record.med_type, record.psn_no, record.insuplc, record.mdtrt_id,
                 int(record.use_account), int(record.use_wallet), _lines_json(record.lines), record.receipt,
                 record.state))

    def get(self, setl_id: str) -> SaleRecord:
        record = self.find(setl_id)
        if record is None:
            raise SaleUnknown(f"本机没有结算号为 {setl_id} 的交易")
        return record

    def find(self, setl_id: str) -> SaleRecord | None:
        """The sale booked under `setl_id`, or None."""
        rows = self.db.read("SELECT * FROM sales WHERE setl_id = ?", (setl_id,))
        if not rows:
            return None
        row = rows[0]
        return SaleRecord(row["setl_id"], row["flow"], row["med_type"], row["psn_no"], row["insuplc"],
                          row["mdtrt_id"], bool(row["use_account"]), bool(row["use_wallet"]),
                          _lines_from_json(row["lines"]), row["receipt"], row["state"])

    def settled_of_visit(self, mdtrt_id: str) -> SaleRecord | None:
        """The settlement in force of an outpatient visit, if the book has one."""
        rows = self.db.read("SELECT setl_id FROM sales WHERE mdtrt_id = ? AND state = 'settled'", (mdtrt_id,))
        return self.get(rows[0]["setl_id"]) if rows else None

    def mark_revoked(self, setl_id: str) -> None:
        with self.db.immediate() as conn:
            conn.execute("UPDATE sales SET state = 'revoked' WHERE setl_id = ?", (setl_id,))

    def close(self) -> None:
        self.db.close()


def line_json(line: CartLine) -> str:
    """One cart line as the books keep it (amounts as text, its scanned trace codes with it)."""
    return json.dumps(_line_node(line), ensure_ascii=False)


def line_from_json(text: str) -> CartLine:
    return _line_from_node(json.loads(text))


def _line_node(line: CartLine) -> dict[str, Any]:
    return {
        "code": line.code, "name": line.name, "qty": f"{line.qty:f}", "price": f"{line.price:f}",
        "insurable": line.insurable, "class": line.cls, "selfpay_prop": f"{line.selfpay_prop:f}",
        "price_cap": None if line.price_cap is None else f"{line.price_cap:f}",
        **({"trace_codes": list(line.trace_codes)} if line.trace_codes else {}),
        **({"item": line.item} if line.item else {}),
    }


def _line_from_node(item: dict[str, Any]) -> CartLine:
    return cart_line_from_mapping({k: v for k, v in item.items() if v is not None})


def _lines_json(lines: tuple[CartLine, ...]) -> str:
    return json.dumps([_line_node(line) for line in lines], ensure_ascii=False)


def _lines_from_json(text: str) -> tuple[CartLine, ...]:
    raw: list[dict[str, Any]] = json.loads(text)
    return tuple(_line_from_node(item) for item in raw)
