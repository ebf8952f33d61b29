"""The agent's use cases over one terminal: one sale at a time, the cashier's explicit confirmation.

A new quote (`open_sale`) replaces the terminal's open quote (the cashier changed the cart or the
patient): the old one is abandoned (an outpatient visit it opened is closed) and its id is stale from
then on. Confirming settles exactly the quoted legs; if the platform refuses because a balance moved,
nothing was settled and the fresh quote becomes the open one (`BalanceMoved` carries it). Every call runs
under one lock, so two requests never interleave on the terminal's platform session.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from pos_plugin import dayend
from pos_plugin.agent import wire
from pos_plugin.agent.errors import BalanceMoved, PatientUnknown, QuoteStale
from pos_plugin.catalogue import fetch_reviews, sync_catalogue, upload_mappings
from pos_plugin.catalogue.book import CHK_STAS
from pos_plugin.catalogue.sync import mappings_of
from pos_plugin.checkout.identify import BUSINESS_TYPE, Credential, Expected, Patient, identify
from pos_plugin.checkout.sale import Counter, Order, Quote, as_flow
from pos_plugin.checkout.till import BookedSale
from pos_plugin.config import Terminal
from pos_plugin.credentials import credential_among, credential_in_image
from pos_plugin.domain.cart import split_cart
from pos_plugin.errors import BusinessError, InputError, PosError, UnknownOutcome
from pos_plugin.qr import classify, decode_image


@dataclass
class OpenQuote:
    quote_id: str
    quote: Quote


WHO = ("patient_id", "code", "certno", "patient_name", "patient_certno")  # who a request names


class AgentService:
    def __init__(self, terminal: Terminal) -> None:
        self.terminal = terminal
        self.lock = threading.RLock()
        self.patients: dict[str, Patient] = {}
        self.open: OpenQuote | None = None

    # -- who ------------------------------------------------------------------------------------
    def scan(self, image: bytes) -> dict[str, Any]:
        """Every code in the picture, classified; `credential` is the one insurance code, if any."""
        codes = decode_image(image)
        found = [{"text": text, "kind": str(kind.kind), "message": kind.message}
                 for text, kind in ((text, classify(text)) for text in codes)]
        try:
            credential: str | None = credential_among(codes).value
        except PosError:
            credential = None  # the codes say what they are; identify refuses them with the reason
        return {"codes": found, "credential": credential}

    def identify(self, body: dict[str, Any]) -> dict[str, Any]:
        wire.closed(body, "Credential")
        credential, expected = wire.credential_of(body)
        flow = wire.text_field(body, "flow", "pharmacy") or "pharmacy"
        return self._identify(credential, expected, flow)

    def identify_image(self, image: bytes, flow: str) -> dict[str, Any]:
        return self._identify(credential_in_image(image), Expected(), flow)

    def _identify(self, credential: Credential, expected: Expected, flow: str) -> dict[str, Any]:
        if flow not in BUSINESS_TYPE:
            as_flow(flow)  # raises the checkout's own refusal
        with self.lock:
            patient = identify(self.terminal.client, credential, expected=expected, business_type=BUSINESS_TYPE[flow])
            patient_id = "P-" + secrets.token_hex(8)
            self.patients[patient_id] = patient
            return wire.patient_json(patient_id, patient)

    def patient_of(self, body: dict[str, Any], flow: str) -> Patient:
        patient_id = wire.text_field(body, "patient_id")
        if patient_id:
            if patient_id not in self.patients:
                raise PatientUnknown()
            return self.patients[patient_id]
        credential, expected = wire.credential_of(body)
        with self.lock:
            return identify(self.terminal.client, credential, expected=expected, business_type=BUSINESS_TYPE[flow])

    # -- sell -----------------------------------------------------------------------------------
    def open_sale(self, body: dict[str, Any]) -> dict[str, Any]:
        """A new quote replaces the open one only once it stands: a refused quote leaves the open one as it was."""
        wire.closed(body, "SaleRequest")
        order = wire.order_of(body, self.terminal.catalogue, self.terminal.client.clock().date().isoformat())
        patient = self.patient_of(body, order.flow)
        with self.lock:
            self.terminal.recovery.clear_backlog(patient.psn_no)
            quote = self._quote(patient, order)
            self._drop_open()
            self.open = OpenQuote("Q-" + secrets.token_hex(8), quote)
            return wire.quote_json(self.open.quote_id, quote)

    def _quote(self, patient: Patient, order: Order) -> Quote:
        """An outpatient cart with insurable lines opens a visit in the visit book (the visit desk's steps);
        anything else is the counter's quote."""
        if order.flow == "outpatient" and split_cart(order.lines).insurable:
            return self.terminal.visit_desk.open(patient, order)
        return self.terminal.counter.quote(patient, order)

    def _settle(self, quote: Quote) -> BookedSale:
        return self.terminal.visit_desk.settle(quote) if quote.mdtrt_id else self.terminal.till.settle(quote)

    def confirm(self, quote_id: str) -> dict[str, Any]:
        """Settle exactly the quoted legs and book the sale; a moved balance gives a fresh quote instead.

        A refusal that moved no money (the platform's own words, an unreachable platform, a lost reply that
        was reversed) leaves the quote open, so the cashier may confirm it again; once money may have moved
        (settled, an unknown outcome the journal resolves, a settlement that stands) it is closed."""
        with self.lock:
            current = self._current(quote_id)
            try:
                booked = settle_confirmed(self.terminal.counter, current.quote, self._settle, self._reopen)
            except PosError as failed:
                if "sale" in failed.details or isinstance(failed, UnknownOutcome):
                    self.open = None  # money may have moved: this quote is never settled again
                raise
            self.open = None
            return wire.sale_json(booked)

    def _reopen(self, fresh: Quote) -> str:
        self.open = OpenQuote("Q-" + secrets.token_hex(8), fresh)
        return self.open.quote_id

    def _current(self, quote_id: str) -> OpenQuote:
        if self.open is None or not secrets.compare_digest(self.open.quote_id.encode(), quote_id.encode()):
            raise QuoteStale(f"报价 {quote_id} 已失效或不属于本终端，请重新报价")
        return self.open

    def _drop_open(self) -> None:
        if self.open is not None:
            self.terminal.visit_desk.abandon(self.open.quote)
            self.open = None

    # -- give back, look up ---------------------------------------------------------------------
    def revoke(self, sale_id: str) -> dict[str, Any]:
        with self.lock:
            return wire.revoked_json(self.terminal.till.revoke(sale_id))

    def refund(self, sale_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """The request is the cashier's confirmation: the kept lines are settled again at today's balances."""
        wire.closed(body, "RefundRequest")
        codes = wire.codes_of(body)
        with self.lock:
            record = self.terminal.till.settled(sale_id)
            patient = self.patient_of(body, record.flow)
            return wire.refunded_json(self.terminal.till.refund(sale_id, patient, codes, lambda quote: True))

    def receipt(self, sale_id: str) -> dict[str, Any]:
        with self.lock:
            return {"sale_id": sale_id, "receipt": self.terminal.till.receipt(sale_id)}

    def recover(self) -> dict[str, Any]:
        with self.lock:
            done = self.terminal.till.recover()
            stays = self.terminal.desk.book_from_journal()  # answered 2304s the stay book lacked
        items = [{"outcome": r.outcome, "infno": r.infno, "msgid": r.msgid, "message": r.message}
                 for r in done.resolutions]
        booked = [{"sale_id": record.setl_id, "receipt": record.receipt} for record in done.booked]
        booked += [{"sale_id": stay.setl_id or "", "receipt": stay.receipt} for stay in stays]
        return {"resolutions": items, "unresolved": sum(r.outcome == "unresolved" for r in done.resolutions),
                "booked": booked}

    def reconcile(self, body: dict[str, Any]) -> dict[str, Any]:
        wire.closed(body, "ReconcileRequest")
        begin = _day(body, "date") or date.today()
        end = _day(body, "end") or begin
        refunds = body.get("with_refunds", False)
        if not isinstance(refunds, bool):
            raise InputError("字段 with_refunds 必须是 true/false")
        with self.lock:
            report = dayend.reconcile(self.terminal.client, self.terminal.journal, begin, end,
                                      refd_setl_flag="1" if refunds else "0")
        return {"begin": begin.isoformat(), "end": end.isoformat(), "balanced": report.balanced,
                "report": dayend.render_report(report)}

    def catalogue_sync(self) -> dict[str, Any]:
        with self.lock:
            result = sync_catalogue(self.terminal.client, self.terminal.catalogue)
        return {"fetched": result.fetched, "total": result.total, "version": result.version}

    def catalogue_map(self, body: dict[str, Any]) -> dict[str, Any]:
        wire.closed(body, "MappingRequest")
        if set(body) != {"mappings"}:
            raise InputError("请求体须为 {\"mappings\": [{item, med_list_codg, name?, list_type?}, …]}")
        mappings = mappings_of(body["mappings"])
        with self.lock:
            count = upload_mappings(self.terminal.client, self.terminal.catalogue, mappings,
                                    begndate=self.terminal.client.clock().date().isoformat())
            states = {m.chk_stas for m in self.terminal.catalogue.mappings(m.item for m in mappings).values()}
        return {"mapped": count, "chk_stas": states.pop() if len(states) == 1 else ""}

    def catalogue_mapping_states(self) -> dict[str, Any]:
        """The terminal's mappings with the platform's review of each, asked afresh (1317)."""
        with self.lock:
            fetch_reviews(self.terminal.client, self.terminal.catalogue)
            rows = self.terminal.catalogue.mappings().values()
        return {"mappings": [{"item": m.item, "med_list_codg": m.med_list_codg, "name": m.name,
                              "list_type": m.list_type, "chk_stas": m.chk_stas, "chk_stas_name": CHK_STAS[m.chk_stas],
                              "chk_memo": m.chk_memo} for m in rows]}

    def health(self) -> dict[str, Any]:
        """The agent is up; `ok` also says the platform answers. The probe is one HTTP request that moves
        nothing (no envelope is sent); the sign-in state is the terminal's cache of today's 9001."""
        s = self.terminal.settings
        client = self.terminal.client
        try:
            client.transport.probe()
            problem: dict[str, str] | None = None
        except PosError as exc:
            problem = {"code": exc.code, "message": exc.message}
        signed = client.signed_in()
        return {"ok": problem is None, "institution": s.fixmedins_code, "institution_name": s.fixmedins_name,
                "terminal": s.terminal, "open_quote": self.open.quote_id if self.open else None,
                "platform": {"url": s.platform_url, "reachable": problem is None, "error": problem,
                             "timeout_seconds": client.transport.timeouts.read},
                "signed_in": signed is not None, "sign_in_time": signed.sign_time if signed else None}


def settle_confirmed(counter: Counter, quote: Quote, settle: Callable[[Quote], BookedSale],
                     reopen: Callable[[Quote], str]) -> BookedSale:
    """Settle exactly the quote the cashier confirmed (a sale's, a visit's). When the platform refuses because a
    balance moved nothing was settled: the fresh quote is held (`reopen` gives its id) and answered 409
    ERR_BALANCE_MOVED for the cashier to confirm instead; any other refusal stands in the platform's words."""
    try:
        return settle(quote)
    except BusinessError as refused:
        fresh = counter.requote_after(quote, refused)  # or the refusal again
        raise BalanceMoved(quote=wire.quote_json(reopen(fresh), fresh)) from None


_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _day(body: dict[str, Any], name: str) -> date | None:
    """An optional date field: absent is None; given, it must be a date (an empty string is not one)."""
    if name not in body:
        return None
    text = wire.text_field(body, name)
    try:
        if not _DAY.fullmatch(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InputError(f"字段 {name} 的日期格式应为 YYYY-MM-DD: {text!r}") from exc

