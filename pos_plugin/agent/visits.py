"""The agent's outpatient visits step by step (docs/agent-api.md "Outpatient visits"): register with the desk's
department, doctor, category and diagnoses, the fee batches (each batch's split back), delete a batch, the quote
the cashier confirms, settle exactly it, revoke, cancel — over the terminal's visit desk (checkout/visit.py),
shared with `pos-plugin visit` and the Python `VisitDesk`.

Every request body is closed: a field the route does not define is refused (422 ERR_UNKNOWN_FIELD), never
ignored. A quote is confirmed once; a new quote, a fee batch, a delete or a cancel of the visit makes it stale.
The confirmation is a sale's: a quote the platform refuses because a balance moved answers 409
ERR_BALANCE_MOVED with the fresh quote to confirm instead (`settle_confirmed`).
"""

from __future__ import annotations

import secrets
from typing import Any

from pos_plugin.agent import wire
from pos_plugin.agent.errors import QuoteStale
from pos_plugin.agent.service import WHO, settle_confirmed
from pos_plugin.checkout.sale import Quote
from pos_plugin.domain.money import format_amount
from pos_plugin.domain.payer_chain import Choices
from pos_plugin.errors import InputError, PosError, UnknownOutcome
from pos_plugin.journal.visits import VISIT_STATES, VisitFee, VisitRecord
from pos_plugin.platform.models import SETLINFO_FIELDS
from pos_plugin.present import mask_name


class VisitAgent:
    """The visit routes' use cases; shares the agent service's lock and identified patients."""

    def __init__(self, service: Any) -> None:
        self.service = service
        self.desk = service.terminal.visit_desk
        self.quotes: dict[str, tuple[str, Quote]] = {}  # mdtrt_id -> (quote_id, quote)

    def register(self, body: dict[str, Any]) -> dict[str, Any]:
        wire.closed(body, "VisitRequest")
        details = wire.visit_of(body.get("visit"))
        med_type = wire.text_field(body, "med_type") or "11"
        with self.service.lock:
            patient = self.service.patient_of({k: v for k, v in body.items() if k in WHO}, "outpatient")
            return visit_json(self.desk.register(patient, details, med_type=med_type))

    def fees(self, mdtrt_id: str, body: dict[str, Any]) -> dict[str, Any]:
        wire.closed(body, "VisitFeesRequest")
        terminal = self.service.terminal
        lines = wire.lines_of(body, terminal.catalogue, terminal.client.clock().date().isoformat())
        with self.service.lock:
            added = self.desk.add_fees(mdtrt_id, lines)
            self.quotes.pop(mdtrt_id, None)
            return {"mdtrt_id": mdtrt_id, "batch": added[0].batch, "fees": [fee_json(fee) for fee in added]}

    def delete(self, mdtrt_id: str, batch: str, body: dict[str, Any]) -> dict[str, Any]:
        wire.closed(body, "Empty")
        with self.service.lock:
            deleted = self.desk.delete_fees(mdtrt_id, batch)
            self.quotes.pop(mdtrt_id, None)
            return {"mdtrt_id": mdtrt_id, "deleted": deleted}

    def cancel(self, mdtrt_id: str, body: dict[str, Any]) -> dict[str, Any]:
        wire.closed(body, "Empty")
        with self.service.lock:
            record = self.desk.cancel(mdtrt_id)
            self.quotes.pop(mdtrt_id, None)
            return visit_json(record)

    def quote(self, mdtrt_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """2206: the split table and the payer chain; nothing moves. Replaces the visit's earlier quote."""
        wire.closed(body, "VisitQuoteRequest")
        choices = Choices(wire.flag(body, "use_account"), wire.flag(body, "use_wallet"))
        with self.service.lock:
            patient = self.service.patient_of({k: v for k, v in body.items() if k in WHO}, "outpatient")
            self.service.terminal.recovery.clear_backlog(patient.psn_no)
            quote = self.desk.quote(mdtrt_id, patient, choices)
            return quote_json(self._hold(mdtrt_id, quote), quote)

    def _hold(self, mdtrt_id: str, quote: Quote) -> str:
        quote_id = "VQ-" + secrets.token_hex(8)
        self.quotes[mdtrt_id] = (quote_id, quote)
        return quote_id

    def settle(self, mdtrt_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """The cashier confirmed exactly this quote: settle it (2207, once)."""
        wire.closed(body, "VisitSettleRequest")
        quote_id = wire.text_field(body, "quote_id")
        with self.service.lock:
            held = self.quotes.get(mdtrt_id)
            if held is None or not quote_id or not secrets.compare_digest(held[0].encode(), quote_id.encode()):
                raise QuoteStale(f"门诊报价 {quote_id or '(空)'} 已失效或不属于就诊 {mdtrt_id}，请重新预结算")
            try:
                booked = settle_confirmed(self.service.terminal.counter, held[1], self.desk.settle,
                                          lambda fresh: self._hold(mdtrt_id, fresh))
            except PosError as failed:
                if "sale" in failed.details or isinstance(failed, UnknownOutcome):
                    self.quotes.pop(mdtrt_id, None)  # money may have moved: this quote is never settled again
                raise
            self.quotes.pop(mdtrt_id, None)
            return wire.sale_json(booked)

    def revoke(self, mdtrt_id: str, body: dict[str, Any]) -> dict[str, Any]:
        wire.closed(body, "Empty")
        with self.service.lock:
            return wire.revoked_json(self.desk.revoke(mdtrt_id))

    def get(self, mdtrt_id: str) -> dict[str, Any]:
        with self.service.lock:
            record = self.desk.current(mdtrt_id)
            return visit_json(record) | {"fees": [fee_json(fee) for fee in self.desk.fees(mdtrt_id, with_deleted=True)]}

    def list(self, state: str) -> dict[str, Any]:
        if state and state not in VISIT_STATES:
            raise InputError(f"state 取值无效: {state!r}（{'/'.join(VISIT_STATES)}）")
        with self.service.lock:
            return {"visits": [visit_json(record) for record in self.desk.all(state or None)]}


def visit_json(record: VisitRecord) -> dict[str, Any]:
    d = record.details
    return {"mdtrt_id": record.mdtrt_id, "psn_no": record.psn_no, "patient": mask_name(record.patient_name),
            "visit_no": record.visit_no, "med_type": record.med_type,
            "visit": {"dept_code": d.dept_code, "dept_name": d.dept_name, "doctor_code": d.doctor_code,
                      "doctor_name": d.doctor_name, "caty": d.caty,
                      "diagnoses": [{"code": x.code, "name": x.name} for x in d.diagnoses]},
            "state": record.state, "begntime": record.begntime, "setl_id": record.setl_id}


def fee_json(fee: VisitFee) -> dict[str, Any]:
    return {"feedetl_sn": fee.feedetl_sn, "batch": fee.batch, "line": wire.line_json(fee.line),
            "split": {k: str(v) for k, v in fee.split.items()}, "deleted": fee.deleted}


def quote_json(quote_id: str, quote: Quote) -> dict[str, Any]:
    """A sale's quote (the line-split table, the figures, the planned legs, the cash) with the visit's id and
    the whole 2206 split."""
    return wire.quote_json(quote_id, quote) | {
        "mdtrt_id": quote.mdtrt_id, "split": {name: format_amount(quote.figure(name)) for name in SETLINFO_FIELDS}}
