"""The plugin plans each patient with the policy of their insured region (docs/domain.md §1, 异地就医);
the terminal's `--policy` is its own region's and the default for a province without a profile."""

from __future__ import annotations

import pytest

from pos_plugin.config import SHIPPED_PROFILES, load_profile, region_policies, region_policy
from pos_plugin.domain.region import RegionPolicies, RegionPolicy
from pos_plugin.errors import InputError


def test_every_shipped_profile_loads_with_its_province() -> None:
    found = {name: region_policy(name) for name in SHIPPED_PROFILES}
    assert {name: (p.province, p.account_pays_ownpay, p.wallet_enabled) for name, p in found.items()} == {
        "gansu": ("62", True, True), "guangdong": ("44", False, False),
        "national-default": (None, True, True), "shaanxi": ("61", True, True)}
    assert region_policy(None).name == "national-default"


@pytest.mark.parametrize(("insuplc", "name"), [("610103", "shaanxi"), ("622901", "gansu"), ("440305", "guangdong"),
                                               ("110101", "national-default"), ("", "national-default")])
def test_a_guangdong_terminal_plans_each_patient_with_their_insured_regions_policy(insuplc: str, name: str) -> None:
    assert region_policies("guangdong").for_insuplc(insuplc).name == name  # Beijing (11): no profile of its own


def test_the_terminals_own_policy_wins_for_its_province() -> None:
    own = {"name": "guangdong-2027", "province": "44", "account_pays_ownpay": True}
    policies = region_policies(own, others=({"name": "shaanxi-pilot", "province": "61", "wallet_enabled": False},))
    assert policies.for_insuplc("440106").name == "guangdong-2027"
    assert policies.for_insuplc("610103").name == "shaanxi-pilot"  # listed profiles come before the shipped
    assert policies.for_insuplc("620102").name == "gansu"


def test_an_inline_policy_without_province_is_only_a_default() -> None:
    policies = RegionPolicies(RegionPolicy.from_mapping({"name": "inline", "account_pays_ownpay": False}))
    assert policies.for_insuplc("610103") == RegionPolicy("inline", None, False, True)


@pytest.mark.parametrize("name", ["atlantis", "../fixtures/policies/shaanxi", ""])
def test_an_unknown_profile_name_is_refused(name: str) -> None:
    with pytest.raises(InputError) as caught:
        load_profile(name)
    assert "未知的地区政策" in caught.value.message and "shaanxi" in caught.value.message
