"""Identify the patient: a credential (e-voucher code, ID card, social security card) -> 1101 -> the
patient's insurance and payer chain, with the cashier's identity check (docs/domain.md §5)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, Protocol

from pos_plugin.domain.money import ZERO, parse_amount
from pos_plugin.domain.payer_chain import FamilyPool, Funder, PatientFunds
from pos_plugin.errors import IdentityMismatch, InputError, NotAnInsuranceCode, NotInsured
from pos_plugin.platform.models import EcodeIdentity, PersonInfo
from pos_plugin.qr.classify import CodeKind, classify

CredentialKind = Literal["ecode", "id_card", "ss_card"]
CERT_TYPE: dict[str, str] = {"ecode": "01", "id_card": "02", "ss_card": "03"}
# The decode service's businessType for each counter flow (docs/protocol.md §1): 02121 pharmacy, 01301 outpatient.
BUSINESS_TYPE: dict[str, str] = {"pharmacy": "02121", "outpatient": "01301"}
CREDENTIAL_KINDS: dict[CodeKind, CredentialKind] = {CodeKind.ECODE: "ecode", CodeKind.ID_CARD: "id_card",
                                                    CodeKind.SS_CARD: "ss_card"}


class IdentifyingPlatform(Protocol):
    def decode_ecode(self, ec_qr_code: str, *, business_type: str = ...) -> EcodeIdentity: ...

    def person_info(self, *, mdtrt_cert_type: str, mdtrt_cert_no: str, card_sn: str = ..., psn_cert_type: str = ...,
                    certno: str = ..., psn_name: str = ..., insuplc: str = ...) -> PersonInfo: ...


@dataclass(frozen=True)
class Credential:
    """What the patient showed: the e-voucher string, an ID card number, or a social security card."""

    kind: CredentialKind
    value: str
    certno: str = ""  # a social security card also carries the holder's ID number


@dataclass(frozen=True)
class Expected:
    """Who the cashier knows the patient is (prescription, registration); empty = no check."""

    name: str = ""
    certno: str = ""


@dataclass(frozen=True)
class Patient:
    person: PersonInfo
    mdtrt_cert_type: str
    mdtrt_cert_no: str
    card_sn: str
    insutype: str
    insuplc: str
    funds: PatientFunds

    @property
    def psn_no(self) -> str:
        return self.person.psn_no

    @property
    def name(self) -> str:
        return str(self.person.baseinfo.get("psn_name") or "")

    @property
    def certno(self) -> str:
        return str(self.person.baseinfo.get("certno") or "")


def identify(platform: IdentifyingPlatform, credential: Credential, *, expected: Expected = Expected(),
             business_type: str = "02121") -> Patient:
    """Resolve the credential to a patient whose insurance is normal, or raise a PosError."""
    cert_no, card_sn, certno = _certificate(platform, credential, expected, business_type)
    person = platform.person_info(mdtrt_cert_type=CERT_TYPE[credential.kind], mdtrt_cert_no=cert_no,
                                  card_sn=card_sn, certno=certno)
    _check_identity(str(person.baseinfo.get("psn_name") or ""), str(person.baseinfo.get("certno") or ""), expected)
    insurance = main_insurance(person)
    if str(insurance.get("psn_insu_stas")) != "1":
        raise NotInsured(f"参保状态不正常（psn_insu_stas={insurance.get('psn_insu_stas')}），不能使用医保结算")
    return Patient(person, CERT_TYPE[credential.kind], cert_no, card_sn, str(insurance.get("insutype")),
                   str(insurance.get("insuplc_admdvs") or ""), funds_from_person(person))


def _certificate(platform: IdentifyingPlatform, credential: Credential, expected: Expected,
                 business_type: str) -> tuple[str, str, str]:
    value = credential.value.strip()
    if not value:
        raise InputError("未提供医保凭证")
    if credential.kind == "ecode":
        who = platform.decode_ecode(value, business_type=business_type)
        _check_identity(who.user_name, who.id_no, expected)
        return who.ec_token, "", ""
    if credential.kind == "id_card":
        return value, "", value
    return value, value, credential.certno  # 03: the card's number is the certificate; its holder's ID rides along


def _check_identity(name: str, certno: str, expected: Expected) -> None:
    """Stop on a mismatch with what the cashier typed (impersonation, 冒名). Masked ids compare by visible digits."""
    typed_name = "".join(expected.name.split())  # 王 建国 / full-width spaces typed at the till
    if typed_name and name and "".join(name.split()) != typed_name:
        raise IdentityMismatch(f"凭证持有人为 {name[0]}*，与就诊人 {typed_name[0]}* 不一致，已停止结算")
    if expected.certno and certno and not _same_certno(certno, expected.certno.strip().upper()):
        raise IdentityMismatch("凭证持有人证件号与就诊人不一致，已停止结算")


def _same_certno(reported: str, typed: str) -> bool:
    reported = reported.upper()
    return len(reported) == len(typed) and all(r in ("*", t) for r, t in zip(reported, typed, strict=True))


def main_insurance(person: PersonInfo) -> dict[str, Any]:
    """The row the patient settles under: employee insurance (310) when present, else the first."""
    rows = person.insuinfo
    if not rows:
        raise NotInsured("未查询到参保信息")
    return next((row for row in rows if str(row.get("insutype")) == "310"), rows[0])


def funds_from_person(person: PersonInfo) -> PatientFunds:
    """The patient's payer chain as 1101 reports it (own account, ⊕ mulaidinfo, ⊕ walletinfo)."""
    own = next((r for r in person.insuinfo if str(r.get("insutype")) == "310"), None)
    own_balance = _money(own.get("balc")) if own else ZERO
    own_usable = own is not None and str(own.get("psn_insu_stas")) == "1"
    funders: list[Funder] = []
    pool: FamilyPool | None = None
    for row in person.mulaidinfo:
        if row.get("pool_id"):
            pool = FamilyPool(str(row["pool_id"]), _money(row.get("avail_amt", row.get("balc"))), _flag(row.get("usable")))
        else:
            funders.append(Funder(int(row.get("rank") or 0), str(row.get("funder_psn_no") or ""),
                                  _money(row.get("avail_amt")), _flag(row.get("usable")),
                                  str(row.get("funder_name") or ""), row.get("reason")))
    wallet = person.walletinfo or {}
    return PatientFunds(person.psn_no, own_balance, own_usable, tuple(funders), pool,
                        _money(wallet.get("balc")) if wallet else ZERO, bool(wallet) and _flag(wallet.get("usable")),
                        str(person.baseinfo.get("psn_name") or ""))


def _money(value: object) -> Decimal:
    return ZERO if value in (None, "") else parse_amount(value, field="balance")


def _flag(value: object) -> bool:
    return value is True or str(value).lower() in ("1", "true")


def credential_from_text(text: str, *, certno: str = "") -> Credential:
    """A scanned or typed string -> a credential; anything else (payment code, barcode, URL) is refused plainly."""
    found = classify(text)
    if found.kind not in CREDENTIAL_KINDS:
        raise NotAnInsuranceCode(found.message)
    return Credential(CREDENTIAL_KINDS[found.kind], found.text, certno)
