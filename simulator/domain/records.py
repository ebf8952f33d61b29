"""The stored records of the money flow (visits, settlements, ledger entries, messages) as frozen typed
values with `Literal` states. The store builds them from its rows (simulator/store/rows.py); amounts stay
integer fen here, as stored (views.py turns them into Decimal yuan)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

VisitKind = Literal["outpatient", "pharmacy"]
VisitStatus = Literal["registered", "cancelled"]
SettlementStatus = Literal["settled", "revoked", "reversed"]
MessageStatus = Literal["ok", "dead", "reversed"]
LedgerKind = Literal["settle", "revoke"]
LedgerSource = Literal["fund", "own", "funder", "pool", "wallet"]


@dataclass(frozen=True)
class VisitRecord:
    """An outpatient visit (2201) or the implicit visit of a pharmacy sale (2102)."""

    id: int
    mdtrt_id: str
    person_id: int
    fixmedins_code: str
    kind: VisitKind
    insutype: str
    med_type: str
    status: VisitStatus
    begntime: str
    ipt_otp_no: str
    diseinfo: str | None


@dataclass(frozen=True)
class SettlementRecord:
    """A settlement (2102 / 2207) with its amounts in fen and, once revoked, the revocation."""

    id: int
    setl_id: str
    mdtrt_id: str
    person_id: int
    psn_no: str
    fixmedins_code: str
    msgid: str
    infno: str
    clr_type: str
    med_type: str
    insutype: str
    clr_optins: str
    setl_time: str
    status: SettlementStatus
    medfee_fen: int
    fulamt_fen: int
    overlmt_fen: int
    preself_fen: int
    inscp_fen: int
    dedc_fen: int
    hifp_fen: int
    psn_part_fen: int
    acct_fen: int
    mulaid_fen: int
    wallet_fen: int
    cash_fen: int
    balc_fen: int
    revoke_setl_id: str | None
    revoke_msgid: str | None
    revoked_at: str | None


@dataclass(frozen=True)
class LedgerEntry:
    """One leg of a settlement (entry "settle") or of its revocation ("revoke"): who paid how much."""

    id: int
    setl_id: str
    entry: LedgerKind
    source: LedgerSource
    rank: int | None
    person_id: int | None
    psn_no: str | None
    pool_row: int | None
    pool_id: str | None
    wallet_row: int | None
    wallet_id: str | None
    name: str
    amount_fen: int
    msgid: str
    at: str


@dataclass(frozen=True)
class MessageRecord:
    """A claimed msgid: answered ("ok"), lost before commit ("dead"), or reversed by 2601."""

    msgid: str
    infno: str
    fixmedins_code: str
    psn_no: str | None
    status: MessageStatus
    setl_id: str | None
    at: str
