from decimal import Decimal

import pytest

from pos_plugin.domain.errors import InvalidAmount
from pos_plugin.domain.money import format_amount, parse_amount, parse_decimal, round2


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("12.34", "12.34"), ("0", "0.00"), (" 7.5 ", "7.50"), (12, "12.00"), (12.5, "12.50"), (0.1, "0.10"),
     (Decimal("3.1"), "3.10"), ("1.230", "1.23"), ("+4", "4.00")],
)
def test_parse_amount_accepts_exact_money(raw, expected):
    assert format_amount(parse_amount(raw)) == expected


@pytest.mark.parametrize(
    "raw",
    ["1.234", "abc", "", "1e3", "NaN", "Infinity", "-1.00", float("nan"), float("inf"), 0.1 + 0.2,
     1e15 + 0.5, True, None, [1], "1,000.00"],
)
def test_parse_amount_refuses_inexact_or_malformed(raw):
    with pytest.raises(InvalidAmount) as info:
        parse_amount(raw)
    assert info.value.code == "ERR_INVALID_AMOUNT"
    assert info.value.message  # a Chinese message for the cashier


def test_negative_only_where_allowed():
    assert parse_amount("-35.20", allow_negative=True) == Decimal("-35.20")


def test_price_and_quantity_places():
    assert parse_decimal("86.123456", places=6) == Decimal("86.123456")
    with pytest.raises(InvalidAmount):
        parse_decimal("86.1234567", places=6)
    assert parse_decimal("0.0001", places=4) == Decimal("0.0001")


def test_round2_is_half_up():
    assert round2(Decimal("243.735")) == Decimal("243.74")
    assert round2(Decimal("0.005")) == Decimal("0.01")
    assert round2(Decimal("0.0049")) == Decimal("0.00")


def test_format_refuses_sub_fen_and_non_decimal():
    with pytest.raises(InvalidAmount):
        format_amount(Decimal("1.005"))
    with pytest.raises(InvalidAmount):
        format_amount(1.5)  # type: ignore[arg-type]
