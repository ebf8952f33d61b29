"""A platform without this project's ⊕ payleg extension (the real national platform): the counter holds it
to the standard totals acct_pay / acct_mulaid_pay / wallet_pay instead of leg by leg."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D
from typing import Any

import pytest
from e2e_world import scenario

from pos_plugin.checkout.identify import Credential, identify
from pos_plugin.checkout.sale import Counter, Order
from pos_plugin.domain.cart import cart_line_from_mapping
from pos_plugin.domain.payer_chain import Choices
from pos_plugin.domain.region import RegionPolicies, RegionPolicy
from pos_plugin.errors import PlanMismatch
from pos_plugin.platform.models import Settlement


class WithoutPaylegs:
    """The real client, with every pre-settlement and settlement reply stripped of payleg[]."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._client, name)
        if name.endswith(("presettle", "_settle")):
            return lambda *args, **kwargs: self._plain(attr(*args, **kwargs))
        return attr

    @staticmethod
    def _plain(done: Settlement) -> Settlement:
        return replace(done, payleg=[], payleg_reported=False)


def checkout(terminal, scen, *, account_pays_ownpay):
    # one policy for every patient (no other profiles known), so the test decides what the till plans with
    policies = RegionPolicies(RegionPolicy("test", account_pays_ownpay=account_pays_ownpay))
    counter = Counter(WithoutPaylegs(terminal.client), policies=policies,  # type: ignore[arg-type]
                      recovery=terminal.recovery)
    patient = identify(terminal.client, Credential("id_card", scen["people"][0]["certno"]))
    lines = tuple(cart_line_from_mapping(line) for line in scen["checkout"]["lines"])
    order = Order(lines, scen["checkout"]["flow"], scen["checkout"]["med_type"], Choices())
    return counter.checkout(patient, order, lambda quote: True)


def test_totals_that_agree_settle_the_planned_legs(admin, make_terminal):
    scen = scenario("shaanxi-retiree-two-funders")
    admin.load_world(scen)
    sale = checkout(make_terminal(scen), scen, account_pays_ownpay=True)
    assert sale.settlement is not None and not sale.settlement.payleg_reported
    assert [(leg.source, leg.rank, leg.amount) for leg in sale.legs] == [
        ("own", None, D("35.20")), ("funder", 1, D("180.00")), ("funder", 2, D("73.06"))]
    assert sale.figure("acct_mulaid_pay") == D("253.06")


def test_totals_that_differ_stop_the_sale_before_money_moves(admin, make_terminal):
    scen = scenario("guangdong-pooling-region-scope")
    admin.load_world(scen)
    before = admin.balances()
    with pytest.raises(PlanMismatch) as info:  # planned with the wrong policy: own-pay items on the account
        checkout(make_terminal(scen), scen, account_pays_ownpay=True)
    assert "acct_pay 本地 95.50 / 平台 78.45" in info.value.message
    assert admin.balances() == before
