"""Preview of the platform's per-line split (docs/domain.md §2.2), for the cashier's screen and receipts.

The platform's answer (2204 `result[]`, 2101 `detlcutinfo[]`) is authoritative; this preview lets the
plugin show and cross-check it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from pos_plugin.domain.cart import CartLine
from pos_plugin.domain.errors import InvariantViolation
from pos_plugin.domain.money import ZERO, round2


@dataclass(frozen=True)
class LineSplit:
    code: str
    amt: Decimal
    fulamt: Decimal
    overlmt: Decimal
    preself: Decimal
    inscp: Decimal


@dataclass(frozen=True)
class SplitTotals:
    medfee_sumamt: Decimal
    fulamt_ownpay_amt: Decimal
    overlmt_selfpay: Decimal
    preselfpay_amt: Decimal
    inscp_scp_amt: Decimal


def split_line(line: CartLine) -> LineSplit:
    """Split one insurable line into own-pay, over-cap, pre-selfpay and in-scope parts."""
    amt = line.amt
    if line.cls == "C":
        result = LineSplit(line.code, amt, amt, ZERO, ZERO, ZERO)
    else:
        overlmt = ZERO
        if line.price_cap is not None and line.price > line.price_cap:
            overlmt = round2(line.qty * (line.price - line.price_cap))
        base = amt - overlmt
        preself = round2(base * line.selfpay_prop) if line.cls == "B" else ZERO
        result = LineSplit(line.code, amt, ZERO, overlmt, preself, base - preself)
    if result.fulamt + result.overlmt + result.preself + result.inscp != amt:
        raise InvariantViolation(f"行拆分不平: {line.code}")
    return result


def split_totals(lines: Iterable[CartLine]) -> SplitTotals:
    """Sum the line splits into the setlinfo totals the platform will report."""
    parts = [split_line(line) for line in lines]
    return SplitTotals(
        medfee_sumamt=sum((p.amt for p in parts), ZERO),
        fulamt_ownpay_amt=sum((p.fulamt for p in parts), ZERO),
        overlmt_selfpay=sum((p.overlmt for p in parts), ZERO),
        preselfpay_amt=sum((p.preself for p in parts), ZERO),
        inscp_scp_amt=sum((p.inscp for p in parts), ZERO),
    )
