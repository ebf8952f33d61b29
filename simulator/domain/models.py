"""Frozen values the platform's rules work on (read from the store, never mutated)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

NONCE_MAX_LEN = 64  # the longest x-tif nonce the gateway accepts (and the store's column keeps)


@dataclass(frozen=True)
class AppSession:
    """A family-app bearer-token session: who, in which role, until when (unix seconds)."""

    subject: str
    role: str
    expires_at: int


@dataclass(frozen=True)
class Person:
    """An insured person. `balance` is the personal account (None: no account, i.e. not 310)."""

    id: int
    psn_no: str
    name: str
    certno: str
    gender: str
    birthday: date
    insutype: str
    psn_type: str
    insuplc: str
    status: str
    balance: Decimal | None
    ytd_deductible_used: Decimal
    ytd_fund_paid: Decimal
    card_sn: str


@dataclass(frozen=True)
class Binding:
    """A family mutual-aid binding: `funder` lets `beneficiary` spend their account, at `rank`."""

    id: int
    funder_id: int
    beneficiary_id: int
    rank: int
    relation: str
    start: date | None
    end: date | None
    state: str


@dataclass(frozen=True)
class Pool:
    """A family mutual-aid pool (Gansu model)."""

    id: int
    pool_id: str
    creator_id: int
    balance: Decimal


@dataclass(frozen=True)
class Wallet:
    """A person's insurance wallet (医保钱包)."""

    id: int
    wallet_id: str
    owner_id: int
    balance: Decimal
    status: str


@dataclass(frozen=True)
class Institution:
    """A designated pharmacy or hospital (定点医药机构)."""

    code: str
    name: str
    kind: str
    admdvs: str
    level: str
    wallet_enabled: bool
    policy: str


@dataclass(frozen=True)
class CatalogueItem:
    """A catalogue entry: `lv` is chrgitm_lv 01 甲 / 02 乙 / 03 丙."""

    code: str
    name: str
    lv: str
    selfpay_prop: Decimal
    price_cap: Decimal | None


@dataclass(frozen=True)
class FeeLine:
    """One fee line as uploaded (2204) or sent with a pharmacy settlement (2101/2102)."""

    feedetl_sn: str
    code: str
    name: str
    cnt: Decimal
    pric: Decimal
    amt: Decimal
    chrg_bchno: str = ""
    trace_codes: tuple[str, ...] = ()  # 药品追溯码, one per box (drugtracinfo)
    medins_code: str = ""  # medins_list_codg: the institution's own item code (its 目录对照), when sent


def person_class(insutype: str, psn_type: str) -> str:
    """`employed` (310, 11xx), `retired` (310, 12xx/1300), `resident` (any non-310), else `other`."""
    if insutype != "310":
        return "resident"
    if psn_type.startswith("11"):
        return "employed"
    if psn_type.startswith("12") or psn_type == "1300":
        return "retired"
    return "other"


def age_on(birthday: date, today: date) -> int:
    """Whole years of age on `today`."""
    years = today.year - birthday.year
    return years - (1 if (today.month, today.day) < (birthday.month, birthday.day) else 0)


def mask_name(name: str) -> str:
    """First character + `*` (how a funder's name is shown to someone else's checkout)."""
    return (name[:1] + "*") if name else ""


def mask_certno(certno: str) -> str:
    """Keep the first 6 and last 4 characters of an id number."""
    if len(certno) <= 10:
        return certno[:2] + "*" * max(0, len(certno) - 2)
    return certno[:6] + "*" * (len(certno) - 10) + certno[-4:]
