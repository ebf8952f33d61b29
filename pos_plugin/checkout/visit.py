"""The hospital billing desk's outpatient visit, step by step (docs/domain.md §2.8):
register with the department, doctor, category and diagnoses the desk supplies (2201 + 2203), upload the fee
lines in batches as orders are made (2204, each batch's split back; across till restarts — the open visit lives
in the visit book), delete a batch (2205), pre-settle (2206: the split table and the payer chain for the cashier
to confirm), settle exactly the confirmed quote (2207, journaled: a lost reply is reversed as in every checkout),
revoke (2208), cancel a registration not settled (2202).

The platform steps are checkout/outpatient.py's and the money is the Counter's and the Till's (quote, confirm,
settle, book, receipt), the very code the one-call checkout runs: `sell` is that checkout, as a shortcut on these
steps. Every refusal is the till's own, from its books, before anything is sent, with the platform's code for the
same rule (ERR_VISIT_UNKNOWN, ERR_VISIT_CANCELLED, ERR_VISIT_HAS_SETTLEMENT, ERR_ALREADY_SETTLED, ERR_NO_FEE_LINES).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from pos_plugin.checkout import outpatient
from pos_plugin.checkout.identify import Patient
from pos_plugin.checkout.requests_build import TIME, VisitDetails
from pos_plugin.checkout.sale import NO_PLAN, Confirm, Counter, Order, Quote, Sale
from pos_plugin.domain.cart import CartLine, split_cart
from pos_plugin.domain.payer_chain import Choices
from pos_plugin.errors import (
    AlreadySettled,
    IdentityMismatch,
    InputError,
    NoFeeLines,
    PosError,
    SettlementUnknown,
    VisitCancelled,
    VisitHasSettlement,
    VisitUnknown,
)
from pos_plugin.journal.fees import fees_from_result
from pos_plugin.journal.visits import VisitBook, VisitFee, VisitRecord
from pos_plugin.platform import PlatformClient

if TYPE_CHECKING:
    from pos_plugin.checkout.till import BookedSale, Revoked, Till

CONSENT = Choices()  # the accounts and the wallet may pay (the patient did not decline)
PLAIN_DESK = VisitDetails()  # a plain outpatient desk: no doctor named, no diagnosis
ALL_BATCHES = outpatient.ALL_BATCHES


class VisitDesk:
    """One terminal's outpatient visits: the till (counter, sale book, journal) and the visit book."""

    def __init__(self, till: Till, visits: VisitBook, clock: Callable[[], datetime] | None = None) -> None:
        self.till = till
        self.visits = visits
        self._clock = clock

    @property
    def counter(self) -> Counter:
        """The till's counter, read through the till: one counter for the one-call checkout and the steps."""
        return self.till.counter

    @property
    def platform(self) -> PlatformClient:
        return self.till.counter.platform

    def clock(self) -> datetime:
        return self._clock() if self._clock else self.till.counter.clock()

    # -- open ----------------------------------------------------------------------------------
    def register(self, patient: Patient, details: VisitDetails = PLAIN_DESK, *, med_type: str = "11",
                 at: datetime | None = None) -> VisitRecord:
        """2201 with the desk's department, doctor and category, 2203 with the diagnoses; booked `registered`."""
        now = at or self.clock()
        visit = outpatient.register(self.platform, patient, details, med_type, now)
        record = VisitRecord(visit.mdtrt_id, patient.psn_no, patient.insuplc, patient.insutype, patient.name,
                             visit.visit_no, med_type, details, now.strftime(TIME), "registered", None)
        self.visits.registered(record)
        return record

    def add_fees(self, mdtrt_id: str, lines: Sequence[CartLine], *, at: datetime | None = None) -> list[VisitFee]:
        """2204: one batch of the visit's fee lines (its own `chrg_bchno`); each line with the platform's split."""
        visit = self.open_visit(mdtrt_id, "上传费用")
        if not lines:
            raise InputError("本批没有费用明细")
        outside = [line.code for line in lines if not line.insurable]
        if outside:
            raise InputError(f"门诊费用须为医保结算的项目（目录内或丙类自费），非医保商品在收银时另收现金: {', '.join(outside)}")
        now = at or self.clock()
        batch = f"{self.visits.ledger.batches(mdtrt_id) + 1:04d}"
        first = self.visits.ledger.count(mdtrt_id) + 1
        result = outpatient.upload(self.platform, mdtrt_id=mdtrt_id, psn_no=visit.psn_no, insuplc=visit.insuplc,
                                   lines=lines, now=now, details=visit.details, batch=batch, first=first)
        sns = [f"{n:04d}" for n in range(first, first + len(lines))]
        fees = fees_from_result(sns, batch, now.strftime(TIME), lines, result)
        self.visits.ledger.add(mdtrt_id, fees)
        return fees

    def delete_fees(self, mdtrt_id: str, batch: str) -> int:
        """2205: the unsettled lines of one batch (`0000`: every batch) of a visit not settled."""
        visit = self.open_visit(mdtrt_id, "删除费用")
        if batch != ALL_BATCHES and batch not in {fee.batch for fee in self.visits.ledger.of(mdtrt_id)}:
            raise InputError(f"就诊 {mdtrt_id} 没有未删除的费用批次 {batch}（见 pos-plugin visit show）")
        deleted = outpatient.delete(self.platform, mdtrt_id=mdtrt_id, psn_no=visit.psn_no, insuplc=visit.insuplc,
                                    batch=batch)
        self.visits.ledger.delete(mdtrt_id, "batch", batch)
        return deleted

    def cancel(self, mdtrt_id: str) -> VisitRecord:
        """2205 + 2202: a registration not settled is cancelled, its fee lines with it."""
        visit = self.open_visit(mdtrt_id, "撤销挂号")
        outpatient.cancel(self.platform, mdtrt_id=mdtrt_id, psn_no=visit.psn_no, insuplc=visit.insuplc,
                          visit_no=visit.visit_no)
        self.visits.ledger.delete(mdtrt_id, "batch", ALL_BATCHES)
        self.visits.set_state(mdtrt_id, "cancelled")
        return self.visits.get(mdtrt_id)

    # -- the money -----------------------------------------------------------------------------
    def quote(self, mdtrt_id: str, patient: Patient, choices: Choices = CONSENT, *,
              cart: Sequence[CartLine] | None = None) -> Quote:
        """2206 over the visit's uploaded lines and the plugin's own payer chain: what the cashier confirms (it
        changes nothing). `cart`: the whole cart of a one-call checkout, whose insurable lines are the visit's."""
        visit = self.open_visit(mdtrt_id, "结算", settled=AlreadySettled)
        if patient.psn_no != visit.psn_no:
            raise IdentityMismatch("出示的凭证不是该就诊患者本人，不能结算")
        fees = tuple(fee.line for fee in self.visits.ledger.of(mdtrt_id))
        if not fees:
            raise NoFeeLines(f"就诊 {mdtrt_id} 没有待结算的费用明细，请先上传（2204）")
        lines = tuple(cart) if cart is not None else fees
        order = Order(lines, "outpatient", visit.med_type, choices, visit.details)
        return self.counter.presettle_visit(Quote(patient, order, split_cart(lines), None, NO_PLAN, mdtrt_id,
                                                  visit.visit_no))

    def settle(self, quote: Quote) -> BookedSale:
        """2207 with exactly the confirmed quote (the till's settle: journal, sale book, receipt); the visit is
        booked settled. Money moves only here, after the cashier's confirmation."""
        self.open_visit(quote.mdtrt_id, "结算", settled=AlreadySettled)
        try:
            booked = self.till.settle(quote)
        except PosError as failed:
            standing = failed.details.get("sale")
            if isinstance(standing, Sale):  # its automatic revoke failed: the settlement stands, booked by the till
                self.visits.set_state(quote.mdtrt_id, "settled", standing.setl_id)
            raise
        self.visits.set_state(quote.mdtrt_id, "settled", booked.sale_id)
        return booked

    def checkout(self, mdtrt_id: str, patient: Patient, confirm: Confirm, choices: Choices = CONSENT, *,
                 cart: Sequence[CartLine] | None = None) -> BookedSale:
        """Quote, the cashier's confirmation, settle; re-planned and confirmed again if a balance moved."""
        if self.counter.recovery:  # an earlier lost reply for this patient is settled first
            self.counter.recovery.clear_backlog(patient.psn_no)
        quote = self.quote(mdtrt_id, patient, choices, cart=cart)
        return self.counter.confirm_and_settle(quote, confirm, self.settle)

    def open(self, patient: Patient, order: Order) -> Quote:
        """Register, upload the cart's insurable lines as one batch, quote (the whole cart: its goods outside
        insurance are cash beside the settlement); a visit whose quote fails is cancelled again."""
        visit = self.register(patient, order.visit, med_type=order.med_type)
        try:
            self.add_fees(visit.mdtrt_id, split_cart(order.lines).insurable)
            return self.quote(visit.mdtrt_id, patient, order.choices, cart=order.lines)
        except BaseException:
            self._abandon(visit)
            raise

    def sell(self, patient: Patient, order: Order, confirm: Confirm) -> BookedSale:
        """The one-call outpatient checkout as a shortcut on the steps: register, one batch of the insurable
        lines, quote, confirm, settle. Whatever stops it, the visit is cancelled again — unless the settlement's
        outcome is unknown (the journal resolves it) or a settlement stands (the error carries the sale)."""
        if self.counter.recovery:  # an earlier lost reply for this patient is settled first
            self.counter.recovery.clear_backlog(patient.psn_no)
        quote = self.open(patient, order)
        return self.counter.settle_or_abandon(quote, confirm, self.settle, self.abandon)

    def abandon(self, quote: Quote) -> None:
        """Close the visit an unconfirmed quote opened (best effort); a visit not in this book goes through the
        counter's own abandon."""
        try:
            visit = self.visits.get(quote.mdtrt_id)
        except VisitUnknown:
            self.counter.abandon(quote)
            return
        if visit.state == "registered":
            self._abandon(visit)

    def _abandon(self, visit: VisitRecord) -> None:
        if outpatient.close(self.platform, mdtrt_id=visit.mdtrt_id, psn_no=visit.psn_no, insuplc=visit.insuplc,
                            visit_no=visit.visit_no):
            self.visits.ledger.delete(visit.mdtrt_id, "batch", ALL_BATCHES)
            self.visits.set_state(visit.mdtrt_id, "cancelled")

    def revoke(self, mdtrt_id: str) -> Revoked:
        """2208: every leg goes back (the till's revoke); the visit is open again with its lines unsettled
        (settle it anew, delete lines, or cancel it)."""
        visit = self.current(mdtrt_id)
        if visit.state == "cancelled":
            raise VisitCancelled(f"就诊 {mdtrt_id} 已撤销挂号，没有可撤销的结算")
        if visit.state != "settled" or not visit.setl_id:
            raise SettlementUnknown(f"就诊 {mdtrt_id} 尚未结算，没有可撤销的结算")
        revoked = self.till.revoke(visit.setl_id)
        self.visits.set_state(mdtrt_id, "registered")
        return revoked

    # -- look up -------------------------------------------------------------------------------
    def current(self, mdtrt_id: str) -> VisitRecord:
        """The visit as the terminal's books stand: a settlement booked late by recovery, or revoked by its
        setl_id (`pos-plugin revoke`), is taken into the visit book first."""
        visit = self.visits.get(mdtrt_id)
        if visit.state == "settled" and visit.setl_id and self.till.sales.get(visit.setl_id).state != "settled":
            self.visits.set_state(mdtrt_id, "registered")
        elif visit.state == "registered":
            booked = self.till.sales.settled_of_visit(mdtrt_id)
            if booked is None:
                return visit
            self.visits.set_state(mdtrt_id, "settled", booked.setl_id)
        else:
            return visit
        return self.visits.get(mdtrt_id)

    def fees(self, mdtrt_id: str, *, with_deleted: bool = False) -> list[VisitFee]:
        self.visits.get(mdtrt_id)
        return self.visits.ledger.of(mdtrt_id, with_deleted=with_deleted)

    def all(self, state: str | None = None) -> list[VisitRecord]:
        return [visit for visit in (self.current(v.mdtrt_id) for v in self.visits.all())
                if state is None or visit.state == state]

    def open_visit(self, mdtrt_id: str, doing: str, settled: type[InputError] = VisitHasSettlement) -> VisitRecord:
        """The visit, still open (registered and not settled); otherwise refused with the rule's code."""
        visit = self.current(mdtrt_id)
        if visit.state == "cancelled":
            raise VisitCancelled(f"就诊 {mdtrt_id} 已撤销挂号，不能{doing}")
        if visit.state == "settled":
            raise settled(f"就诊 {mdtrt_id} 已结算（{visit.setl_id}），不能{doing}；请先撤销结算（2208）")
        return visit
