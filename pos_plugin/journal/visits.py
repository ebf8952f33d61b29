"""The visit book: the terminal's record of each outpatient visit it registered (docs/domain.md §2.8) — who,
the department, doctor, category and diagnoses it registered with, every fee batch uploaded (2204, with the platform's split of each line), and the settlement that closed it — so an open visit
survives a till restart between batches and can be continued, pre-settled, settled, revoked or cancelled from
any front end. Lives in the journal's SQLite file beside the sale book and the stay book; the settled sale
itself (its legs, its receipt) is in the sale book under its setl_id."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pos_plugin.checkout.requests_build import Diagnosis, VisitDetails
from pos_plugin.errors import VisitUnknown
from pos_plugin.journal.fees import BookedFee, FeeLedger, fees_schema
from pos_plugin.platform.state import StateStore, on_store

VisitState = Literal["registered", "settled", "cancelled"]
VISIT_STATES = ("registered", "settled", "cancelled")

VISITS_SCHEMA = fees_schema("visit_fees", "the visit's 2204 batch (chrg_bchno) the line was uploaded in") + """
CREATE TABLE IF NOT EXISTS visits (
    mdtrt_id TEXT PRIMARY KEY,
    psn_no TEXT NOT NULL,
    insuplc TEXT NOT NULL,
    insutype TEXT NOT NULL,
    patient_name TEXT NOT NULL,
    visit_no TEXT NOT NULL,         -- ipt_otp_no (门诊号) sent with 2201
    med_type TEXT NOT NULL,
    details TEXT NOT NULL,          -- JSON: department, doctor, category, diagnoses as registered
    begntime TEXT NOT NULL,
    state TEXT NOT NULL,            -- registered | settled | cancelled
    setl_id TEXT,
    created_at TEXT NOT NULL DEFAULT (datetime('now'))
);
"""

VisitFee = BookedFee  # one uploaded fee line of a visit, with the platform's 2204 split of it


@dataclass(frozen=True)
class VisitRecord:
    mdtrt_id: str
    psn_no: str
    insuplc: str
    insutype: str
    patient_name: str
    visit_no: str
    med_type: str
    details: VisitDetails
    begntime: str
    state: VisitState
    setl_id: str | None


class VisitBook:
    def __init__(self, path: str | Path | StateStore) -> None:
        """`path`: the journal's SQLite file, or the terminal's store already open on it (one connection)."""
        self.db = on_store(path, VISITS_SCHEMA)
        self.ledger = FeeLedger(self.db, "visit_fees")

    def registered(self, record: VisitRecord) -> None:
        with self.db.immediate() as conn:
            conn.execute("INSERT INTO visits (mdtrt_id, psn_no, insuplc, insutype, patient_name, visit_no, med_type, "
                         "details, begntime, state, setl_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         (record.mdtrt_id, record.psn_no, record.insuplc, record.insutype, record.patient_name,
                          record.visit_no, record.med_type, _details_json(record.details), record.begntime,
                          record.state, record.setl_id))

    def get(self, mdtrt_id: str) -> VisitRecord:
        rows = self.db.read("SELECT * FROM visits WHERE mdtrt_id = ?", (mdtrt_id,))
        if not rows:
            raise VisitUnknown(f"本机没有就诊号为 {mdtrt_id} 的门诊就诊")
        return _visit(rows[0])

    def all(self, state: str | None = None) -> list[VisitRecord]:
        rows = self.db.read("SELECT * FROM visits" + (" WHERE state = ?" if state else "") + " ORDER BY created_at",
                            (state,) if state else ())
        return [_visit(row) for row in rows]

    def set_state(self, mdtrt_id: str, state: VisitState, setl_id: str | None = None) -> None:
        with self.db.immediate() as conn:
            conn.execute("UPDATE visits SET state = ?, setl_id = ? WHERE mdtrt_id = ?", (state, setl_id, mdtrt_id))

    def close(self) -> None:
        self.db.close()


def _visit(r: sqlite3.Row) -> VisitRecord:
    return VisitRecord(r["mdtrt_id"], r["psn_no"], r["insuplc"], r["insutype"], r["patient_name"], r["visit_no"],
                       r["med_type"], _details_from_json(r["details"]), r["begntime"], r["state"], r["setl_id"])


def _details_json(details: VisitDetails) -> str:
    node: dict[str, Any] = {"dept_code": details.dept_code, "dept_name": details.dept_name,
                            "doctor_code": details.doctor_code, "doctor_name": details.doctor_name,
                            "caty": details.caty, "diagnoses": [[d.code, d.name] for d in details.diagnoses]}
    return json.dumps(node, ensure_ascii=False)


def _details_from_json(text: str) -> VisitDetails:
    node = json.loads(text)
    return VisitDetails(node["dept_code"], node["dept_name"], node["doctor_code"], node["doctor_name"], node["caty"],
                        tuple(Diagnosis(code, name) for code, name in node["diagnoses"]))
