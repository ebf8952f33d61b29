"""The sale at the counter: quote (pre-settle + planned legs), cashier confirmation, settle, revoke, refund.

The plugin plans the payer chain itself from 1101 and the pre-settlement, compares it with the
platform's legs (a difference stops the sale), shows it to the cashier, and settles with the
confirmed payplan. If the platform refuses because a balance moved, it re-plans and asks again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Literal, Protocol, TypeVar

from pos_plugin.checkout import outpatient
from pos_plugin.checkout import requests_build as build
from pos_plugin.checkout.identify import Patient, funds_from_person
from pos_plugin.domain.cart import CartLine, CartSplit, split_cart
from pos_plugin.domain.money import ZERO
from pos_plugin.domain.payer_chain import Burden, Choices, Leg, PayerPlan, Source, plan_payer_chain
from pos_plugin.domain.region import RegionPolicies, RegionPolicy
from pos_plugin.errors import BusinessError, InputError, PlanMismatch, PosError, UnknownOutcome
from pos_plugin.platform import PlatformClient
from pos_plugin.platform.models import PayLeg, Settlement

Flow = Literal["pharmacy", "outpatient"]
NO_PLAN = PayerPlan((), ZERO, ZERO, ZERO, ZERO, ZERO)
MAX_REPLANS = 2


def as_flow(text: str) -> Flow:
    """'outpatient' (门诊, 2201-2208) or 'pharmacy' (药店, 2101-2103); anything else is refused."""
    if text == "outpatient":
        return "outpatient"
    if text == "pharmacy":
        return "pharmacy"
    raise InputError(f"未知的结算流程: {text!r}（pharmacy 或 outpatient）")


class ResettleFailed(PosError):
    """A partial refund revoked the sale but could not settle the kept lines again: they are unpaid."""

    code = "ERR_REFUND_RESETTLE"
    default_message = "原结算已撤销，但留下的商品未能重新结算"


class SaleCancelled(PosError):
    code = "ERR_CANCELLED"
    default_message = "收银员取消了结算，未发生扣款"


@dataclass(frozen=True)
class Order:
    lines: tuple[CartLine, ...]
    flow: Flow = "pharmacy"
    med_type: str = "41"
    choices: Choices = Choices()
    visit: build.VisitDetails = build.VisitDetails()  # an outpatient visit's department, doctor, diagnoses


@dataclass(frozen=True)
class Quote:
    """What the cashier confirms: the platform's pre-settlement and the plugin's planned legs."""

    patient: Patient
    order: Order
    split: CartSplit
    presettle: Settlement | None
    plan: PayerPlan
    mdtrt_id: str = ""
    visit_no: str = ""

    def figure(self, name: str) -> Decimal:
        return self.presettle.amount(name) if self.presettle else ZERO


@dataclass(frozen=True)
class Sale:
    """A settled sale (or a sale with nothing insurable: `settlement` is None)."""

    quote: Quote
    settlement: Settlement | None
    legs: tuple[Leg, ...] = field(default=())

    @property
    def setl_id(self) -> str:
        return self.settlement.setl_id if self.settlement else ""

    def figure(self, name: str) -> Decimal:
        return self.settlement.amount(name) if self.settlement else ZERO

    @property
    def outside_settlement(self) -> Decimal:
        return self.quote.split.outside_settlement

    @property
    def cash_total(self) -> Decimal:
        return self.figure("psn_cash_pay") + self.outside_settlement


Confirm = Callable[[Quote], bool]
Settled = TypeVar("Settled")  # what a settle step gives back: the Counter's Sale, the till's BookedSale


class Guard(Protocol):
    """pos_plugin.journal.Recovery: runs a money request and resolves a lost reply."""

    def guard(self, psn_no: str, send: Callable[[], Settlement]) -> Settlement: ...

    def clear_backlog(self, psn_no: str) -> None: ...


class Counter:
    """The checkout use cases for one institution, given its platform client and the region policies: each
    patient is planned with the policy of their insured region (docs/domain.md §1, 异地就医)."""

    def __init__(self, platform: PlatformClient, *, policies: RegionPolicies, recovery: Guard | None = None,
                 clock: Callable[[], datetime] = datetime.now) -> None:
        self.platform = platform
        self.policies = policies
        self.recovery = recovery
        self.clock = clock

    def _guarded(self, psn_no: str, send: Callable[[], Settlement]) -> Settlement:
        """A money request under the journal: a lost reply is reversed at once (NotSettled)."""
        return self.recovery.guard(psn_no, send) if self.recovery else send()

    # -- quote -------------------------------------------------------------------------------
    def quote(self, patient: Patient, order: Order) -> Quote:
        """Pre-settle the insurable lines and plan the legs; stop if the platform's legs differ."""
        split = split_cart(order.lines)
        if not split.insurable:
            return Quote(patient, order, split, None, NO_PLAN)
        if order.flow == "outpatient":
            return self._outpatient_quote(patient, order, split)
        now = self.clock()
        pre = self.platform.pharmacy_presettle(
            build.druginfo(patient, split.insurable, now, use_account=order.choices.use_account,
                           med_type=order.med_type),
            build.fee_lines(split.insurable, now), insuplc=patient.insuplc, use_wallet=order.choices.use_wallet)
        return self._planned(Quote(patient, order, split, pre, self._plan(patient, pre, order)))

    def _outpatient_quote(self, patient: Patient, order: Order, split: CartSplit) -> Quote:
        """The one-call visit: the visit desk's steps (checkout/outpatient.py) without a visit book."""
        now = self.clock()
        visit = outpatient.register(self.platform, patient, order.visit, order.med_type, now)
        quote = Quote(patient, order, split, None, NO_PLAN, visit.mdtrt_id, visit.visit_no)
        try:
            outpatient.upload(self.platform, mdtrt_id=visit.mdtrt_id, psn_no=patient.psn_no, insuplc=patient.insuplc,
                              lines=split.insurable, now=now, details=order.visit)
            return self.presettle_visit(quote)
        except PosError:
            self.abandon(quote)
            raise

    def presettle_visit(self, quote: Quote) -> Quote:
        """2206 over the visit's uploaded lines (the quote's insurable lines) and the planned legs; stops if the
        platform's legs differ (see `_planned`)."""
        order, patient = quote.order, quote.patient
        data = build.outpatient_settlement(patient, quote.mdtrt_id, quote.split.insurable, med_type=order.med_type,
                                           use_account=order.choices.use_account)
        pre = self.platform.outpatient_presettle(data, insuplc=patient.insuplc, use_wallet=order.choices.use_wallet)
        return self._planned(replace(quote, presettle=pre, plan=self._plan(patient, pre, order)))

    def _plan(self, patient: Patient, pre: Settlement, order: Order) -> PayerPlan:
        burden = Burden(pre.amount("psn_part_amt"), pre.amount("fulamt_ownpay_amt"), pre.amount("overlmt_selfpay"))
        policy = self.policy_of(patient)
        return plan_payer_chain(patient.funds, burden, account_pays_ownpay=policy.account_pays_ownpay,
                                choices=order.choices)

    def policy_of(self, patient: Patient) -> RegionPolicy:
        """The policy of the patient's insured region (1101 `insuplc_admdvs`); the terminal's own by default."""
        return self.policies.for_insuplc(patient.insuplc)

    def _planned(self, quote: Quote) -> Quote:
        """The platform's pre-settlement legs must be the plugin's own plan, to the fen.

        The pre-settlement is a fresh read of the accounts; the patient's 1101 may be older (identified before
        a relative's top-up, an earlier sale, or the reversal of a lost one). So on any difference the plan is
        made again from a fresh 1101 and the same pre-settlement; only a difference that remains is a real
        disagreement (ERR_PLAN_MISMATCH)."""
        pre = quote.presettle
        assert pre is not None
        if not plan_difference(quote.plan, pre):
            return quote
        fresh = self.refreshed(quote.patient)
        quote = replace(quote, patient=fresh, plan=self._plan(fresh, pre, quote.order))
        difference = plan_difference(quote.plan, pre)
        if difference:  # the caller closes the outpatient visit (quote / checkout)
            raise PlanMismatch(f"平台预结算的支付分项与本地计算不一致（已重新查询账户）：{difference}，已停止结算")
        return quote

    def abandon(self, quote: Quote) -> None:
        """Undo what a quote left on the platform (an outpatient visit and its fee lines); best effort."""
        if quote.mdtrt_id:
            outpatient.close(self.platform, mdtrt_id=quote.mdtrt_id, psn_no=quote.patient.psn_no,
                             insuplc=quote.patient.insuplc, visit_no=quote.visit_no)

    # -- settle ------------------------------------------------------------------------------
    def checkout(self, patient: Patient, order: Order, confirm: Confirm) -> Sale:
        """Quote, confirm with the cashier, settle with the confirmed payplan; re-plan if a balance moved.

        Whatever stops the sale, an outpatient visit it opened is closed again — unless the settlement's
        outcome is unknown (the journal resolves it) or a settlement stands (the error carries the sale)."""
        if self.recovery:  # an earlier lost reply for this patient is settled first, before anyone confirms
            self.recovery.clear_backlog(patient.psn_no)
        quote = self.quote(patient, order)
        return self.settle_or_abandon(quote, confirm, self._settle_or_not, self.abandon)

    def settle_or_abandon(self, quote: Quote, confirm: Confirm, settle: Callable[[Quote], Settled],
                          abandon: Callable[[Quote], None]) -> Settled:
        """Confirm and settle the quote; whatever stops it, `abandon` undoes what the quote opened — unless the
        settlement's outcome is unknown (the journal resolves it) or a settlement stands (the error carries
        the sale)."""
        try:
            return self.confirm_and_settle(quote, confirm, settle)
        except UnknownOutcome:
            raise
        except PosError as exc:
            if "sale" not in exc.details:
                abandon(quote)
            raise
        except BaseException:  # the cashier interrupted the confirmation (Ctrl-C): nothing was settled
            abandon(quote)
            raise

    def _settle_or_not(self, quote: Quote) -> Sale:
        return self.settle(quote) if quote.presettle is not None else Sale(quote, None)

    def confirm_and_settle(self, quote: Quote, confirm: Confirm, settle: Callable[[Quote], Settled]) -> Settled:
        """The cashier confirms the quote, `settle` settles exactly it; when the platform refuses because a
        balance moved the fresh quote is confirmed again (at most MAX_REPLANS times)."""
        for _ in range(MAX_REPLANS + 1):
            if not confirm(quote):
                raise SaleCancelled()
            try:
                return settle(quote)
            except BusinessError as refused:
                quote = self.requote_after(quote, refused)
        raise PlanMismatch("账户余额在结算过程中多次变动，请重新结算")

    def requote_after(self, quote: Quote, refused: BusinessError) -> Quote:
        """After the platform refused a confirmed quote: the fresh quote when a balance moved (the cashier
        must confirm it), otherwise the platform's refusal again, in its own words."""
        try:
            fresh = self.requote(quote)
        except PosError:
            raise refused from None  # the platform's reason for refusing is what the cashier needs
        if fresh.plan == quote.plan:
            raise refused from None  # not a balance that moved
        return fresh

    def settle(self, quote: Quote) -> Sale:
        """Send 2102/2207 with the confirmed payplan and check the platform settled exactly that."""
        patient, order = quote.patient, quote.order
        if order.flow == "outpatient":
            data = build.outpatient_settlement(patient, quote.mdtrt_id, quote.split.insurable,
                                               med_type=order.med_type, use_account=order.choices.use_account)
            done = self._guarded(patient.psn_no, lambda: self.platform.outpatient_settle(
                data, insuplc=patient.insuplc, presettle=quote.presettle, payplan=quote.plan.legs,
                use_wallet=order.choices.use_wallet))
        else:
            now = self.clock()
            druginfo = build.druginfo(patient, quote.split.insurable, now, use_account=order.choices.use_account,
                                      med_type=order.med_type)
            done = self._guarded(patient.psn_no, lambda: self.platform.pharmacy_settle(
                druginfo, build.fee_lines(quote.split.insurable, now), insuplc=patient.insuplc,
                payplan=quote.plan.legs, use_wallet=order.choices.use_wallet))
        difference = plan_difference(quote.plan, done)
        if difference:  # the platform did not settle what the cashier confirmed: never expected, never kept
            self._revoke_unconfirmed(quote, done, difference)
        return Sale(quote, done, quote.plan.legs)

    def _revoke_unconfirmed(self, quote: Quote, done: Settlement, difference: str) -> None:
        """Money moved in legs the cashier did not confirm: revoke it at once, and say which way it ended.
        If the revoke fails the settlement stands; the error carries the sale (its legs as the platform
        reported them) so the caller can record it and the cashier can revoke it by its id."""
        reported = tuple(leg_from_platform(leg) for leg in done.payleg if leg.amount != 0)
        head = f"平台结算的支付分项与确认的不一致：{difference}"
        try:
            self.revoke_settlement(quote.order.flow, setl_id=done.setl_id, mdtrt_id=done.mdtrt_id,
                                   psn_no=quote.patient.psn_no, insuplc=quote.patient.insuplc)
        except PosError as exc:
            raise PlanMismatch(f"{head}；自动撤销失败（{exc.code}: {exc.message}），结算 {done.setl_id} 仍然有效，"
                               f"请执行 pos-plugin revoke {done.setl_id} 撤销", setl_id=done.setl_id,
                               sale=Sale(quote, done, reported)) from exc
        raise PlanMismatch(f"{head}；已自动撤销结算 {done.setl_id}，各段已原路退回，未发生扣款，请重新结算",
                           setl_id=done.setl_id)

    def requote(self, quote: Quote) -> Quote:
        """Fresh balances (1101) and a fresh pre-settlement for the same cart (same visit when outpatient)."""
        fresh = self.refreshed(quote.patient)
        if quote.order.flow == "outpatient":
            return self.presettle_visit(replace(quote, patient=fresh))
        return self.quote(fresh, quote.order)

    def refreshed(self, patient: Patient) -> Patient:
        """The same patient with today's balances and chain (1101 again, same certificate)."""
        person = self.platform.person_info(mdtrt_cert_type=patient.mdtrt_cert_type,
                                           mdtrt_cert_no=patient.mdtrt_cert_no, card_sn=patient.card_sn,
                                           certno=patient.certno if patient.mdtrt_cert_type != "01" else "")
        return replace(patient, person=person, funds=funds_from_person(person))

    # -- revoke and refund --------------------------------------------------------------------
    def revoke(self, sale: Sale) -> Settlement:
        """Put every leg back (2103 pharmacy / 2208 outpatient)."""
        if sale.settlement is None:
            raise InputError("该笔交易没有医保结算，无需撤销")
        patient = sale.quote.patient
        return self.revoke_settlement(sale.quote.order.flow, setl_id=sale.setl_id, mdtrt_id=sale.settlement.mdtrt_id,
                                      psn_no=patient.psn_no, insuplc=patient.insuplc)

    def revoke_settlement(self, flow: Flow, *, setl_id: str, mdtrt_id: str, psn_no: str, insuplc: str) -> Settlement:
        """2103 (pharmacy) or 2208 (outpatient) by ids, under the journal."""
        revoke = self.platform.outpatient_revoke if flow == "outpatient" else self.platform.pharmacy_revoke
        return self._guarded(psn_no, lambda: revoke(setl_id=setl_id, mdtrt_id=mdtrt_id, psn_no=psn_no,
                                                    insuplc=insuplc))

    @staticmethod
    def kept_lines(sale: Sale, returned_codes: Sequence[str]) -> tuple[CartLine, ...]:
        """The lines a partial refund keeps; every returned code must be a line of the sale."""
        codes = set(returned_codes)
        unknown = codes - {line.code for line in sale.quote.order.lines}
        if unknown or not codes:
            raise InputError(f"退货商品不在原交易中: {', '.join(sorted(unknown)) or '(空)'}")
        return tuple(line for line in sale.quote.order.lines if line.code not in codes)

    def refund(self, sale: Sale, returned_codes: Sequence[str], confirm: Confirm) -> tuple[Settlement, Sale]:
        """Partial refund = revoke the whole sale, then settle the lines kept against today's balances."""
        kept = self.kept_lines(sale, returned_codes)
        revoked = self.revoke(sale)
        kept_order = replace(sale.quote.order, lines=kept)
        try:
            return revoked, self.checkout(self.refreshed(sale.quote.patient), kept_order, confirm)
        except PosError as exc:
            stands = {"sale": exc.details["sale"]} if "sale" in exc.details else {}  # a new settlement stands
            raise ResettleFailed(f"原结算 {sale.setl_id} 已全额撤销，但留下的商品未能重新结算（{exc.code}: "
                                 f"{exc.message}），请重新收费", setl_id=sale.setl_id, cause=exc.code,
                                 **stands) from exc


