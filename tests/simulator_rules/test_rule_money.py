"""Money on the wire (`simulator/platform/money.py`): plain decimal strings (or ints / Decimals, never
floats), at most N places, not negative, below 10^10; integer fen in the store; `round2` half up."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rule_oracle import F, r2

from simulator.platform.errors import RequestRejected
from simulator.platform.money import fmt, from_fen, parse_amount, parse_decimal, round2, to_fen

fen = st.integers(min_value=0, max_value=10**12 - 1)  # below 10^10 yuan


@given(fen, st.sampled_from(["{y}.{f:02d}", "{y}.{f:02d}", " {y}.{f:02d} ", "{y}.{f1}"]))
def test_a_plain_amount_string_parses_to_its_fen(amount_fen: int, form: str) -> None:
    yuan, cents = divmod(amount_fen, 100)
    if form == "{y}.{f1}" and cents % 10:
        cents -= cents % 10  # one decimal place only: "12.5"
    raw = form.format(y=yuan, f=cents, f1=cents // 10)
    value = parse_amount(raw, "amount")
    assert to_fen(value) == yuan * 100 + cents
    assert value.as_tuple().exponent == -2 and fmt(value) == f"{yuan}.{cents:02d}"


@given(fen)
def test_fen_round_trips(amount_fen: int) -> None:
    value = from_fen(amount_fen)
    assert to_fen(value) == amount_fen and F(value) * 100 == amount_fen
    assert parse_amount(fmt(value), "x") == value


@given(st.integers(min_value=-10**9, max_value=10**9), st.integers(min_value=0, max_value=6))
def test_round2_is_half_up_to_the_fen(units: int, places: int) -> None:
    value = Decimal(units).scaleb(-places)
    assert F(round2(value)) == r2(F(value))


@given(st.integers(min_value=-10**9, max_value=10**9))
def test_round2_breaks_a_tie_away_from_zero(fen_below: int) -> None:
    """Exactly half a fen (x.xx5): half up, not to even."""
    tie = Decimal(fen_below * 10 + (5 if fen_below >= 0 else -5)).scaleb(-3)
    assert F(round2(tie)) == r2(F(tie))
    assert abs(round2(tie)) > abs(tie)


@pytest.mark.parametrize("raw", [
    1.5, True, None, [], "", "abc", "1.005", "-1.00", "1_000", "١٢", "1e3", "NaN", "Infinity", "+1", ".5", "1.",
    "10000000000", Decimal("1.001"), Decimal("NaN"), Decimal("-0.01"), 10**10,
])
def test_bad_amounts_are_rejected_with_one_code(raw: object) -> None:
    with pytest.raises(RequestRejected) as rejected:
        parse_amount(raw, "amount")
    assert rejected.value.code == "ERR_BAD_NUMBER" and "amount" in rejected.value.message


@given(st.integers(min_value=1, max_value=10**6).filter(lambda units: units % 10 != 0),
       st.integers(min_value=3, max_value=8))
def test_more_places_than_allowed_are_rejected(units: int, places: int) -> None:
    raw = f"{Decimal(units).scaleb(-places):f}"  # exactly `places` places, the last one not 0
    with pytest.raises(RequestRejected):
        parse_amount(raw, "amount")


def test_places_are_counted_as_written() -> None:
    """A wire number's places are its written places: quantities allow 4, prices 6, money 2."""
    assert parse_decimal("1.2345", "cnt", 4) == Decimal("1.2345")
    assert parse_decimal("1.234567", "pric", 6) == Decimal("1.234567")
    with pytest.raises(RequestRejected):
        parse_amount("1.000", "amount")
    assert parse_decimal("-0.00", "x", 2) == 0 and not parse_decimal("-0.00", "x", 2).is_signed()
    assert parse_decimal("-3.50", "x", 2, allow_negative=True) == Decimal("-3.50")
    with pytest.raises(ValueError):
        to_fen(Decimal("0.001"))
