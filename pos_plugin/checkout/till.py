"""The till: the counter's use cases together with the sale book, so that a sale made through any front end
(Python API, `pos-plugin` CLI, the local agent) can be revoked, refunded or reprinted by any other on the
same terminal state.

A sale with no insurable line makes no platform settlement (docs/domain.md §2.1): it is booked under a
local sale id (`LOCAL-...`) and revoking or refunding it gives the cash back at the till, sending nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from pos_plugin.checkout.identify import Patient
from pos_plugin.checkout.sale import (
    NO_PLAN,
    Confirm,
    Counter,
    Order,
    Quote,
    ResettleFailed,
    Sale,
    as_flow,
    leg_from_platform,
)
from pos_plugin.checkout.sale_receipt import receipt_for_sale
from pos_plugin.checkout.visit import VisitDesk
from pos_plugin.domain.cart import CartLine, cart_line_from_mapping, split_cart
from pos_plugin.domain.payer_chain import Choices, Leg
from pos_plugin.errors import AlreadyRevoked, IdentityMismatch, InputError, PosError
from pos_plugin.journal.recovery import Recovery, Resolution
from pos_plugin.journal.sales import LOCAL_PREFIX, SaleBook, SaleRecord
from pos_plugin.journal.store import SALE_REVOKES, SALE_SETTLES, Entry, Journal
from pos_plugin.journal.uploads import SalesUploads
from pos_plugin.journal.visits import VisitBook
from pos_plugin.platform.models import Settlement
from pos_plugin.receipt import Receipt, SettlementFigures, render_receipt

STANDING_TITLE = "医保结算凭条（分项与确认不一致，待撤销）"
RECOVERED_TITLE = "医保结算凭条（补记）"
RECOVERED_NOTE = "本单结算时本机中断，按平台结算补记；非医保商品不在其中"


@dataclass(frozen=True)
class BookedSale:
    """A sale as the sale book holds it: the id the cashier uses later, and the printed receipt."""

    sale: Sale
    sale_id: str
    receipt: str

    @property
    def setl_id(self) -> str:
        return self.sale.setl_id

    @property
    def legs(self) -> tuple[Leg, ...]:
        return self.sale.legs

    @property
    def cash_total(self) -> Decimal:
        return self.sale.cash_total


@dataclass(frozen=True)
class Revoked:
    """A whole sale given back: `settlement` is the platform's revoke (None when nothing was sent)."""

    sale_id: str
    settlement: Settlement | None
    cash_back: Decimal


@dataclass(frozen=True)
class Recovered:
    """What `Till.recover` did: the unknown outcomes resolved, and the charged sales it booked late."""

    resolutions: list[Resolution]
    booked: list[SaleRecord]
    uploads_sent: int = 0  # sales uploads (3505/3506) sent again
    uploads_pending: int = 0  # still not accepted

    @property
    def unresolved(self) -> bool:
        return any(item.outcome == "unresolved" for item in self.resolutions)


@dataclass(frozen=True)
class Refunded:
    """A partial refund: the original revoked, the kept lines booked again (None when nothing was kept)."""

    original: SaleRecord
    revoked: Revoked
    new: BookedSale | None


