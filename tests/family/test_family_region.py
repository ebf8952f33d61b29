"""Which region's rules apply (pure: no server). A person's province picks the profile: a loaded policy
first, then the fixture profiles, then national-default."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from simulator.platform.errors import RequestRejected
from simulator.platform.policy import parse_policy
from simulator.platform.region import RegionBook

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def profile(name: str) -> dict[str, Any]:
    return dict(json.loads((FIXTURES / "policies" / f"{name}.json").read_text(encoding="utf-8")))


@pytest.mark.parametrize(("insuplc", "name", "model", "scope", "review", "face_age", "wallet", "dates"), [
    ("610103", "shaanxi", "drawdown", "province", False, 16, True, "required"),
    ("622901", "gansu", "family_pool", "province", False, 16, True, "optional"),
    ("440305", "guangdong", "drawdown", "pooling_region", True, 0, False, "optional"),
    ("410105", "national-default", "drawdown", "province", False, 16, True, "optional"),
])
def test_profiles_from_fixtures(insuplc: str, name: str, model: str, scope: str, review: bool, face_age: int,
                                wallet: bool, dates: str) -> None:
    rules = RegionBook(FIXTURES).policy_for(insuplc, [])
    assert (rules.name, rules.model, rules.scope, rules.review_required, rules.face_check_age,
            rules.wallet_enabled, rules.dates) == (name, model, scope, review, face_age, wallet, dates)
    assert rules.creator_only_ends is (model == "family_pool")


def test_a_loaded_policy_wins_over_the_fixture() -> None:
    custom = profile("shaanxi") | {"name": "shaanxi-pilot", "wallet_enabled": False}
    custom["mutual_aid"] = custom["mutual_aid"] | {"max_funders": 3, "dates": "optional"}
    rules = RegionBook(FIXTURES).policy_for("610103", [custom])
    assert (rules.name, rules.max_funders, rules.wallet_enabled, rules.dates) == ("shaanxi-pilot", 3, False, "optional")


def test_no_profile_at_all_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RequestRejected) as caught:
        RegionBook(tmp_path).policy_for("410105", [])
    assert caught.value.code == "ERR_POLICY_UNKNOWN"


@pytest.mark.parametrize("broken", [{"mutual_aid": None}, {"mutual_aid": {"model": "drawdown", "dates": "never"}}])
def test_malformed_profiles_are_refused(broken: dict[str, Any]) -> None:
    with pytest.raises(RequestRejected) as caught:
        parse_policy(profile("national-default") | broken)
    assert caught.value.code == "ERR_BAD_POLICY"
