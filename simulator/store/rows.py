"""Database rows (SQLAlchemy rows or the fast path's named tuples) -> the domain's frozen values."""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from typing import Any

from simulator.domain.models import Binding, Institution, Person, Pool, Wallet
from simulator.domain.money import from_fen
from simulator.domain.records import LedgerEntry, MessageRecord, SettlementRecord, VisitRecord

_FIELDS: dict[type, tuple[str, ...]] = {}


def values_of(record: Any) -> dict[str, Any]:
    """A flat record's fields by name: what `dataclasses.asdict` gives for a record of plain values,
    without its recursive deep copy (a tenth of the cost; records written on every sale use it)."""
    names = _FIELDS.get(type(record))
    if names is None:
        names = _FIELDS[type(record)] = tuple(f.name for f in fields(record))
    return {name: getattr(record, name) for name in names}


def _date(text: str | None) -> date | None:
    return None if not text else date.fromisoformat(text)


def person(row: Any) -> Person:
    return Person(
        id=row.id, psn_no=row.psn_no, name=row.name, certno=row.certno, gender=row.gender,
        birthday=date.fromisoformat(row.birthday), insutype=row.insutype, psn_type=row.psn_type,
        insuplc=row.insuplc, status=row.status,
        balance=from_fen(row.balance_fen) if row.has_account else None,
        ytd_deductible_used=from_fen(row.ytd_dedc_fen), ytd_fund_paid=from_fen(row.ytd_fund_fen),
        card_sn=row.card_sn,
    )


def binding(row: Any) -> Binding:
    return Binding(
        id=row.id, funder_id=row.funder_id, beneficiary_id=row.beneficiary_id, rank=row.rank,
        relation=row.relation, start=_date(row.start_date), end=_date(row.end_date), state=row.state,
    )


def pool(row: Any) -> Pool:
    return Pool(id=row.id, pool_id=row.pool_id, creator_id=row.creator_id, balance=from_fen(row.balance_fen))


def wallet(row: Any) -> Wallet:
    return Wallet(id=row.id, wallet_id=row.wallet_id, owner_id=row.owner_id,
                  balance=from_fen(row.balance_fen), status=row.status)


def institution(row: Any) -> Institution:
    return Institution(code=row.code, name=row.name, kind=row.kind, admdvs=row.admdvs, level=row.level,
                       wallet_enabled=bool(row.wallet_enabled), policy=row.policy)


def visit(row: Any) -> VisitRecord:
    return VisitRecord(**row._asdict())


def settlement(row: Any) -> SettlementRecord:
    return SettlementRecord(**row._asdict())


def ledger_entry(row: Any) -> LedgerEntry:
    return LedgerEntry(**row._asdict())


def message(row: Any) -> MessageRecord:
    return MessageRecord(**row._asdict())