class Till:
    """One terminal's checkout service: `Counter` for the platform, `SaleBook` for what was sold."""

    def __init__(self, counter: Counter, sales: SaleBook, institution_name: str,
                 recovery: Recovery | None = None, uploads: SalesUploads | None = None,
                 visits: VisitBook | None = None) -> None:
        self.counter = counter
        self.sales = sales
        self.institution_name = institution_name
        self.recovery = recovery
        self.uploads = uploads  # the sales upload (3505/3506); a failure never undoes the sale
        # the outpatient visits step by step (checkout/visit.py); an outpatient checkout is a shortcut on them
        self.outpatient = VisitDesk(self, visits) if visits is not None else None

    @property
    def journal(self) -> Journal | None:
        return self.recovery.journal if self.recovery else None

    # -- sell ---------------------------------------------------------------------------------
    def checkout(self, patient: Patient, order: Order, confirm: Confirm) -> BookedSale:
        """Quote, confirm, settle (see `Counter.checkout`) and book the sale with its receipt. An outpatient cart
        with insurable lines is the visit desk's steps in one call (`VisitDesk.sell`), the visit in its book."""
        if order.flow == "outpatient" and self.outpatient is not None and split_cart(order.lines).insurable:
            return self.outpatient.sell(patient, order, confirm)
        try:
            sale = self.counter.checkout(patient, order, confirm)
        except PosError as failed:
            self.book_standing(failed)
            raise
        return self.book(sale)

    def settle(self, quote: Quote) -> BookedSale:
        """Settle exactly a quote the cashier confirmed (no re-plan here: the caller shows a fresh quote)."""
        try:
            sale = self.counter.settle(quote) if quote.presettle is not None else Sale(quote, None)
        except PosError as failed:
            self.book_standing(failed)
            raise
        return self.book(sale)

    def book(self, sale: Sale, *, title: str = "医保结算凭条") -> BookedSale:
        """Record a sale in the sale book with its receipt; a sale without settlement gets a local id."""
        sale_id = sale.setl_id or f"{LOCAL_PREFIX}{secrets.token_hex(8).upper()}"
        receipt = render_receipt(receipt_for_sale(sale, self.institution_name, title=title, sale_id=sale_id))
        order, patient = sale.quote.order, sale.quote.patient
        self.sales.record(SaleRecord(sale_id, order.flow, order.med_type, patient.psn_no, patient.insuplc,
                                     sale.settlement.mdtrt_id if sale.settlement else "",
                                     order.choices.use_account, order.choices.use_wallet, order.lines, receipt,
                                     "settled"))
        if sale.settlement is not None and self.uploads is not None:
            self.uploads.sold(sale_id, patient.psn_no, patient.insuplc, order.lines)
        return BookedSale(sale, sale_id, receipt)

    def _returned(self, record: SaleRecord) -> None:
        if record.on_platform and self.uploads is not None:
            self.uploads.returned(record.setl_id, record.psn_no, record.insuplc, record.lines)

    def book_standing(self, failed: PosError) -> BookedSale | None:
        """A failure that leaves a settlement in force (its automatic revoke failed) is still booked, with a
        receipt of the legs the platform reported, so the sale can be revoked by its id."""
        sale = failed.details.get("sale")
        if isinstance(sale, Sale) and sale.settlement is not None:
            return self.book(sale, title=STANDING_TITLE)
        return None

    # -- give back ----------------------------------------------------------------------------
    def revoke(self, sale_id: str) -> Revoked:
        """Every leg goes back (2103 / 2208); a sale with no settlement gives its cash back, nothing sent."""
        record = self.settled(sale_id)
        done = None
        if record.on_platform and self.journal is not None:
            code = self.counter.platform.institution.fixmedins_code
            earlier = self.journal.revoke_in_effect(sale_id, institution=code)
            if earlier is not None:  # the journal holds its answered revoke: never send a second one
                self.sales.mark_revoked(sale_id)
                raise AlreadyRevoked(f"结算 {sale_id} 已撤销（流水号 {earlier.msgid}），不能重复撤销")
        if record.on_platform:
            done = self.counter.revoke_settlement(as_flow(record.flow), setl_id=sale_id, mdtrt_id=record.mdtrt_id,
                                                  psn_no=record.psn_no, insuplc=record.insuplc)
        self.sales.mark_revoked(sale_id)
        self._returned(record)
        return Revoked(sale_id, done, _cash_back(record, done))

    def refund(self, sale_id: str, patient: Patient, returned_codes: Sequence[str], confirm: Confirm) -> Refunded:
        """Partial refund: revoke the sale, settle the kept lines against today's balances, book both."""
        record = self.settled(sale_id)
        if patient.psn_no != record.psn_no:
            raise IdentityMismatch("出示的凭证不是原交易的参保人，不能退货")
        old = sale_from_record(record, patient)
        if not record.on_platform:
            return self._refund_locally(record, old, returned_codes, confirm)
        try:
            revoked, new = self.counter.refund(old, returned_codes, confirm)
        except ResettleFailed as failed:  # the original is revoked on the platform: the sale book must say so
            self.sales.mark_revoked(sale_id)
            self._returned(record)
            self.book_standing(failed)
            raise
        self.sales.mark_revoked(sale_id)
        self._returned(record)
        booked = self.book(new, title="医保结算凭条（退货后重结）") if new.quote.order.lines else None
        return Refunded(record, Revoked(sale_id, revoked, _cash_back(record, revoked)), booked)

    def _refund_locally(self, record: SaleRecord, old: Sale, returned_codes: Sequence[str],
                        confirm: Confirm) -> Refunded:
        kept = self.counter.kept_lines(old, returned_codes)
        quote = Quote(old.quote.patient, replace(old.quote.order, lines=kept), split_cart(kept), None, NO_PLAN)
        if kept and not confirm(quote):
            raise InputError("收银员取消了退货，原交易保持不变")
        self.sales.mark_revoked(record.setl_id)
        new = self.book(Sale(quote, None), title="收银凭条（退货后）") if kept else None
        return Refunded(record, Revoked(record.setl_id, None, _cash_back(record, None)), new)

    # -- after a crash ----------------------------------------------------------------------------
    def recover(self) -> Recovered:
        """Resolve the journal's unknown outcomes, then book every charged settlement the sale book lacks
        (a crash after the reply, before booking), each with a receipt to reprint; mark revoked every sale
        whose answered revoke the sale book missed; queue the sales uploads a crash kept from being queued,
        and send every pending one again."""
        if self.recovery is None:
            raise InputError("本终端未启用交易日志，无法恢复")
        resolutions = self.recovery.recover()
        journal = self.recovery.journal
        booked = [self._book_from_journal(e) for e in journal.unbooked_settlements()]
        code = self.uploads.client.institution.fixmedins_code if self.uploads is not None else ""
        for entry in journal.answered(SALE_REVOKES, institution=code):  # a crash after the revoke's reply
            record = self.sales.find(entry.orig_setl_id or "")
            if record is not None and record.state == "settled":
                self.sales.mark_revoked(record.setl_id)
        if self.uploads is None:
            return Recovered(resolutions, booked)
        queued_now = self._queue_missing_uploads(journal, self.uploads, code)
        sent, pending = self.uploads.resend()
        return Recovered(resolutions, booked, queued_now + sent, pending)

    def _queue_missing_uploads(self, journal: Journal, uploads: SalesUploads, institution: str) -> int:
        """A crash between booking a sale (or its revoke) and queueing its upload left no upload to resend:
        queue the 3505 of every sale this terminal settled and the 3506 of every sale it revoked that its
        upload book lacks (the platform stores a line number once, so nothing is uploaded twice). Returns how
        many of them the platform accepted now."""
        queued, sent = uploads.queued(), 0
        for infno, infnos in (("3505", SALE_SETTLES), ("3506", SALE_REVOKES)):
            entries = journal.answered(infnos, institution=institution)
            for entry in entries:
                setl_id = (entry.setl_id if infno == "3505" else entry.orig_setl_id) or ""
                record = self.sales.find(setl_id) if (setl_id, infno) not in queued else None
                if record is None or (infno == "3506" and record.state != "revoked"):
                    continue
                queue = uploads.sold if infno == "3505" else uploads.returned
                accepted = queue(record.setl_id, record.psn_no, record.insuplc, record.lines)
                sent += accepted and any(line.insurable for line in record.lines)
        return sent

    def _book_from_journal(self, entry: Entry) -> SaleRecord:
        data = entry.request.get("input", {})
        head = data.get("druginfo") or data.get("data") or {}
        lines = _lines_sent(data.get("drugdetail") or [])
        settled = Settlement.from_output(entry.reply, entry.msgid)
        figures = SettlementFigures(*(settled.amount(name) for name in (
            "medfee_sumamt", "fund_pay_sumamt", "psn_part_amt", "acct_pay", "acct_mulaid_pay", "wallet_pay",
            "psn_cash_pay")))
        info = settled.setlinfo
        receipt = render_receipt(Receipt(
            self.institution_name, str(info.get("setl_time") or ""), str(info.get("psn_name") or ""),
            str(info.get("certno") or ""), settled.setl_id, lines, figures,
            tuple(leg_from_platform(leg) for leg in settled.payleg), title=RECOVERED_TITLE, notes=(RECOVERED_NOTE,)))
        record = SaleRecord(settled.setl_id, "pharmacy" if entry.infno == "2102" else "outpatient",
                            str(info.get("med_type") or head.get("med_type") or ""), entry.psn_no, entry.insuplc,
                            settled.mdtrt_id, str(head.get("acct_used_flag", "1")) == "1",
                            figures.wallet_pay != 0, lines, receipt, "settled")
        self.sales.record(record)
        if self.uploads is not None:
            self.uploads.sold(record.setl_id, record.psn_no, record.insuplc, record.lines)
        return record

    # -- look up --------------------------------------------------------------------------------
    def receipt(self, sale_id: str) -> str:
        """The receipt as printed, marked when the sale was revoked since."""
        record = self.sales.get(sale_id)
        return record.receipt + ("（该结算已撤销）\n" if record.state == "revoked" else "")

    def settled(self, sale_id: str) -> SaleRecord:
        """The sale book's record of a sale still in force; a revoked one is refused."""
        record = self.sales.get(sale_id)
        if record.state != "settled":
            raise AlreadyRevoked(f"结算 {sale_id} 已撤销")
        return record


