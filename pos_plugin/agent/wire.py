"""The agent's JSON: request bodies read into the plugin's types, and its answers (money as strings,
names masked). Pure functions: no Flask, no terminal."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from pos_plugin.agent.errors import UnknownField
from pos_plugin.agent.openapi import SCHEMAS
from pos_plugin.catalogue import CatalogueBook, resolve_cart
from pos_plugin.checkout.identify import Credential, Expected, Patient, credential_from_text
from pos_plugin.checkout.requests_build import Diagnosis, VisitDetails
from pos_plugin.checkout.sale import Order, Quote, as_flow
from pos_plugin.checkout.till import BookedSale, Refunded, Revoked
from pos_plugin.domain.cart import CartLine
from pos_plugin.domain.money import format_amount
from pos_plugin.domain.payer_chain import Choices, Leg
from pos_plugin.errors import InputError
from pos_plugin.platform.models import SETLINFO_FIELDS
from pos_plugin.present import leg_label, mask_name

QUOTE_FIGURES = ("medfee_sumamt", "fund_pay_sumamt", "psn_part_amt", "acct_pay", "acct_mulaid_pay", "wallet_pay",
                 "psn_cash_pay")


def read_body(raw: bytes) -> dict[str, Any]:
    """A JSON object; numbers are read as Decimal, never float. An empty body is an empty object."""
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw.decode("utf-8-sig"), parse_float=Decimal)
    except (UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"请求体不是合法的 JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise InputError("请求体必须是 JSON 对象")
    return body


def closed(body: Mapping[str, Any], schema: str, where: str = "") -> None:
    """Refuse a key the request schema (openapi.SCHEMAS) does not define, naming it: never ignore one. A
    camelCase spelling of a field (`useAccount`) is such a key; the message names the field meant."""
    fields = SCHEMAS[schema]["properties"]
    for key in body:
        if key not in fields:
            meant = _CAMEL.sub("_", str(key)).lower()
            hint = f"（字段名用 snake_case：{meant}）" if meant in fields else f"（可用字段: {', '.join(fields)}）"
            raise UnknownField(f"未知字段 {where}{key}{hint}", field=f"{where}{key}")


def no_body(raw: bytes) -> None:
    """A call that takes no body (confirm, revoke, recover): an empty body or `{}`, nothing else."""
    for key in read_body(raw):
        raise UnknownField(f"未知字段 {key}（该接口不接受请求体字段）", field=key)


_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
LINE_TEXT = ("code", "name", "qty", "price", "selfpay_prop", "price_cap", "class")


def text_field(body: Mapping[str, Any], name: str, default: str = "") -> str:
    value = body.get(name, default)
    if not isinstance(value, str):
        raise InputError(f"字段 {name} 必须是字符串")
    return value.strip()


def credential_of(body: Mapping[str, Any]) -> tuple[Credential, Expected]:
    """`{"code": "...", "certno": "", "patient_name": "", "patient_certno": ""}` (a typed or scanned code);
    the caller has checked the body's fields against its schema."""
    code = text_field(body, "code")
    if not code:
        raise InputError("请提供凭证：code（医保电子凭证、身份证号或社保卡号）")
    credential = credential_from_text(code, certno=text_field(body, "certno"))
    return credential, Expected(text_field(body, "patient_name"), text_field(body, "patient_certno"))


def order_of(body: Mapping[str, Any], book: CatalogueBook | None = None, today: str = "") -> Order:
    """`lines` (cart lines, money as strings), `flow`, `med_type`, `use_account`, `use_wallet`."""
    flow = as_flow(text_field(body, "flow", "pharmacy") or "pharmacy")
    med_type = text_field(body, "med_type") or ("41" if flow == "pharmacy" else "11")
    choices = Choices(flag(body, "use_account"), flag(body, "use_wallet"))
    return Order(lines_of(body, book, today), flow, med_type, choices, visit_of(body.get("visit")))


def lines_of(body: Mapping[str, Any], book: CatalogueBook | None = None, today: str = "") -> tuple[CartLine, ...]:
    """`lines`: cart lines (closed `CartLine` objects, money and quantities as strings, item codes resolved
    through the catalogue book)."""
    lines = body.get("lines")
    if not isinstance(lines, list) or not lines:
        raise InputError("购物车没有商品行（lines）")
    if not all(isinstance(line, dict) for line in lines):
        raise InputError("每个商品行必须是对象（code、name、qty、price 等）")
    for index, line in enumerate(lines):
        closed(line, "CartLine", f"lines[{index}].")
        for name in LINE_TEXT:
            if name in line and not isinstance(line[name], str):
                raise InputError(f"字段 lines[{index}].{name} 必须是字符串（金额与数量以字符串传递）")
    return resolve_cart(lines, book, today)


VISIT_FIELDS = ("dept_code", "dept_name", "doctor_code", "doctor_name", "caty", "diagnoses")


