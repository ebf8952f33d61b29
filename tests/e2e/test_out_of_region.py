"""异地就医 at the counter (docs/domain.md §1): a till configured for its own region plans a patient insured
elsewhere with the policy of the patient's insured region, and agrees with the platform leg for leg."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from e2e_world import scenario

from pos_plugin.checkout.identify import Credential, identify
from pos_plugin.checkout.sale import Counter, Order, leg_key
from pos_plugin.config import region_policy
from pos_plugin.domain.cart import cart_line_from_mapping
from pos_plugin.domain.payer_chain import Choices
from pos_plugin.domain.region import RegionPolicies
from pos_plugin.errors import PlanMismatch


def order_of(scen):
    co = scen["checkout"]
    return Order(tuple(cart_line_from_mapping(line) for line in co["lines"]), co["flow"], co["med_type"],
                 Choices(co["use_account"], co["use_wallet"]))


def handles(loaded):
    return {psn: handle for handle, psn in loaded["handles"].items()}


@pytest.mark.parametrize(("name", "till_policy", "legs", "cash"), [
    # A Guangdong till, a Shaanxi retiree: own-pay items on her account, then her wallet (Shaanxi's rules).
    ("shaanxi-retiree-at-guangzhou-pharmacy", "guangdong",
     [("own", D("150.00")), ("wallet", D("47.50"))], D("19.90")),
    # A Shaanxi till, a Guangzhou employee's outpatient visit: Guangdong's fund, own-pay items in cash, no wallet.
    ("guangzhou-employee-at-xian-hospital", "shaanxi", [("own", D("161.60"))], D("88.00")),
])
def test_a_till_of_one_region_settles_a_patient_insured_in_another(admin, make_terminal, name, till_policy, legs,
                                                                    cash):
    scen = scenario(name)
    loaded = admin.load_world(scen)
    terminal = make_terminal(scen, policy=till_policy)
    patient_row = next(p for p in scen["people"] if p["id"] == scen["checkout"]["patient"])
    patient = identify(terminal.client, Credential("id_card", patient_row["certno"]))
    assert terminal.counter.policy_of(patient).name == scen["policy"] != till_policy

    sale = terminal.counter.checkout(patient, order_of(scen), lambda quote: True)

    assert sale.settlement is not None
    reported = [leg for leg in sale.settlement.payleg if leg.amount != 0]
    assert [leg_key(leg) for leg in sale.legs] == [leg_key(leg) for leg in reported]  # plugin = platform
    assert [(leg.source, leg.amount) for leg in sale.legs] == legs
    assert sale.cash_total == cash
    for field, value in scen["expect"]["setlinfo"].items():
        assert sale.figure(field) == D(value), field
    who = handles(loaded)
    after = {who[psn]: str(amount) for psn, amount in admin.balances()["accounts"].items()}
    assert after == scen["expect"]["balances_after"]


def test_planning_everyone_with_the_tills_own_rules_would_stop_the_sale(admin, make_terminal):
    # What a Guangdong till did before: Guangdong's rules for a Shaanxi patient. The platform settles her
    # under Shaanxi's, the legs differ, the sale stops and nothing moves.
    scen = scenario("shaanxi-retiree-at-guangzhou-pharmacy")
    admin.load_world(scen)
    terminal = make_terminal(scen, policy="guangdong")
    patient = identify(terminal.client, Credential("id_card", scen["people"][0]["certno"]))
    only_guangdong = Counter(terminal.client, policies=RegionPolicies(region_policy("guangdong")),
                             recovery=terminal.recovery)
    before = admin.balances()
    with pytest.raises(PlanMismatch) as info:
        only_guangdong.checkout(patient, order_of(scen), lambda quote: True)
    assert "本地 own 146.50 / 平台 own 150.00" in info.value.message
    assert admin.balances() == before
