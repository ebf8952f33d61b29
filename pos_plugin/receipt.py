"""Receipts as plain text for an 80 mm printer (48 columns, CJK counted double), PII masked, every leg named."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from pos_plugin.domain.cart import CartLine
from pos_plugin.domain.money import ZERO, format_amount
from pos_plugin.domain.payer_chain import Leg
from pos_plugin.present import display_width, leg_labels, mask_name, pad

WIDTH = 48


def mask_certno(certno: str) -> str:
    """610103195801010753 -> 610***********0753: keep 3 leading and 4 trailing characters."""
    if len(certno) <= 7:
        return "*" * len(certno)
    return certno[:3] + "*" * (len(certno) - 7) + certno[-4:]


@dataclass(frozen=True)
class SettlementFigures:
    """The setlinfo amounts a receipt shows (all Decimal, 2 places)."""

    medfee_sumamt: Decimal
    fund_pay_sumamt: Decimal
    psn_part_amt: Decimal
    acct_pay: Decimal
    acct_mulaid_pay: Decimal
    wallet_pay: Decimal
    psn_cash_pay: Decimal
    balc: Decimal | None = None


@dataclass(frozen=True)
class Receipt:
    institution: str
    time: str
    patient_name: str
    certno: str
    setl_id: str
    lines: tuple[CartLine, ...]
    figures: SettlementFigures
    legs: tuple[Leg, ...]
    outside_settlement: Decimal = ZERO
    title: str = "医保结算凭条"
    notes: tuple[str, ...] = field(default=())

    @property
    def cash_total(self) -> Decimal:
        return self.figures.psn_cash_pay + self.outside_settlement


def render_receipt(receipt: Receipt, width: int = WIDTH) -> str:
    """The receipt as lines of at most `width` display columns."""
    rule = "-" * width
    out = [_center(receipt.institution, width), _center(receipt.title, width), rule,
           f"时间: {receipt.time}", f"参保人: {mask_name(receipt.patient_name)}  证件: {mask_certno(receipt.certno)}"]
    if receipt.setl_id:
        out.append(f"结算号: {receipt.setl_id}")
    out.append(rule)
    for line in receipt.lines:
        tag = "" if line.insurable else "[非医保]"
        out.append(_fit(line.name, width - display_width(tag)) + tag)  # a long name never hides the mark
        out.append(_row(f"  {line.qty.normalize():f} x {_price(line.price)}", format_amount(line.amt), width))
    fig = receipt.figures
    out += [rule, _row("医疗费总额", format_amount(fig.medfee_sumamt), width),
            _row("统筹基金支付", format_amount(fig.fund_pay_sumamt), width),
            _row("个人负担", format_amount(fig.psn_part_amt), width)]
    out += [_row("  " + label, format_amount(leg.amount), width)
            for label, leg in zip(leg_labels(receipt.legs), receipt.legs, strict=True)]
    out.append(_row("  现金", format_amount(fig.psn_cash_pay), width))
    if receipt.outside_settlement:
        out.append(_row("非医保商品(现金)", format_amount(receipt.outside_settlement), width))
    out += [rule, _row("应收现金合计", format_amount(receipt.cash_total), width)]
    if fig.balc is not None:
        out.append(_row("本人账户余额", format_amount(fig.balc), width))
    out += list(receipt.notes)
    return "\n".join(out) + "\n"


def _price(price: Decimal) -> str:
    """Unit price with at least 2 places (38.00, 10.000005)."""
    exponent = price.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) else 0
    return f"{price:f}" if places > 2 else f"{price.quantize(Decimal('0.01')):f}"


def _row(label: str, amount: str, width: int) -> str:
    label = _fit(label, width - display_width(amount) - 1)
    return pad(label, width - display_width(amount)) + amount


def _center(text: str, width: int) -> str:
    text = _fit(text, width)
    return " " * ((width - display_width(text)) // 2) + text


def _fit(text: str, width: int) -> str:
    while display_width(text) > width:
        text = text[:-1]
    return text
