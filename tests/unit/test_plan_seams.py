"""The two seams of issue 15 item 4 in the plugin's pure core (the wire-level contract is
tests/contract/test_serialized_contract.py): an unusable pool row never hides the funders, and a province
without a profile is planned with national-default, not the till's own profile."""

from __future__ import annotations

from decimal import Decimal

from pos_plugin.domain.payer_chain import Burden, FamilyPool, Funder, PatientFunds, plan_payer_chain
from pos_plugin.domain.region import RegionPolicies, RegionPolicy


def test_an_unusable_pool_row_does_not_hide_a_usable_funder():
    funds = PatientFunds("P1", Decimal("10.00"), True, (Funder(1, "F1", Decimal("500.00"), True),),
                         FamilyPool("FP1", Decimal("80.00"), False))
    plan = plan_payer_chain(funds, Burden(Decimal("60.00")), account_pays_ownpay=True)
    assert [(leg.source, leg.amount) for leg in plan.legs] == [("own", Decimal("10.00")), ("funder", Decimal("50.00"))]


def test_a_usable_pool_pays_instead_of_funders():
    funds = PatientFunds("P1", Decimal("0.00"), False, (Funder(1, "F1", Decimal("500.00"), False),),
                         FamilyPool("FP1", Decimal("80.00"), True))
    plan = plan_payer_chain(funds, Burden(Decimal("60.00")), account_pays_ownpay=True)
    assert [(leg.source, leg.amount) for leg in plan.legs] == [("pool", Decimal("60.00"))]


def test_a_province_without_a_profile_gets_national_default_not_the_tills_own():
    own = RegionPolicy("guangdong", "44", account_pays_ownpay=False)
    policies = RegionPolicies(own, (RegionPolicy("shaanxi", "61"), RegionPolicy("national-default")))
    assert policies.for_insuplc("110105").name == "national-default"
    assert policies.for_insuplc("440106") is own and policies.for_insuplc("610103").name == "shaanxi"
    assert RegionPolicies(own).for_insuplc("110105") is own  # no national default known at all
