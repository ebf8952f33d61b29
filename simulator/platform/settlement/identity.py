"""Sign-in (9001/9002), person info (1101), certificates, e-voucher issue and decode."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from simulator.domain.chain import binding_refusal, pool_refusal, wallet_refusal
from simulator.domain.models import Institution, Person, Wallet
from simulator.domain.money import ZERO
from simulator.domain.records import EvoucherRecord, SigninRecord, TokenRecord
from simulator.domain.refusals import (
    BadBusinessType,
    CodeExpired,
    CodeUnknown,
    CodeUsed,
    Conflict,
    Duplicate,
    IdentityMismatch,
    InstitutionUnknown,
    NotAnInsuranceCode,
    NotSignedIn,
    SignedOut,
    SigninExpired,
    SignNoUnknown,
)
from simulator.domain.requests import RequestMeta
from simulator.platform.clock import stamp
from simulator.platform.context import payer_context
from simulator.platform.deps import Deps
from simulator.platform.ports import UnitOfWork

CODE_TTL = timedelta(seconds=60)
TOKEN_TTL = timedelta(minutes=30)
BUSINESS_TYPES = ("01101", "01301", "02121")


@dataclass(frozen=True)
class AidRow:
    """One ⊕mulaidinfo row: a binding (or the family pool) seen from the beneficiary, here, today."""

    rank: int
    funder: Person
    relation: str
    avail: Decimal
    begndate: date | None
    enddate: date | None
    state: str
    usable: bool
    reason: str | None
    pool_id: str | None = None


@dataclass(frozen=True)
class WalletInfo:
    wallet: Wallet
    usable: bool
    reason: str | None


@dataclass(frozen=True)
class PersonInfo:
    person: Person
    aid: tuple[AidRow, ...]
    wallet: WalletInfo | None


@dataclass(frozen=True)
class Decoded:
    person: Person
    token: str
    expires_at: datetime


class IdentityOps:
    """Who is at the till, and is the operator signed in."""

    def __init__(self, deps: Deps) -> None:
        self.deps, self.store, self.clock, self.ids = deps, deps.store, deps.clock, deps.ids
        self.lookups, self.msgids, self.caches = deps.lookups, deps.msgids, deps.caches

    # sign-in ---------------------------------------------------------------------------------
    def sign_in(self, meta: RequestMeta, opter_no: str) -> tuple[str, str]:
        """Once per operator per day: a second sign-in the same day returns the same sign_no."""
        opter = opter_no or meta.opter
        day = self.clock.today().isoformat()
        fresh = self.ids.sign_no()  # reserved before the transaction (may go unused)
        for attempt in range(3):
            try:
                sign_no, sign_time = self._sign_in_once(meta, opter, day, fresh)
                break
            except Conflict as exc:  # two terminals of one operator signing in at the same instant
                if not isinstance(exc, Duplicate) or attempt == 2:
                    raise
        with self.caches.lock:
            self.caches.signins[sign_no] = (meta.fixmedins_code, day, False)
        return sign_no, sign_time

    def _sign_in_once(self, meta: RequestMeta, opter: str, day: str, fresh: str) -> tuple[str, str]:
        with self.store.write() as uow:
            self.lookups.institution(uow, meta.fixmedins_code)
            self.msgids.claim(uow, meta)
            found = uow.signins.of_day(meta.fixmedins_code, opter, day)
            if found is not None:
                uow.signins.set_signed_out(found.sign_no, False)
                return found.sign_no, found.sign_time
            sign_time = self.clock.stamp()
            uow.signins.add(SigninRecord(fresh, meta.fixmedins_code, opter, day, sign_time, False))
            return fresh, sign_time

    def sign_out(self, meta: RequestMeta, sign_no: str) -> tuple[str, str]:
        with self.store.write() as uow:
            self.msgids.claim(uow, meta)
            found = uow.signins.get(sign_no)
            if found is None or found.fixmedins_code != meta.fixmedins_code:
                raise SignNoUnknown(sign_no=sign_no, problem="不存在")
            uow.signins.set_signed_out(sign_no, True)
        with self.caches.lock:
            self.caches.signins.pop(sign_no, None)
        self.deps.publish()
        return sign_no, self.clock.stamp()

    def check_sign_no(self, sign_no: str, fixmedins_code: str) -> None:
        """Refuse a request whose sign_no is missing, unknown, signed out or from another day."""
        if not sign_no:
            raise NotSignedIn()
        with self.caches.lock:
            cached = self.caches.signins.get(sign_no)
        if cached is None:
            with self.store.read() as uow:
                row = uow.signins.get(sign_no)
            if row is None:
                raise SignNoUnknown(sign_no=sign_no, problem="无效，请重新签到（9001）")
            cached = (row.fixmedins_code, row.day, row.signed_out)
            with self.caches.lock:
                self.caches.signins[sign_no] = cached
        inst, day, signed_out = cached
        if inst != fixmedins_code:
            raise SignNoUnknown(sign_no=sign_no, problem=f"不属于机构 {fixmedins_code}，请重新签到")
        if signed_out:
            raise SignedOut()
        if day != self.clock.today().isoformat():
            raise SigninExpired(day=day)

    # 1101 ------------------------------------------------------------------------------------
    def person_info(self, meta: RequestMeta, cert_type: str, cert_no: str, card_sn: str, certno: str,
                    psn_name: str) -> PersonInfo:
        with self.store.read() as uow:
            institution = self.lookups.institution(uow, meta.fixmedins_code)
            person = self.lookups.resolve_person(uow, cert_type or "02", cert_no, card_sn, certno)
            if psn_name and psn_name != person.name:
                raise IdentityMismatch(detail="姓名与证件信息不符")
            self.msgids.check_unused(uow, meta)
            info = self._info(uow, person, institution)
        self.msgids.claim_read_only(meta, person.psn_no)
        return info

    def _info(self, uow: UnitOfWork, person: Person, institution: Institution) -> PersonInfo:
        ctx = payer_context(uow, person, institution, self.lookups.policy_of(uow, person, institution), lock=False)
        today = self.clock.today()
        aid: list[AidRow] = []
        for link in ctx.funders:
            reason = binding_refusal(link, ctx, today)
            balance = link.funder.balance or ZERO
            if reason is None and balance <= ZERO:
                reason = "共济人账户余额为 0"
            b = link.binding
            aid.append(AidRow(b.rank, link.funder, b.relation, balance, b.start, b.end, b.state,
                              reason is None, reason))
        if ctx.pool is not None and ctx.pool_creator is not None:
            reason = pool_refusal(ctx)
            if reason is None and ctx.pool.balance <= ZERO:
                reason = "家庭共济账户余额为 0"
            aid.append(AidRow(1, ctx.pool_creator, "family_pool", ctx.pool.balance, None, None, "active",
                              reason is None, reason, ctx.pool.pool_id))
        wallet = None
        if ctx.wallet is not None:
            reason = wallet_refusal(ctx)
            wallet = WalletInfo(ctx.wallet, reason is None, reason)
        return PersonInfo(ctx.patient, tuple(aid), wallet)

    # e-vouchers ------------------------------------------------------------------------------
    def issue_evoucher(self, psn_no: str) -> tuple[str, datetime]:
        """A fresh 28-digit code (22 random digits + insured area), valid 60 s, single use."""
        expires = self.clock.to_second() + CODE_TTL
        with self.store.write() as uow:
            person = self.lookups.patient(uow, psn_no)
            code = self.ids.digits(22) + person.insuplc
            uow.codes.add_evoucher(EvoucherRecord(code, person.id, stamp(expires)))
        return code, expires

    def decode_evoucher(self, org_id: str, business_type: str, qr: object) -> Decoded:
        if not isinstance(qr, str) or len(qr) != 28 or not qr.isdigit():
            raise NotAnInsuranceCode()
        if business_type not in BUSINESS_TYPES:
            raise BadBusinessType(business_type=business_type)
        now = self.clock.to_second()
        with self.store.write() as uow:
            if uow.reference.institution(org_id) is None:
                raise InstitutionUnknown(detail=f"机构编码 orgId {org_id!r} 不存在")
            row = uow.codes.evoucher(qr)
            if row is None:
                raise CodeUnknown()
            if row.used_at is not None:
                raise CodeUsed()
            if row.expires_at < stamp(now):
                raise CodeExpired()
            if not uow.codes.use_evoucher(qr, stamp(now)):
                raise CodeUsed()
            person = uow.persons.by_ids([row.person_id])[row.person_id]
            token = f"{person.insuplc}ec{self.ids.token(30)}"
            expires = now + TOKEN_TTL
            uow.codes.add_token(TokenRecord(token, person.id, stamp(expires)))
        return Decoded(person, token, expires)
