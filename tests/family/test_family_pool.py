"""Gansu family pool through real HTTP: create, invite under the rules, allot (划拨), pay, remove, dissolve."""

from __future__ import annotations

from typing import Any

import pytest
from family_api import Api
from family_flows import buy, item, legs, till
from family_world import AREA, PHARMACY, child, person, world

POOLS = "/app/pools"


@pytest.fixture
def gansu(api: Api) -> dict[str, str]:
    """Creator `dad` (account 1,000.00) and relatives in Lanzhou; `far` insured in Shaanxi."""
    return api.load(world(person("dad", "gansu", account="1000.00"), person("mum", "gansu", account="0.00"),
                          child("kid", "gansu2"), person("gran", "gansu", psn_type="1201", birthday="1950-01-01"),
                          person("res", "gansu", insutype="390", psn_type="1501", account=None),
                          person("stopped", "gansu", status="4"), person("far", "shaanxi"),
                          person("uncle", "gansu")))


def create(api: Api, creator: str) -> str:
    return str(api.post(POOLS, {"creator": creator, "face_verified": True})["pool_id"])


def invite(psn_no: str, by: str, relation: str = "spouse", face: bool = True) -> dict[str, Any]:
    return {"psn_no": psn_no, "relation": relation, "face_verified": face, "by": by}


def test_create_invite_allot_and_pay(api: Api, gansu: dict[str, str]) -> None:
    h = gansu
    pool_id = create(api, h["dad"])
    api.post(f"{POOLS}/{pool_id}/members", invite(h["mum"], h["dad"]))
    api.post(f"{POOLS}/{pool_id}/members", invite(h["kid"], h["dad"], "parent", face=False))  # 9 years old
    for amount in ("100.00", "250.00", "0.01"):  # no limit on count
        api.post(f"{POOLS}/{pool_id}/allot", {"amount": amount, "by": h["dad"]})
    pool = api.get(f"{POOLS}/{pool_id}")
    assert (pool["balance"], pool["state"]) == ("350.01", "active")
    assert [(m["psn_no"], m["relation"]) for m in pool["members"]] == sorted(
        [(h["mum"], "spouse"), (h["kid"], "parent")])
    assert api.balances()["accounts"][h["dad"]] == "649.99"
    out = buy(api, till(api, PHARMACY["gansu"], AREA["gansu"]), h["kid"], [item("A001", "2", "30.00")])
    assert legs(out) == [("pool", 1, h["dad"], "60.00")]
    assert api.get(f"{POOLS}/{pool_id}")["spending"][0]["patient"]["psn_no"] == h["kid"]
    api.conserved()


def test_allot_has_no_amount_limit_but_needs_the_money(api: Api, gansu: dict[str, str]) -> None:
    h = gansu
    pool_id = create(api, h["dad"])
    api.post(f"{POOLS}/{pool_id}/allot", {"amount": "1000.00", "by": h["dad"]})
    api.refused(f"{POOLS}/{pool_id}/allot", {"amount": "0.01", "by": h["dad"]}, "ERR_INSUFFICIENT_BALANCE")
    api.refused(f"{POOLS}/{pool_id}/allot", {"amount": "0.00", "by": h["dad"]}, "ERR_BAD_AMOUNT")
    api.refused(f"{POOLS}/{pool_id}/allot", {"amount": "1.001", "by": h["dad"]}, "ERR_BAD_NUMBER")
    # not a member: the pool answers as if it did not exist (a371c46: ERR_NOT_CREATOR)
    api.refused(f"{POOLS}/{pool_id}/allot", {"amount": "1.00", "by": h["mum"]}, "ERR_POOL_UNKNOWN", 404)


def test_creator_rules(api: Api, gansu: dict[str, str]) -> None:
    h = gansu
    api.refused(POOLS, {"creator": h["res"], "face_verified": True}, "ERR_FUNDER_NOT_EMPLOYEE")
    api.refused(POOLS, {"creator": h["stopped"], "face_verified": True}, "ERR_FUNDER_NOT_NORMAL")
    api.refused(POOLS, {"creator": h["dad"]}, "ERR_FACE_CHECK_REQUIRED")
    api.refused(POOLS, {"creator": h["far"], "face_verified": True}, "ERR_MODEL_DRAWDOWN")


@pytest.mark.parametrize(("who", "relation", "face", "code"), [
    ("dad", "spouse", True, "ERR_SELF_BINDING"),
    ("uncle", "cousin", True, "ERR_RELATION_NOT_ALLOWED"),
    ("stopped", "sibling", True, "ERR_BENEFICIARY_NOT_INSURED"),
    ("far", "sibling", True, "ERR_OUT_OF_SCOPE"),
    ("gran", "child", False, "ERR_FACE_CHECK_REQUIRED"),
])
def test_member_rules(api: Api, gansu: dict[str, str], who: str, relation: str, face: bool, code: str) -> None:
    pool_id = create(api, gansu["dad"])
    api.refused(f"{POOLS}/{pool_id}/members", invite(gansu[who], gansu["dad"], relation, face), code)


