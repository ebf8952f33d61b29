"""The per-line split (docs/domain.md §2.2) of `simulator/platform/split.py` against the written formulas."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from rule_oracle import NONE, F, decimals, money, r2

from simulator.platform.models import CatalogueItem, FeeLine
from simulator.platform.split import line_amount, split_line, sum_splits

quantities = decimals(4, 500_000, min_units=1)  # cnt: up to 4 places on the wire
prices = decimals(6, 50_000_000)  # pric: up to 6 places on the wire
proportions = decimals(4, 10_000)  # selfpay_prop in [0, 1]


@st.composite
def lines(draw: st.DrawFn) -> tuple[FeeLine, CatalogueItem | None]:
    cnt, pric = draw(quantities), draw(prices)
    line = FeeLine("1", "X1", "药", cnt, pric, line_amount(cnt, pric))
    lv = draw(st.sampled_from(["01", "02", "03", None]))  # None: not in the catalogue
    if lv is None:
        return line, None
    cap = draw(st.none() | money | st.just(pric.quantize(Decimal("0.01"))))
    return line, CatalogueItem("X1", "药", lv, draw(proportions), cap)


@given(decimals(4, 500_000), prices)
def test_line_amount_is_round2_of_qty_times_price(cnt: Decimal, pric: Decimal) -> None:
    amt = line_amount(cnt, pric)
    assert F(amt) == r2(F(cnt) * F(pric))
    assert amt.as_tuple().exponent == -2


@settings(max_examples=300)  # class B lines with a sub-fen share are where rounding slips
@given(lines())
def test_split_follows_the_four_steps(case: tuple[FeeLine, CatalogueItem | None]) -> None:
    line, item = case
    split = split_line(line, item)
    amt = F(line.amt)
    if item is None or item.lv == "03":  # step 1: class C (or unknown) is all own-pay
        expected = (amt, 0, 0, 0)
    else:
        capped = item.price_cap is not None and line.pric > item.price_cap
        overlmt = r2(F(line.cnt) * (F(line.pric) - F(item.price_cap))) if capped else NONE
        base = amt - overlmt
        preself = r2(base * F(item.selfpay_prop)) if item.lv == "02" else NONE
        expected = (NONE, overlmt, preself, base - preself)
    assert (F(split.fulamt), F(split.overlmt), F(split.preself), F(split.inscp)) == expected
    assert split.fulamt + split.overlmt + split.preself + split.inscp == line.amt
    assert min(split.fulamt, split.overlmt, split.preself, split.inscp) >= 0
    assert split.lv == ("03" if item is None else item.lv)


@given(st.lists(lines(), max_size=6))
def test_totals_are_plain_sums_of_the_lines(cases: list[tuple[FeeLine, CatalogueItem | None]]) -> None:
    splits = [split_line(line, item) for line, item in cases]
    totals = sum_splits(splits)
    assert totals.medfee == sum((line.amt for line, _ in cases), Decimal("0.00"))
    assert totals.medfee == totals.fulamt + totals.overlmt + totals.preself + totals.inscp
    assert totals.inscp == sum((s.inscp for s in splits), Decimal("0.00"))


def test_a_worked_line() -> None:
    """§2.2 by hand: 3 × 12.345 of a class B item capped at 10.00, 20 % self-pay."""
    line = FeeLine("1", "B1", "药", Decimal("3"), Decimal("12.345"), line_amount(Decimal("3"), Decimal("12.345")))
    split = split_line(line, CatalogueItem("B1", "药", "02", Decimal("0.2"), Decimal("10.00")))
    assert line.amt == Decimal("37.04")  # 37.035 rounds half up
    assert (split.overlmt, split.preself, split.inscp) == (Decimal("7.04"), Decimal("6.00"), Decimal("24.00"))