def leg_from_platform(leg: PayLeg) -> Leg:
    """A leg as the platform reported it, in the domain's shape (for receipts of what really moved)."""
    source: Source = leg.source if leg.source in ("own", "funder", "pool", "wallet") else "own"  # type: ignore[assignment]
    return Leg(source, leg.amount, leg.psn_no or None, leg.rank, leg.pool_id or None, leg.name)


def leg_key(leg: Leg | PayLeg) -> tuple[str, int | None, str, Decimal]:
    """What identifies a leg across plugin and platform: source, rank, who (funder/pool), amount."""
    who = leg.pool_id if leg.source == "pool" else (leg.psn_no if leg.source == "funder" else "")
    return leg.source, leg.rank if leg.source == "funder" else None, who or "", leg.amount


def plan_difference(plan: PayerPlan, reported: Settlement) -> str:
    """'' when the platform's figures are the plan. Legs are compared when the platform lists them
    (⊕ payleg[]); a platform without that extension is held to its standard totals instead."""
    if reported.payleg_reported:
        return first_leg_difference(plan.legs, reported.payleg)
    for name, mine in (("acct_pay", plan.acct_pay), ("acct_mulaid_pay", plan.acct_mulaid_pay),
                       ("wallet_pay", plan.wallet_pay)):
        theirs = reported.amount(name)
        if mine != theirs:
            return f"{name} 本地 {mine:f} / 平台 {theirs:f}"
    return ""


def first_leg_difference(planned: Sequence[Leg], reported: Sequence[PayLeg]) -> str:
    """'' when equal, else a readable description of the first differing leg."""
    reported = [leg for leg in reported if leg.amount != 0]
    for index in range(max(len(planned), len(reported))):
        mine = leg_key(planned[index]) if index < len(planned) else None
        theirs = leg_key(reported[index]) if index < len(reported) else None
        if mine != theirs:
            return f"第 {index + 1} 段 本地 {_describe(mine)} / 平台 {_describe(theirs)}"
    return ""


def _describe(key: tuple[str, int | None, str, Decimal] | None) -> str:
    if key is None:
        return "无"
    source, rank, _, amount = key
    return f"{source}{'#' + str(rank) if rank else ''} {amount:f}"
