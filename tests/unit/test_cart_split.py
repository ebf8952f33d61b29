from decimal import Decimal as D

import pytest

from pos_plugin.domain.cart import cart_line_from_mapping, split_cart
from pos_plugin.domain.errors import InvalidCartLine
from pos_plugin.domain.line_split import split_line, split_totals

WORKED_EXAMPLE = [
    {"code": "F0001", "class": "A", "qty": "1", "price": "120.00"},
    {"code": "D1002", "class": "B", "selfpay_prop": "0.10", "qty": "3", "price": "86.00"},
    {"code": "M3001", "class": "A", "price_cap": "38.00", "qty": "2", "price": "45.00"},
    {"code": "D9004", "class": "C", "qty": "1", "price": "64.00"},
]


def test_worked_example_line_split_matches_domain_section_6():
    totals = split_totals(cart_line_from_mapping(raw) for raw in WORKED_EXAMPLE)
    assert totals.medfee_sumamt == D("532.00")
    assert totals.fulamt_ownpay_amt == D("64.00")
    assert totals.overlmt_selfpay == D("14.00")
    assert totals.preselfpay_amt == D("25.80")
    assert totals.inscp_scp_amt == D("428.20")


def test_non_insurable_lines_stay_outside_the_settlement():
    lines = [cart_line_from_mapping(r) for r in (
        {"code": "D2002", "class": "A", "qty": "1", "price": "18.50"},
        {"code": "G2004", "insurable": False, "qty": "1", "price": "59.00"},
    )]
    split = split_cart(lines)
    assert [line.code for line in split.insurable] == ["D2002"]
    assert split.outside_settlement == D("59.00")
    assert split.insurable_total == D("18.50")


def test_line_amount_rounds_half_up_once():
    line = cart_line_from_mapping({"code": "X", "class": "B", "selfpay_prop": "0.10", "qty": "2", "price": "33.35"})
    part = split_line(line)
    assert (part.amt, part.preself, part.inscp) == (D("66.70"), D("6.67"), D("60.03"))
    fractional = cart_line_from_mapping({"code": "Y", "class": "A", "qty": "0.3333", "price": "10.000005"})
    assert fractional.amt == D("3.33")


@pytest.mark.parametrize("raw", [
    {"code": "", "qty": "1", "price": "1"},
    {"code": "X", "qty": "0", "price": "1"},
    {"code": "X", "qty": "1", "price": "-1"},
    {"code": "X", "qty": "1.00001", "price": "1"},
    {"code": "X", "qty": "1", "price": "1", "class": "D"},
    {"code": "X", "qty": "1", "price": "1", "class": "B", "selfpay_prop": "1.5"},
    {"code": "X", "qty": "1", "price": "1", "insurable": "no"},
])
def test_bad_cart_lines_are_refused_with_a_code(raw):
    with pytest.raises(InvalidCartLine) as info:
        cart_line_from_mapping(raw)
    assert info.value.code == "ERR_INVALID_CART"
