"""Per-line split (docs/domain.md §2.2) — the platform's own 2204 / detlcutinfo computation."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from simulator.domain.models import CatalogueItem, FeeLine
from simulator.domain.money import ZERO, round2

LV_A, LV_B, LV_C = "01", "02", "03"
ONE = Decimal("1")


@dataclass(frozen=True)
class LineSplit:
    """How one line's amount splits: amt = fulamt + overlmt + preself + inscp."""

    line: FeeLine
    lv: str
    selfpay_prop: Decimal
    price_cap: Decimal | None
    fulamt: Decimal
    overlmt: Decimal
    preself: Decimal
    inscp: Decimal


@dataclass(frozen=True)
class SplitTotals:
    """Sums over the lines of one settlement."""

    medfee: Decimal
    fulamt: Decimal
    overlmt: Decimal
    preself: Decimal
    inscp: Decimal


def line_amount(cnt: Decimal, pric: Decimal) -> Decimal:
    """`amt = round2(qty × price)`."""
    return round2(cnt * pric)


def split_line(line: FeeLine, item: CatalogueItem | None) -> LineSplit:
    """Split one line by its catalogue entry; not in the catalogue means class C (all own-pay)."""
    if item is None or item.lv == LV_C:
        return LineSplit(line, LV_C, ONE, None, line.amt, ZERO, ZERO, ZERO)
    cap = item.price_cap
    overlmt = round2(line.cnt * (line.pric - cap)) if cap is not None and line.pric > cap else ZERO
    base = line.amt - overlmt
    prop = item.selfpay_prop if item.lv == LV_B else ZERO
    preself = round2(base * prop) if item.lv == LV_B else ZERO
    return LineSplit(line, item.lv, prop, cap, ZERO, overlmt, preself, base - preself)


def sum_splits(splits: Iterable[LineSplit]) -> SplitTotals:
    items = list(splits)
    return SplitTotals(
        medfee=sum((s.line.amt for s in items), ZERO),
        fulamt=sum((s.fulamt for s in items), ZERO),
        overlmt=sum((s.overlmt for s in items), ZERO),
        preself=sum((s.preself for s in items), ZERO),
        inscp=sum((s.inscp for s in items), ZERO),
    )
