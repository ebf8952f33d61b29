"""The sales upload (进销存 3505 商品销售 / 3506 商品销售退货) from the till, journal first: each upload is
written here as pending before it is sent and marked done once the platform accepted it, so a failed or
lost upload is sent again by `recover` and listed at day end. An upload failure never undoes the sale.
Lives in the journal's SQLite file (docs/protocol.md §8)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pos_plugin.domain.cart import CartLine
from pos_plugin.errors import PosError
from pos_plugin.platform import PlatformClient
from pos_plugin.platform.state import StateStore, on_store

UPLOADS_SCHEMA = """
CREATE TABLE IF NOT EXISTS sales_uploads (
    setl_id TEXT NOT NULL,
    infno TEXT NOT NULL,            -- 3505 sale | 3506 return
    body TEXT NOT NULL,             -- JSON: {insuplc, psn_no, selinfo: the lines}
    state TEXT NOT NULL,            -- pending | done
    attempts INTEGER NOT NULL,
    last_error TEXT,
    created_at TEXT NOT NULL DEFAULT (datetime('now')),
    PRIMARY KEY (setl_id, infno)
);
"""
TIME = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True)
class PendingUpload:
    setl_id: str
    infno: str
    attempts: int
    last_error: str


def selinfo(setl_id: str, psn_no: str, lines: Sequence[CartLine], now: datetime, opter_name: str,
            kind: str) -> list[dict[str, Any]]:
    """One `selinfo` row per insurable line; its `medins_prod_sel_no` (settlement id + line) makes a resend
    of the same upload harmless."""
    rows = []
    for index, line in enumerate((line for line in lines if line.insurable), start=1):
        row: dict[str, Any] = {
            "med_list_codg": line.code, "fixmedins_hilist_id": line.item or line.code, "fixmedins_hilist_name": line.name,
            "fixmedins_bchno": line.code, "setl_id": setl_id, "psn_no": psn_no, "rx_flag": "0",
            "trdn_flag": "0" if line.qty == line.qty.to_integral_value() else "1", "finl_trns_pric": line.price,
            "sel_retn_cnt": line.qty, "sel_retn_time": now.strftime(TIME), "sel_retn_opter_name": opter_name,
            "medins_prod_sel_no": f"{setl_id}-{kind}{index:03d}", "mdtrt_setl_type": "1"}
        if line.trace_codes:
            row["drugtracinfo"] = [{"drug_trac_codg": code} for code in line.trace_codes]
        rows.append(row)
    return rows


class SalesUploads:
    """Queue, send and resend the sales upload of each settlement and of each return."""

    def __init__(self, path: str | Path | StateStore, client: PlatformClient) -> None:
        """`path`: the journal's SQLite file, or the terminal's store already open on it (one connection)."""
        self.db = on_store(path, UPLOADS_SCHEMA)
        self.client = client

    def close(self) -> None:
        self.db.close()

    def sold(self, setl_id: str, psn_no: str, insuplc: str, lines: Sequence[CartLine]) -> bool:
        return self._queue_and_send(setl_id, psn_no, insuplc, lines, "3505")

    def returned(self, setl_id: str, psn_no: str, insuplc: str, lines: Sequence[CartLine]) -> bool:
        return self._queue_and_send(setl_id, psn_no, insuplc, lines, "3506")

    def _queue_and_send(self, setl_id: str, psn_no: str, insuplc: str, lines: Sequence[CartLine],
                        infno: str) -> bool:
        rows = selinfo(setl_id, psn_no, lines, self.client.clock(), self.client.operator.opter_name,
                       "S" if infno == "3505" else "R")
        if not rows:
            return True
        body = json.dumps({"insuplc": insuplc, "psn_no": psn_no, "selinfo": rows}, ensure_ascii=False,
                          default=lambda value: f"{value:f}")
        with self.db.immediate() as conn:
            conn.execute("INSERT OR IGNORE INTO sales_uploads (setl_id, infno, body, state, attempts) "
                         "VALUES (?, ?, ?, 'pending', 0)", (setl_id, infno, body))
        return self._send(setl_id, infno)

    def _send(self, setl_id: str, infno: str) -> bool:
        found = self.db.read("SELECT body, state FROM sales_uploads WHERE setl_id = ? AND infno = ?",
                             (setl_id, infno))
        if not found or found[0]["state"] == "done":
            return True
        try:
            body = json.loads(found[0]["body"])
            self.client.call(infno, {"selinfo": body["selinfo"]}, insuplc=body["insuplc"], psn_no=body["psn_no"])
        except PosError as failed:
            with self.db.immediate() as conn:
                conn.execute("UPDATE sales_uploads SET attempts = attempts + 1, last_error = ? "
                             "WHERE setl_id = ? AND infno = ?", (str(failed), setl_id, infno))
            return False
        with self.db.immediate() as conn:
            conn.execute("UPDATE sales_uploads SET state = 'done', attempts = attempts + 1, last_error = NULL "
                         "WHERE setl_id = ? AND infno = ?", (setl_id, infno))
        return True

    def queued(self) -> set[tuple[str, str]]:
        """(setl_id, infno) of every upload ever queued here, pending or done."""
        return {(r["setl_id"], r["infno"]) for r in self.db.read("SELECT setl_id, infno FROM sales_uploads")}

    def pending(self) -> list[PendingUpload]:
        rows = self.db.read("SELECT setl_id, infno, attempts, last_error FROM sales_uploads "
                            "WHERE state = 'pending' ORDER BY created_at, setl_id, infno")
        return [PendingUpload(r["setl_id"], r["infno"], r["attempts"], r["last_error"] or "") for r in rows]

    def resend(self) -> tuple[int, int]:
        """Send every pending upload again, sales before returns; (sent now, still pending)."""
        sent = sum(self._send(item.setl_id, item.infno)
                   for item in sorted(self.pending(), key=lambda p: (p.infno, p.setl_id)))
        return sent, len(self.pending())
