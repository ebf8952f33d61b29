"""The agent's inpatient stays (docs/agent-api.md "Stays"): admit, the days' fee batches, discharge, the quote the
cashier confirms, settle, revoke, the 出院结算单 — over the terminal's stay desk (checkout/stay.py).

Every request body is closed: a field the route does not define is refused (422 ERR_UNKNOWN_FIELD), never
ignored. A quote is confirmed once; a new quote of the same stay replaces it.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from pos_plugin.agent import wire
from pos_plugin.agent.errors import QuoteStale, UnknownField
from pos_plugin.agent.service import WHO
from pos_plugin.checkout.stay import SettledStay, StayQuote, Ward
from pos_plugin.domain.cart import cart_line_from_mapping
from pos_plugin.domain.money import format_amount
from pos_plugin.domain.payer_chain import Choices
from pos_plugin.errors import InputError
from pos_plugin.journal.stays import StayFee, StayRecord
from pos_plugin.present import mask_name

ADMIT_FIELDS = (*WHO, "ipt_no", "dept_code", "dept_name", "bed", "doctor_code", "doctor_name", "diagnosis_code",
                "diagnosis_name", "begntime")
FEES_FIELDS = ("day", "lines")
LINE_FIELDS = ("code", "name", "class", "qty", "price", "insurable", "selfpay_prop", "price_cap")
DISCHARGE_FIELDS = ("endtime", "way")
QUOTE_FIELDS = (*WHO, "use_account", "use_wallet")
SETTLE_FIELDS = ("quote_id",)
SETTLEMENT_FIGURES = ("medfee_sumamt", "fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt",
                      "act_pay_dedc", "hifp_pay", "fund_pay_sumamt", "psn_part_amt", "acct_pay", "acct_mulaid_pay",
                      "wallet_pay", "psn_cash_pay")


def closed(body: Mapping[str, Any], allowed: tuple[str, ...], where: str = "") -> None:
    """Refuse any key the route does not define, naming it and the fields it has."""
    for key in body:
        if key not in allowed:
            raise UnknownField(f"未知字段 {where}{key}（可用字段: {', '.join(allowed) or '无'}）", field=f"{where}{key}")


class StayAgent:
    """The stay routes' use cases; shares the agent service's lock and identified patients."""

    def __init__(self, service: Any) -> None:
        self.service = service
        self.desk = service.terminal.desk
        self.quotes: dict[str, tuple[str, StayQuote]] = {}  # mdtrt_id -> (quote_id, quote)

    def admit(self, body: dict[str, Any]) -> dict[str, Any]:
        closed(body, ADMIT_FIELDS)
        ward = Ward(_required(body, "ipt_no"), _required(body, "dept_code"), _required(body, "dept_name"),
                    *(wire.text_field(body, name) for name in ("bed", "doctor_code", "doctor_name", "diagnosis_code",
                                                               "diagnosis_name")))
        begntime = _time(wire.text_field(body, "begntime"))
        with self.service.lock:
            patient = self.service.patient_of({k: v for k, v in body.items() if k in WHO}, "outpatient")
            return stay_json(self.desk.admit(patient, ward, begntime=begntime))

    def fees(self, mdtrt_id: str, body: dict[str, Any]) -> dict[str, Any]:
        closed(body, FEES_FIELDS)
        lines = body.get("lines")
        if not isinstance(lines, list) or not lines or not all(isinstance(line, dict) for line in lines):
            raise InputError("本批没有费用明细（lines: [{code, name, qty, price, class}, ...]）")
        for index, line in enumerate(lines, start=1):
            closed(line, LINE_FIELDS, f"lines[{index}].")
        day = _day(wire.text_field(body, "day"))
        with self.service.lock:
            added = self.desk.add_fees(mdtrt_id, tuple(cart_line_from_mapping(line) for line in lines), day=day)
            return {"mdtrt_id": mdtrt_id, "fees": [fee_json(fee) for fee in added]}

    def delete_fee(self, mdtrt_id: str, feedetl_sn: str, body: dict[str, Any]) -> dict[str, Any]:
        closed(body, ())
        with self.service.lock:
            return {"mdtrt_id": mdtrt_id, "deleted": self.desk.delete_fee(mdtrt_id, feedetl_sn)}

    def discharge(self, mdtrt_id: str, body: dict[str, Any]) -> dict[str, Any]:
        closed(body, DISCHARGE_FIELDS)
        endtime = _time(wire.text_field(body, "endtime"))
        with self.service.lock:
            return stay_json(self.desk.discharge(mdtrt_id, endtime=endtime, way=wire.text_field(body, "way", "1")))

    def step(self, mdtrt_id: str, action: str, body: dict[str, Any]) -> dict[str, Any]:
        """cancel-discharge (2405) or cancel (2404)."""
        closed(body, ())
        with self.service.lock:
            self.quotes.pop(mdtrt_id, None)
            act = self.desk.cancel_discharge if action == "cancel-discharge" else self.desk.cancel_admission
            return stay_json(act(mdtrt_id))

    def quote(self, mdtrt_id: str, body: dict[str, Any]) -> dict[str, Any]:
        closed(body, QUOTE_FIELDS)
        choices = Choices(_flag(body, "use_account"), _flag(body, "use_wallet"))
        with self.service.lock:
            patient = self.service.patient_of({k: v for k, v in body.items() if k in WHO}, "outpatient")
            quote = self.desk.quote(mdtrt_id, patient, choices)
            quote_id = "SQ-" + secrets.token_hex(8)
            self.quotes[mdtrt_id] = (quote_id, quote)
            return quote_json(quote_id, quote)

    def settle(self, mdtrt_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """The cashier confirmed exactly this quote: settle it (once)."""
        closed(body, SETTLE_FIELDS)
        quote_id = wire.text_field(body, "quote_id")
        with self.service.lock:
            held = self.quotes.get(mdtrt_id)
            if held is None or not quote_id or not secrets.compare_digest(held[0], quote_id):
                raise QuoteStale(f"住院报价 {quote_id or '(空)'} 已失效或不属于住院 {mdtrt_id}，请重新报价")
            del self.quotes[mdtrt_id]
            return settled_json(self.desk.settle(held[1]))

    def revoke(self, mdtrt_id: str, body: dict[str, Any]) -> dict[str, Any]:
        closed(body, ())
        with self.service.lock:
            done = self.desk.revoke(mdtrt_id)
        return {"mdtrt_id": mdtrt_id, "setl_id": str(done.setlinfo.get("init_setl_id") or ""),
                "legs_returned": [{"source": leg.source, "amount": format_amount(leg.amount.copy_abs())}
                                  for leg in done.payleg if leg.amount != 0],
                "fund_returned": format_amount(done.amount("fund_pay_sumamt").copy_abs()),
                "cash_back": format_amount(done.amount("psn_cash_pay").copy_abs())}

    def get(self, mdtrt_id: str) -> dict[str, Any]:
        with self.service.lock:
            record = self.desk.stays.get(mdtrt_id)
            return stay_json(record) | {"fees": [fee_json(fee) for fee in self.desk.stays.fees(mdtrt_id)]}

    def list(self, state: str) -> dict[str, Any]:
        if state and state not in ("admitted", "discharged", "settled", "cancelled"):
            raise InputError(f"state 取值无效: {state!r}（admitted/discharged/settled/cancelled）")
        with self.service.lock:
            return {"stays": [stay_json(record) for record in self.desk.stays.all(state or None)]}

    def receipt(self, mdtrt_id: str) -> dict[str, Any]:
        with self.service.lock:
            return {"mdtrt_id": mdtrt_id, "receipt": self.desk.receipt(mdtrt_id)}


def stay_json(record: StayRecord) -> dict[str, Any]:
    return {"mdtrt_id": record.mdtrt_id, "psn_no": record.psn_no, "patient": mask_name(record.patient_name),
            "ipt_no": record.ipt_no, "dept_name": record.ward.get("adm_dept_name", ""), "state": record.state,
            "begntime": record.begntime, "endtime": record.endtime, "setl_id": record.setl_id}


def fee_json(fee: StayFee) -> dict[str, Any]:
    return {"feedetl_sn": fee.feedetl_sn, "day": fee.batch, "line": wire.line_json(fee.line),
            "split": {k: str(v) for k, v in fee.split.items()}, "deleted": fee.deleted}


def quote_json(quote_id: str, quote: StayQuote) -> dict[str, Any]:
    """What the cashier confirms at discharge: the split figures, the planned legs, the cash due."""
    return {"quote_id": quote_id, "stay": stay_json(quote.stay),
            "figures": {name: format_amount(quote.figure(name)) for name in SETTLEMENT_FIGURES},
            "legs": [wire.leg_json(leg) for leg in quote.plan.legs],
            "cash_due": format_amount(quote.plan.psn_cash_pay)}


def settled_json(done: SettledStay) -> dict[str, Any]:
    return {"mdtrt_id": done.stay.mdtrt_id, "setl_id": done.settlement.setl_id,
            "setlinfo": {name: format_amount(done.settlement.amount(name)) for name in SETTLEMENT_FIGURES},
            "legs": [wire.leg_json(leg) for leg in done.legs], "cash_due": format_amount(done.cash_due),
            "receipt": done.receipt}


def _required(body: Mapping[str, Any], name: str) -> str:
    value = wire.text_field(body, name)
    if not value:
        raise InputError(f"缺少字段 {name}")
    return value


def _flag(body: Mapping[str, Any], name: str) -> bool:
    value = body.get(name, True)
    if not isinstance(value, bool):
        raise InputError(f"字段 {name} 必须是 true/false")
    return value


def _time(text: str) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
    except ValueError as exc:
        raise InputError(f"时间格式应为 YYYY-MM-DD HH:MM:SS: {text!r}") from exc


def _day(text: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InputError(f"日期格式应为 YYYY-MM-DD: {text!r}") from exc