def test_one_family_group_per_person(api: Api, gansu: dict[str, str]) -> None:
    h = gansu
    first = create(api, h["dad"])
    api.post(f"{POOLS}/{first}/members", invite(h["mum"], h["dad"]))
    api.refused(f"{POOLS}/{first}/members", invite(h["mum"], h["dad"]), "ERR_ALREADY_MEMBER")
    second = create(api, h["gran"])
    api.refused(f"{POOLS}/{second}/members", invite(h["mum"], h["gran"], "parent"), "ERR_EXCLUSIVE_FAMILY")
    api.refused(f"{POOLS}/{second}/members", invite(h["dad"], h["gran"], "parent"), "ERR_EXCLUSIVE_FAMILY")
    api.refused(POOLS, {"creator": h["dad"], "face_verified": True}, "ERR_EXCLUSIVE_FAMILY")
    api.refused(POOLS, {"creator": h["mum"], "face_verified": True}, "ERR_EXCLUSIVE_FAMILY")


def test_family_of_seven_including_the_creator(api: Api) -> None:
    kids = [person(f"k{i}", "gansu", birthday="2000-01-01") for i in range(7)]
    h = api.load(world(person("dad", "gansu"), *kids))
    pool_id = create(api, h["dad"])
    for i in range(6):
        api.post(f"{POOLS}/{pool_id}/members", invite(h[f"k{i}"], h["dad"], "parent"))
    api.refused(f"{POOLS}/{pool_id}/members", invite(h["k6"], h["dad"], "parent"), "ERR_FAMILY_TOO_LARGE")


def test_only_the_creator_removes_members(api: Api, gansu: dict[str, str]) -> None:
    h = gansu
    pool_id = create(api, h["dad"])
    api.post(f"{POOLS}/{pool_id}/members", invite(h["mum"], h["dad"]))
    api.post(f"{POOLS}/{pool_id}/allot", {"amount": "50.00", "by": h["dad"]})
    path = f"{POOLS}/{pool_id}/members/{h['mum']}/remove"
    api.refused(path, {"by": h["mum"]}, "ERR_NOT_CREATOR")  # who may end it: the creator (Gansu)
    api.refused(f"{POOLS}/{pool_id}/members/{h['kid']}/remove", {"by": h["dad"]}, "ERR_NOT_A_MEMBER")
    assert api.post(path, {"by": h["dad"]})["members"] == []
    out = buy(api, till(api, PHARMACY["gansu"], AREA["gansu"]), h["mum"], [item("A001", "1", "10.00")])
    assert legs(out) == []  # no longer a member: no pool leg (mum's own account is empty)


def test_dissolve_returns_the_balance_to_the_creator(api: Api, gansu: dict[str, str]) -> None:
    h = gansu
    pool_id = create(api, h["dad"])
    api.post(f"{POOLS}/{pool_id}/members", invite(h["mum"], h["dad"]))
    api.post(f"{POOLS}/{pool_id}/allot", {"amount": "300.00", "by": h["dad"]})
    buy(api, till(api, PHARMACY["gansu"], AREA["gansu"]), h["mum"], [item("A001", "1", "45.50")])
    api.refused(f"{POOLS}/{pool_id}/dissolve", {"by": h["mum"]}, "ERR_NOT_CREATOR")
    pool = api.post(f"{POOLS}/{pool_id}/dissolve", {"by": h["dad"]})
    assert (pool["state"], pool["balance"], pool["members"]) == ("dissolved", "0.00", [])
    assert api.balances()["accounts"][h["dad"]] == "954.50"
    api.refused(f"{POOLS}/{pool_id}/allot", {"amount": "1.00", "by": h["dad"]}, "ERR_POOL_DISSOLVED")
    api.refused(f"{POOLS}/{pool_id}/dissolve", {"by": h["dad"]}, "ERR_POOL_DISSOLVED")
    assert create(api, h["dad"]) != pool_id  # free to start a new group
    api.conserved()


def test_unknown_pool(api: Api, gansu: dict[str, str]) -> None:
    api.refused(f"{POOLS}/GJ00000000000000/allot", {"amount": "1.00", "by": gansu["dad"]}, "ERR_POOL_UNKNOWN",
                status=404)


def test_a_revoke_after_dissolving_is_swept_back_to_the_creator(api: Api, gansu: dict[str, str]) -> None:
    h = gansu
    pool_id = create(api, h["dad"])
    api.post(f"{POOLS}/{pool_id}/members", invite(h["mum"], h["dad"]))
    api.post(f"{POOLS}/{pool_id}/allot", {"amount": "100.00", "by": h["dad"]})
    pc = till(api, PHARMACY["gansu"], AREA["gansu"])
    setl = buy(api, pc, h["mum"], [item("A001", "1", "40.00")])["setlinfo"]
    api.post(f"{POOLS}/{pool_id}/dissolve", {"by": h["dad"]})
    assert api.balances()["accounts"][h["dad"]] == "960.00"
    revoked = pc.call("2103", {"data": {"setl_id": setl["setl_id"], "mdtrt_id": setl["mdtrt_id"], "psn_no": h["mum"]}})
    assert revoked.ok, revoked.body
    assert api.get(f"{POOLS}/{pool_id}")["balance"] == "40.00"  # the leg went back where it came from
    api.refused(f"{POOLS}/{pool_id}/dissolve", {"by": h["mum"]}, "ERR_NOT_CREATOR")
    swept = api.post(f"{POOLS}/{pool_id}/dissolve", {"by": h["dad"]})
    assert (swept["balance"], api.balances()["accounts"][h["dad"]]) == ("0.00", "1000.00")
    api.refused(f"{POOLS}/{pool_id}/members", invite(h["mum"], h["dad"]), "ERR_POOL_DISSOLVED")
    api.conserved()
