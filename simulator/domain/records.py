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


StayStatus = Literal["admitted", "discharged", "settled", "cancelled"]


@dataclass(frozen=True)
class StayRecord:
    """An inpatient stay (住院, docs/domain.md §2.7): admitted (2401), discharged (2402), settled (2304) or
    cancelled (2404). A revoke (2305) or a cancelled discharge (2405) moves it one step back. `id` is 0 for a
    stay not yet stored."""

    id: int
    mdtrt_id: str
    person_id: int
    fixmedins_code: str
    insutype: str
    status: StayStatus
    begntime: str
    endtime: str | None
    ipt_no: str
    adm_dept_codg: str
    adm_dept_name: str
    adm_bed: str
    atddr_no: str
    chfpdr_name: str
    adm_diag_dscr: str
    dscg_dept_codg: str
    dscg_dept_name: str
    dscg_way: str
    diseinfo: str  # the diagnoses (2401, replaced by 2403 or 2402) as JSON text
    setl_id: str | None  # the settlement in effect


@dataclass(frozen=True)
class StayLineRecord:
    """One fee line of a stay (2301): amounts as uploaded (cnt/pric exact text, amount in fen). `id` is 0
    for a line not yet stored; `revoked_setl_id` remembers the settlement a revoke took it back from."""

    id: int
    mdtrt_id: str
    feedetl_sn: str
    code: str
    name: str
    cnt: str
    pric: str
    amt_fen: int
    fee_ocur_time: str
    setl_id: str | None
    revoked_setl_id: str | None


@dataclass(frozen=True)
class InpatientYearRecord:
    """A person's inpatient accumulators of one calendar year (§2.7): fund paid (fen) and settled stays."""

    person_id: int
    year: int
    fund_fen: int
    stays: int
