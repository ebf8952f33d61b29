"""The stored records the platform reads and writes through its repositories (simulator/platform/ports.py):
frozen typed values with `Literal` states, the same for every store (SQLite, PostgreSQL, memory). The SQL
store builds them from its rows (simulator/store/rows.py); amounts stay integer fen here, as stored
(views.py turns them into Decimal yuan). A record being added carries `id=0`: the store assigns the id."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

VisitKind = Literal["outpatient", "pharmacy"]
VisitStatus = Literal["registered", "cancelled"]
SettlementStatus = Literal["settled", "revoked", "reversed"]
MessageStatus = Literal["ok", "dead", "reversed"]
LedgerKind = Literal["settle", "revoke", "reverse"]
LedgerSource = Literal["fund", "own", "funder", "pool", "wallet"]
BalanceKind = Literal["account", "pool", "wallet"]
TransferStatus = Literal["pending", "accepted", "bounced"]


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
    """One leg of a settlement (entry "settle"), of its revocation ("revoke") or of a 2601 reversal ("reverse")."""

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


@dataclass(frozen=True)
class FeeLineRecord:
    """One uploaded fee line of a visit (2204, or a pharmacy sale's line); `setl_id` while settled,
    `revoked_setl_id` once a revoke or reversal released it."""

    id: int
    mdtrt_id: str
    feedetl_sn: str
    chrg_bchno: str
    code: str
    name: str
    cnt: str
    pric: str
    amt_fen: int
    setl_id: str | None
    revoked_setl_id: str | None = None


@dataclass(frozen=True)
class SpendingRecord:
    """A ledger leg paid from a funder's account or a pool, with the settlement it belongs to."""

    setl_id: str
    entry: str
    rank: int | None
    amount_fen: int
    at: str
    patient_psn_no: str
    fixmedins_code: str
    patient_name: str


@dataclass(frozen=True)
class FundsIn:
    """Money that entered the platform from outside: a world load or an admin top-up."""

    kind: Literal["load", "topup"]
    target: BalanceKind
    ref: str
    amount_fen: int
    at: str


@dataclass(frozen=True)
class BindingEvent:
    """One lifecycle step of a binding: requested, approved, rejected, rank_changed, ended, auto_ended."""

    binding_id: int
    at: str
    action: str
    actor: str | None
    detail: str | None


@dataclass(frozen=True)
class PoolEvent:
    """One step of a family pool: created, member_added, member_removed, allot, dissolved."""

    pool_row: int
    at: str
    action: str
    psn_no: str | None = None
    relation: str | None = None
    amount_fen: int | None = None


@dataclass(frozen=True)
class TransferRecord:
    """A wallet transfer; `source_row` is the sender's persons row (account) or wallets row (wallet)."""

    id: int
    transfer_id: str
    sender_id: int
    receiver_id: int
    source: Literal["account", "wallet"]
    source_row: int
    target_wallet_row: int
    amount_fen: int
    relation: str
    verification: str
    status: TransferStatus
    day: str
    created_at: str
    due_at: str
    closed_at: str | None


@dataclass(frozen=True)
class GuardianshipRecord:
    """亲情账户: `guardian_id` may show the minor's own e-voucher."""

    id: int
    guardian_id: int
    minor_id: int
    relation: str
    created_at: str


@dataclass(frozen=True)
class SigninRecord:
    """An operator's sign-in (9001) of one platform day."""

    sign_no: str
    fixmedins_code: str
    opter: str
    day: str
    sign_time: str
    signed_out: bool


@dataclass(frozen=True)
class EvoucherRecord:
    """A 28-digit e-voucher code (single use)."""

    code: str
    person_id: int
    expires_at: str
    used_at: str | None = None


@dataclass(frozen=True)
class TokenRecord:
    """An ecToken a decoded e-voucher gave the till (certificate type 01)."""

    token: str
    person_id: int
    expires_at: str


@dataclass(frozen=True)
class StoredFile:
    """An uploaded reconciliation file (9101) or a result file (3202), downloadable by 9102."""

    file_qury_no: str
    fixmedins_code: str
    filename: str
    content: bytes
    created_at: str


@dataclass(frozen=True)
class TrafficEntry:
    """One row of the request journal: an envelope and its reply, or a fault event (kind arm / clear)."""

    at: str
    kind: str
    arrival: int = 0
    fixmedins_code: str = ""
    infno: str = ""
    msgid: str = ""
    sign_no: str = ""
    outcome: str = ""
    err_code: str = ""
    fault: str = ""
    http_status: int = 0
    request: str = ""
    reply: str = ""