def visit_of(raw: object) -> VisitDetails:
    """An outpatient sale's `visit` {dept_code, dept_name, doctor_code, doctor_name, caty, diagnoses: [{code,
    name}]} (closed: an unknown field is refused); absent: the plain outpatient desk."""
    if raw is None:
        return VisitDetails()
    if not isinstance(raw, dict):
        raise InputError("字段 visit 必须是对象（dept_code、dept_name、doctor_code、doctor_name、caty、diagnoses）")
    for key in raw:
        if key not in VISIT_FIELDS:
            raise UnknownField(f"未知字段 visit.{key}（可用字段: {', '.join(VISIT_FIELDS)}）", field=f"visit.{key}")
    found = raw.get("diagnoses") or []
    if not isinstance(found, list) or not all(isinstance(d, dict) and set(d) == {"code", "name"} for d in found):
        raise InputError("visit.diagnoses 必须是 [{\"code\": \"I10\", \"name\": \"原发性高血压\"}, ...]")
    base = VisitDetails()
    return VisitDetails(
        dept_code=text_field(raw, "dept_code") or base.dept_code, dept_name=text_field(raw, "dept_name") or base.dept_name,
        doctor_code=text_field(raw, "doctor_code"), doctor_name=text_field(raw, "doctor_name"),
        caty=text_field(raw, "caty") or base.caty,
        diagnoses=tuple(Diagnosis(text_field(d, "code"), text_field(d, "name")) for d in found))


def codes_of(body: Mapping[str, Any]) -> tuple[str, ...]:
    codes = body.get("lines")
    if not isinstance(codes, list) or not codes or not all(isinstance(c, str) and c.strip() for c in codes):
        raise InputError("请列出退货商品编码（lines: [\"D1002\", ...]）")
    return tuple(c.strip() for c in codes)


def flag(body: Mapping[str, Any], name: str) -> bool:
    """An optional true/false field (default true)."""
    value = body.get(name, True)
    if not isinstance(value, bool):
        raise InputError(f"字段 {name} 必须是 true/false")
    return value


# -- answers ------------------------------------------------------------------------------------
def patient_json(patient_id: str, patient: Patient) -> dict[str, Any]:
    return {"patient_id": patient_id, "psn_no": patient.psn_no, "name": mask_name(patient.name),
            "insutype": patient.insutype, "insuplc": patient.insuplc}


def line_json(line: CartLine) -> dict[str, Any]:
    return {"code": line.code, "name": line.name, "class": line.cls, "qty": f"{line.qty:f}",
            "price": f"{line.price:f}", "amount": format_amount(line.amt),
            "insurable": line.insurable}


def leg_json(leg: Leg) -> dict[str, Any]:
    return {"source": leg.source, "rank": leg.rank, "label": leg_label(leg), "amount": format_amount(leg.amount)}


def quote_json(quote_id: str, quote: Quote) -> dict[str, Any]:
    """What the cashier confirms: the line-split table, the platform's figures, the planned legs, cash."""
    split = quote.split
    cash = quote.plan.psn_cash_pay + split.outside_settlement
    return {
        "quote_id": quote_id,
        "patient": {"psn_no": quote.patient.psn_no, "name": mask_name(quote.patient.name),
                    "insutype": quote.patient.insutype},
        "flow": quote.order.flow,
        "insurable": [line_json(line) for line in split.insurable],
        "outside": [line_json(line) for line in split.outside],
        "figures": {name: format_amount(quote.figure(name)) for name in QUOTE_FIGURES},
        "legs": [leg_json(leg) for leg in quote.plan.legs],
        "insurable_total": format_amount(split.insurable_total),
        "outside_settlement": format_amount(split.outside_settlement),
        "cash_total": format_amount(cash),
    }


def sale_json(booked: BookedSale) -> dict[str, Any]:
    sale = booked.sale
    return {
        "sale_id": booked.sale_id,
        "setl_id": sale.setl_id,
        "setlinfo": {name: format_amount(sale.figure(name)) for name in SETLINFO_FIELDS},
        "legs": [leg_json(leg) for leg in sale.legs],
        "outside_settlement": format_amount(sale.outside_settlement),
        "cash_total": format_amount(sale.cash_total),
        "receipt": booked.receipt,
    }


def revoked_json(revoked: Revoked) -> dict[str, Any]:
    done = revoked.settlement
    legs = [] if done is None else [{"source": leg.source, "amount": format_amount(leg.amount.copy_abs())}
                                    for leg in done.payleg if leg.amount != 0]
    return {"sale_id": revoked.sale_id, "on_platform": done is not None, "legs_returned": legs,
            "cash_back": format_amount(revoked.cash_back)}


def refunded_json(refunded: Refunded) -> dict[str, Any]:
    old = refunded.original
    return {"old": {"sale_id": old.setl_id, "lines": [line_json(line) for line in old.lines],
                    "receipt": old.receipt},
            "revoked": revoked_json(refunded.revoked),
            "new": sale_json(refunded.new) if refunded.new is not None else None}
