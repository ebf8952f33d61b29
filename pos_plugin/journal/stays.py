"""The stay book: the terminal's record of each inpatient stay (docs/domain.md §2.7) — who, the ward, the
admission and discharge times, every fee line uploaded (batch by batch, days apart), the settlement and its
出院结算单 — so a stay survives till restarts and can be continued, settled, revoked or reprinted from any
front end. Lives in the journal's SQLite file beside the sale book."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pos_plugin.errors import InputError
from pos_plugin.journal.fees import BookedFee, FeeLedger, fees_schema
from pos_plugin.platform.state import StateStore, on_store

StayState = Literal["admitted", "discharged", "settled", "cancelled"]

STAYS_SCHEMA = fees_schema("stay_fees", "the day (or batch name) the line was uploaded under") + """
CREATE TABLE IF NOT EXISTS stays (
    mdtrt_id TEXT PRIMARY KEY,
    psn_no TEXT NOT NULL,
    insuplc TEXT NOT NULL,
    insutype TEXT NOT NULL,
    patient_name TEXT NOT NULL,
    ipt_no TEXT NOT NULL,
    ward TEXT NOT NULL,             -- JSON: department, bed, doctor, diagnosis as admitted
    begntime TEXT NOT NULL,
    endtime TEXT,
    state TEXT NOT NULL,            -- admitted | discharged | settled | cancelled
    setl_id TEXT,
    receipt TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL DEFAULT (datetime('now'))
);
"""


StayFee = BookedFee  # one uploaded fee line of a stay, with the platform's 2301 split of it


@dataclass(frozen=True)
class StayRecord:
    mdtrt_id: str
    psn_no: str
    insuplc: str
    insutype: str
    patient_name: str
    ipt_no: str
    ward: dict[str, str]
    begntime: str
    endtime: str | None
    state: StayState
    setl_id: str | None
    receipt: str


class StayBook:
    def __init__(self, path: str | Path | StateStore) -> None:
        """`path`: the journal's SQLite file, or the terminal's store already open on it (one connection)."""
        self.db = on_store(path, STAYS_SCHEMA)
        self.ledger = FeeLedger(self.db, "stay_fees")

    def admitted(self, record: StayRecord) -> None:
        with self.db.immediate() as conn:
            conn.execute("INSERT INTO stays (mdtrt_id, psn_no, insuplc, insutype, patient_name, ipt_no, ward, "
                         "begntime, endtime, state, setl_id, receipt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         (record.mdtrt_id, record.psn_no, record.insuplc, record.insutype, record.patient_name,
                          record.ipt_no, json.dumps(record.ward, ensure_ascii=False), record.begntime, record.endtime,
                          record.state, record.setl_id, record.receipt))

    def get(self, mdtrt_id: str) -> StayRecord:
        rows = self.db.read("SELECT * FROM stays WHERE mdtrt_id = ?", (mdtrt_id,))
        if not rows:
            raise InputError(f"本机没有住院就诊号为 {mdtrt_id} 的住院记录")
        return _stay(rows[0])

    def by_setl_id(self, setl_id: str) -> StayRecord | None:
        rows = self.db.read("SELECT * FROM stays WHERE setl_id = ?", (setl_id,))
        return _stay(rows[0]) if rows else None

    def all(self, state: str | None = None) -> list[StayRecord]:
        rows = self.db.read("SELECT * FROM stays" + (" WHERE state = ?" if state else "") + " ORDER BY created_at",
                            (state,) if state else ())
        return [_stay(row) for row in rows]

    def set_state(self, mdtrt_id: str, state: StayState, *, endtime: str | None = None, setl_id: str | None = None,
                  receipt: str | None = None) -> None:
        with self.db.immediate() as conn:
            conn.execute("UPDATE stays SET state = ?, endtime = ?, setl_id = ?, receipt = COALESCE(?, receipt) "
                         "WHERE mdtrt_id = ?", (state, endtime, setl_id, receipt, mdtrt_id))

    def add_fees(self, mdtrt_id: str, fees: list[StayFee]) -> None:
        self.ledger.add(mdtrt_id, fees)

    def fees(self, mdtrt_id: str, *, with_deleted: bool = False) -> list[StayFee]:
        return self.ledger.of(mdtrt_id, with_deleted=with_deleted)

    def count_fees(self, mdtrt_id: str) -> int:
        return self.ledger.count(mdtrt_id)

    def delete_fees(self, mdtrt_id: str, feedetl_sn: str) -> None:
        """Mark one line deleted (`0000`: every line), as 2302 did on the platform."""
        self.ledger.delete(mdtrt_id, "feedetl_sn", feedetl_sn)

    def close(self) -> None:
        self.db.close()


def _stay(r: sqlite3.Row) -> StayRecord:
    return StayRecord(r["mdtrt_id"], r["psn_no"], r["insuplc"], r["insutype"], r["patient_name"], r["ipt_no"],
                      json.loads(r["ward"]), r["begntime"], r["endtime"], r["state"], r["setl_id"], r["receipt"])

