"""JSON-ready views of family records for the app API (money as 2-place strings, dates ISO)."""

from __future__ import annotations

from datetime import date
from typing import Any

from simulator.domain.chain import binding_state_refusal
from simulator.domain.models import Binding, Person, Wallet
from simulator.domain.money import fmt, from_fen
from simulator.domain.records import BindingEvent, PoolEvent, SpendingRecord, TransferRecord


def party(person: Person) -> dict[str, str]:
    """A person as the family app shows them to relatives (full name: they are family)."""
    return {"psn_no": person.psn_no, "name": person.name, "insuplc": person.insuplc}


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def binding(b: Binding, people: dict[int, Person], history: list[BindingEvent], today: date) -> dict[str, Any]:
    """One binding with whether it is in force today (state, dates, funder's insurance)."""
    funder, beneficiary = people[b.funder_id], people[b.beneficiary_id]
    reason = binding_state_refusal(b, funder, beneficiary.id, today)
    return {"binding_id": b.id, "funder": party(funder), "beneficiary": party(beneficiary), "rank": b.rank,
            "relation": b.relation, "start": _day(b.start), "end": _day(b.end), "state": b.state,
            "in_force": reason is None, "reason": reason,
            "history": [{"at": h.at, "action": h.action, "actor": h.actor, "detail": h.detail} for h in history]}


def spending(row: SpendingRecord) -> dict[str, Any]:
    """One leg paid from a funder's account or a pool (revoke legs come back negative)."""
    return {"setl_id": row.setl_id, "entry": row.entry, "at": row.at, "rank": row.rank,
            "patient": {"psn_no": row.patient_psn_no, "name": row.patient_name},
            "fixmedins_code": row.fixmedins_code, "amount": fmt(from_fen(row.amount_fen))}


def wallet(w: Wallet | None) -> dict[str, Any] | None:
    if w is None:
        return None
    return {"wallet_id": w.wallet_id, "balance": fmt(w.balance), "status": w.status}


def transfer(row: TransferRecord, people: dict[int, Person]) -> dict[str, Any]:
    return {"transfer_id": row.transfer_id, "sender": party(people[row.sender_id]),
            "receiver": party(people[row.receiver_id]), "source": row.source,
            "amount": fmt(from_fen(row.amount_fen)), "relation": row.relation,
            "verification": row.verification, "status": row.status, "created_at": row.created_at,
            "due_at": row.due_at, "closed_at": row.closed_at}


def pool_event(row: PoolEvent) -> dict[str, Any]:
    return {"at": row.at, "action": row.action, "psn_no": row.psn_no, "relation": row.relation,
            "amount": None if row.amount_fen is None else fmt(from_fen(row.amount_fen))}
