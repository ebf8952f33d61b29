"""Plain-text tables for the cashier's screen and the demo: split tables and payer-chain legs."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal

from pos_plugin.domain.money import format_amount
from pos_plugin.domain.payer_chain import Leg, PayerPlan

RANK_NAMES = {1: "第一顺位", 2: "第二顺位", 3: "第三顺位"}


def mask_name(name: str) -> str:
    """王建国 -> 王*: the first character and a star, as receipts and screens show names."""
    return f"{name[0]}*" if name else ""


def leg_label(leg: Leg) -> str:
    """How a receipt names a leg: 本人账户, 共济账户(第一顺位 王*), 家庭共济账户, 医保钱包."""
    if leg.source == "own":
        return "本人账户"
    if leg.source == "funder":
        rank = RANK_NAMES.get(leg.rank or 0, f"第{leg.rank}顺位")
        return f"共济账户({rank} {mask_name(leg.name)})" if leg.name else f"共济账户({rank})"
    if leg.source == "pool":
        return "家庭共济账户"
    return "医保钱包"


def leg_labels(legs: Sequence[Leg]) -> list[str]:
    """The labels of one listing of legs, the relatives told apart: two funders whose masked names read the
    same (relatives of one surname, both 王*) also show the last four characters of their personal number
    psn_no, `共济账户(第一顺位 王* 尾号0042)`, as the patient's insurance app lists it."""
    shown = [mask_name(leg.name) for leg in legs if leg.source == "funder" and leg.name]
    labels = []
    for leg in legs:
        label = leg_label(leg)
        if leg.source == "funder" and leg.name and leg.psn_no and shown.count(mask_name(leg.name)) > 1:
            label = label[:-1] + f" 尾号{leg.psn_no[-4:]})"
        labels.append(label)
    return labels


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int, *, right: bool = False) -> str:
    gap = " " * max(0, width - display_width(text))
    return gap + text if right else text + gap


def table(rows: Iterable[Sequence[str]], widths: Sequence[int]) -> list[str]:
    """Rows of label + right-aligned amounts, padded by display width (CJK counts double)."""
    return ["".join(pad(cell, w, right=i > 0) for i, (cell, w) in enumerate(zip(row, widths, strict=True)))
            for row in rows]


SPLIT_ROWS = (("医疗费总额", "medfee_sumamt"), ("全自费", "fulamt_ownpay_amt"), ("超限价自费", "overlmt_selfpay"),
              ("先行自付", "preselfpay_amt"), ("起付线", "act_pay_dedc"), ("统筹基金支付", "fund_pay_sumamt"),
              ("个人负担", "psn_part_amt"))


def split_table(figure: Callable[[str], Decimal]) -> list[str]:
    """The pre-settlement's split as the cashier confirms it (a stay's 2303, a visit's 2206)."""
    return table([(label, format_amount(figure(name))) for label, name in SPLIT_ROWS], (28, 12))


def plan_lines(plan: PayerPlan, width: int = 40) -> list[str]:
    """The payer chain as the cashier confirms it, every leg named, cash always shown."""
    rows = [(label, format_amount(leg.amount)) for label, leg in zip(leg_labels(plan.legs), plan.legs, strict=True)]
    rows.append(("现金", format_amount(plan.psn_cash_pay)))
    return table(rows, (width - 12, 12))
