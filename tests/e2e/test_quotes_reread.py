"""Quotes that re-read the platform (issue 15 item 4): a quote plans from fresh balances, so a balance that
moved after identify, a second sale on the same identified patient, or a lost sale reversed when the sale is
rung again all plan right; ERR_PLAN_MISMATCH is left for a real disagreement. Real simulator over HTTP."""

from __future__ import annotations

from decimal import Decimal

import pytest
from e2e_world import scenario

from pos_plugin.checkout.identify import Credential, identify
from pos_plugin.checkout.sale import Order
from pos_plugin.domain.cart import cart_line_from_mapping
from pos_plugin.errors import UnknownOutcome

LINE = {"code": "D4001", "name": "二甲双胍缓释片", "class": "A", "qty": "2", "price": "28.40"}


def two_funders(admin, make_terminal):
    scen = scenario("shaanxi-retiree-two-funders")
    loaded = admin.load_world(scen)
    terminal = make_terminal(scen)
    order = Order(tuple(cart_line_from_mapping(line) for line in scen["checkout"]["lines"]), "pharmacy", "41")
    return scen, loaded, terminal, order


def legs_of(sale):
    return [(leg.source, leg.rank, f"{leg.amount:f}") for leg in sale.legs]


def test_a_relatives_top_up_after_identify_is_planned(admin, make_terminal):
    scen, loaded, terminal, order = two_funders(admin, make_terminal)
    patient = identify(terminal.client, Credential("id_card", scen["people"][0]["certno"]))
    admin._call("POST", "/admin/topup", {"target": "account", "psn_no": loaded["handles"]["daughter"],
                                          "amount": "100.00"})  # the rank-1 daughter tops up meanwhile
    sale = terminal.till.checkout(patient, order, lambda quote: True)
    assert legs_of(sale)[1] == ("funder", 1, "280.00")  # her new balance, not the 180.00 read at identify


def test_a_second_sale_on_the_same_identified_patient(admin, make_terminal):
    scen, _, terminal, order = two_funders(admin, make_terminal)
    patient = identify(terminal.client, Credential("id_card", scen["people"][0]["certno"]))
    first = terminal.till.checkout(patient, order, lambda quote: True)
    second = terminal.till.checkout(patient, order, lambda quote: True)  # the same Patient, balances spent
    assert legs_of(first)[0] == ("own", None, "35.20")
    assert [source for source, _, _ in legs_of(second)] == ["funder"]  # own and daughter spent: the son pays
    assert sum(Decimal(amount) for *_, amount in legs_of(second)) > 0


def test_a_sale_rung_again_before_recover_resolves_the_lost_one_then_plans_afresh(admin, make_terminal):
    scen = scenario("own-account-covers-everything")
    scen["people"][0]["account"] = "80.00"  # covers one sale (56.80), not what is left after a lost charge
    admin.load_world(scen)
    terminal = make_terminal(scen)
    before = admin.balances()
    order = Order((cart_line_from_mapping(LINE),))
    lost_patient = identify(terminal.client, Credential("id_card", scen["people"][0]["certno"]))
    admin.arm_fault("2102", "drop_after_commit")  # charged, the reply lost
    admin.arm_fault("2601", "http500", count=3)   # and the immediate reversal cannot get through
    with pytest.raises(UnknownOutcome):
        terminal.till.checkout(lost_patient, order, lambda quote: True)
    admin.clear_faults()
    assert admin.balances() != before
    patient = identify(terminal.client, Credential("id_card", scen["people"][0]["certno"]))  # reads the charge
    sale = terminal.till.checkout(patient, order, lambda quote: True)  # reverses the lost one first
    assert legs_of(sale) == [("own", None, "56.80")]
    terminal.till.revoke(sale.sale_id)
    assert admin.balances() == before
