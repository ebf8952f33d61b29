"""One policy parser with one set of defaults (docs/domain.md §3's national-default column), and which
region's policy applies to a person (§1, 异地就医). Pure: no app, no database."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from simulator.platform.errors import RequestRejected
from simulator.platform.policy import NEAR_RELATIVES, Policy, parse_policy
from simulator.platform.region import RegionBook, read_profiles

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def test_a_minimal_profile_takes_the_national_default_rules() -> None:
    policy = parse_policy({"name": "pilot", "mutual_aid": {"model": "drawdown"}})
    assert policy == Policy(name="pilot", province=None, model="drawdown", scope="province",
                            relations=NEAR_RELATIVES, max_funders=2, exclusive=False, review_required=False,
                            face_check_age=16, max_family_size=7, dates="optional", account_pays_ownpay=True,
                            wallet_enabled=True, fund=())


def test_the_national_default_profile_states_exactly_the_defaults() -> None:
    body = read_profiles(FIXTURES)["national-default"]
    minimal = {"name": body["name"], "province": body["province"], "mutual_aid": {"model": "drawdown"},
               "fund": body["fund"]}
    assert parse_policy(body) == parse_policy(minimal)


@pytest.mark.parametrize(("name", "province", "model", "scope", "relations", "max_funders", "ownpay", "wallet"), [
    ("shaanxi", "61", "drawdown", "province", 6, 2, True, True),
    ("gansu", "62", "family_pool", "province", 6, 1, True, True),
    ("guangdong", "44", "drawdown", "pooling_region", 3, 3, False, False),
    ("national-default", None, "drawdown", "province", 6, 2, True, True),
])
def test_every_shipped_profile_parses(name: str, province: str | None, model: str, scope: str, relations: int,
                                      max_funders: int, ownpay: bool, wallet: bool) -> None:
    policy = parse_policy(read_profiles(FIXTURES)[name])
    assert (policy.name, policy.province, policy.model, policy.scope, len(policy.relations), policy.max_funders,
            policy.account_pays_ownpay, policy.wallet_enabled) == (name, province, model, scope, relations,
                                                                   max_funders, ownpay, wallet)
    rule = policy.fund_rule("310", "retired", "11", "2")
    assert rule is not None and isinstance(rule.ratio, Decimal)


@pytest.mark.parametrize("broken", [
    {"mutual_aid": None},
    {"mutual_aid": {"scope": "province"}},  # no model
    {"mutual_aid": {"model": "lottery"}},
    {"mutual_aid": {"model": "drawdown", "scope": "planet"}},
    {"mutual_aid": {"model": "drawdown", "dates": "never"}},
    {"fund": [{"insutype": "310", "psn_class": "any", "med_type": "11", "level": "any", "deductible": "x",
               "ratio": "0.5", "cap": "1"}]},
    {"fund": [{"insutype": "310"}]},
])
def test_malformed_profiles_are_refused(broken: dict[str, Any]) -> None:
    body = {"name": "broken", "mutual_aid": {"model": "drawdown"}} | broken
    with pytest.raises(RequestRejected) as caught:
        parse_policy(body)
    assert caught.value.code == "ERR_BAD_POLICY"


def profile(file: str, **changes: Any) -> dict[str, Any]:
    return dict(json.loads((FIXTURES / "policies" / f"{file}.json").read_text(encoding="utf-8"))) | changes


@pytest.mark.parametrize(("insuplc", "name"), [("610103", "shaanxi"), ("622901", "gansu"), ("440305", "guangdong"),
                                               ("410105", "national-default"), ("", "national-default")])
def test_the_patients_province_picks_the_profile_wherever_the_shop_is(insuplc: str, name: str) -> None:
    book = RegionBook(FIXTURES)
    assert book.policy_for(insuplc, [profile("guangdong")], shop="guangdong").name == name


def test_among_loaded_profiles_of_one_province_the_shops_own_comes_first() -> None:
    pilot = profile("shaanxi", name="shaanxi-pilot", account_pays_ownpay=False)
    loaded = [profile("shaanxi"), pilot]
    book = RegionBook(FIXTURES)
    assert book.policy_for("610103", loaded).name == "shaanxi"  # no shop: loaded order
    assert book.policy_for("610103", loaded, shop="shaanxi-pilot").name == "shaanxi-pilot"
    assert book.policy_for("440106", loaded, shop="shaanxi-pilot").name == "guangdong"  # not the shop's province


def test_a_loaded_national_default_wins_over_the_shipped_one() -> None:
    custom = profile("national-default", wallet_enabled=False)
    assert RegionBook(FIXTURES).policy_for("110101", [custom]).wallet_enabled is False