def _cash_back(record: SaleRecord, revoked: Settlement | None) -> Decimal:
    """What the till hands back when a sale is given back: its goods outside insurance, and the cash part
    of the settlement the platform revoked (revokes carry negated amounts)."""
    cash = split_cart(record.lines).outside_settlement
    return cash if revoked is None else cash + revoked.amount("psn_cash_pay").copy_abs()


def sale_from_record(record: SaleRecord, patient: Patient) -> Sale:
    """A booked sale as the counter's `Sale` again (the ids it needs to revoke, the lines it sold)."""
    order = Order(record.lines, as_flow(record.flow), record.med_type, Choices(record.use_account, record.use_wallet))
    quote = Quote(patient, order, split_cart(record.lines), None, NO_PLAN)
    if not record.on_platform:
        return Sale(quote, None)
    return Sale(quote, Settlement({"setl_id": record.setl_id, "mdtrt_id": record.mdtrt_id, "psn_no": record.psn_no}))


def _lines_sent(rows: list[dict[str, object]]) -> tuple[CartLine, ...]:
    """The insurable lines as a 2102 sent them (drugdetail), for a sale booked from the journal."""
    return tuple(cart_line_from_mapping({"code": row.get("med_list_codg") or row.get("medins_list_codg"),
                                         "name": row.get("medins_list_name") or row.get("med_list_codg"),
                                         "qty": row.get("cnt"), "price": row.get("pric"),
                                         "trace_codes": _codes_sent(row), "item": _item_sent(row)}) for row in rows)


def _item_sent(row: dict[str, object]) -> str:
    """The pharmacy's item code the line was sent under (medins_list_codg), when it is not the insurance code."""
    item, code = str(row.get("medins_list_codg") or ""), str(row.get("med_list_codg") or "")
    return item if item and item != code else ""


def _codes_sent(row: dict[str, object]) -> list[str]:
    nodes = row.get("drugtracinfo")
    return [str(n["drug_trac_codg"]) for n in nodes if isinstance(n, dict)] if isinstance(nodes, list) else []
