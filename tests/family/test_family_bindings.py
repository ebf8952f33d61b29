"""Binding rules (docs/domain.md §3) per region profile, through real HTTP; every refusal changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from family_api import Api
from family_world import child, person, world

REQ = "/app/bindings"
YES = {"funder": True, "beneficiary": True}


def bind(funder: str, beneficiary: str, relation: str = "child", **more: Any) -> dict[str, Any]:
    return {"funder": funder, "beneficiary": beneficiary, "relation": relation, "face_verified": YES,
            "start": "2026-01-01", "end": "2026-12-31"} | more


def family(api: Api, region: str, *extra: dict[str, Any]) -> dict[str, str]:
    """A beneficiary `ben` and two funders `f1`, `f2` insured in `region`, plus `extra` people."""
    return api.load(world(person("ben", region, psn_type="1201", birthday="1955-03-01"),
                          person("f1", region), person("f2", region), *extra))


# relation ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("region", "relation", "state"), [
    ("national", "sibling", "active"), ("national", "grandchild", "active"),
    ("shaanxi", "grandparent", "active"), ("shaanxi", "spouse", "active"),
    ("guangdong", "spouse", "pending"), ("guangdong", "parent", "pending"),
])
def test_allowed_relation_makes_a_binding(api: Api, region: str, relation: str, state: str) -> None:
    h = family(api, region)
    made = api.post(REQ, bind(h["f1"], h["ben"], relation))
    assert (made["state"], made["relation"], made["rank"]) == (state, relation, 1)
    assert made["history"][0]["action"] == "requested"


@pytest.mark.parametrize(("region", "relation"), [
    ("guangdong", "sibling"), ("guangdong", "grandparent"), ("guangdong", "grandchild"),
    ("national", "friend"), ("shaanxi", "neighbour"),
])
def test_relation_not_allowed(api: Api, region: str, relation: str) -> None:
    h = family(api, region)
    api.refused(REQ, bind(h["f1"], h["ben"], relation), "ERR_RELATION_NOT_ALLOWED")


# funder and beneficiary ----------------------------------------------------------------------------------
@pytest.mark.parametrize("region", ["national", "shaanxi", "guangdong"])
def test_funder_must_be_employee_insured(api: Api, region: str) -> None:
    h = family(api, region, person("res", region, insutype="390", psn_type="1501", account=None))
    api.refused(REQ, bind(h["res"], h["ben"]), "ERR_FUNDER_NOT_EMPLOYEE")


@pytest.mark.parametrize(("region", "status"), [("national", "2"), ("shaanxi", "4"), ("guangdong", "2")])
def test_funder_must_be_insured_normally(api: Api, region: str, status: str) -> None:
    h = family(api, region, person("paused", region, status=status))
    api.refused(REQ, bind(h["paused"], h["ben"]), "ERR_FUNDER_NOT_NORMAL")


def test_guangdong_retiree_may_fund(api: Api) -> None:
    h = family(api, "guangdong", person("retiree", "guangdong", psn_type="1201", birthday="1950-01-01"))
    assert api.post(REQ, bind(h["retiree"], h["ben"], "spouse"))["state"] == "pending"


@pytest.mark.parametrize("region", ["national", "shaanxi", "guangdong"])
def test_beneficiary_must_be_insured_normally(api: Api, region: str) -> None:
    h = family(api, region, person("stopped", region, status="4"))
    api.refused(REQ, bind(h["f1"], h["stopped"], "parent"), "ERR_BENEFICIARY_NOT_INSURED")


def test_resident_beneficiary_is_fine(api: Api) -> None:
    h = family(api, "shaanxi", child("kid", "shaanxi"))
    assert api.post(REQ, bind(h["f1"], h["kid"], "parent"))["state"] == "active"


@pytest.mark.parametrize("region", ["national", "shaanxi", "guangdong"])
def test_no_self_binding(api: Api, region: str) -> None:
    h = family(api, region)
    api.refused(REQ, bind(h["f1"], h["f1"]), "ERR_SELF_BINDING")


def test_same_pair_twice_is_refused(api: Api) -> None:
    h = family(api, "national")
    api.post(REQ, bind(h["f1"], h["ben"]))
    api.refused(REQ, bind(h["f1"], h["ben"], rank=2), "ERR_BINDING_EXISTS")


# ranks and number of funders ---------------------------------------------------------------------------
@pytest.mark.parametrize(("region", "rank"), [("shaanxi", 3), ("national", 3), ("shaanxi", 0), ("guangdong", 4)])
def test_rank_out_of_range(api: Api, region: str, rank: int) -> None:
    h = family(api, region)
    api.refused(REQ, bind(h["f1"], h["ben"], "spouse", rank=rank), "ERR_RANK_OUT_OF_RANGE")


def test_guangdong_allows_rank_three(api: Api) -> None:
    h = family(api, "guangdong")
    assert api.post(REQ, bind(h["f1"], h["ben"], "spouse", rank=3))["rank"] == 3


@pytest.mark.parametrize("region", ["national", "shaanxi", "guangdong"])
def test_rank_taken(api: Api, region: str) -> None:
    h = family(api, region)
    api.post(REQ, bind(h["f1"], h["ben"], "child", rank=1))
    api.refused(REQ, bind(h["f2"], h["ben"], "child", rank=1), "ERR_RANK_TAKEN")


def test_rank_defaults_to_the_lowest_free_one(api: Api) -> None:
    h = family(api, "shaanxi")
    api.post(REQ, bind(h["f1"], h["ben"], rank=2))
    assert api.post(REQ, bind(h["f2"], h["ben"]))["rank"] == 1


@pytest.mark.parametrize(("region", "allowed"), [("national", 2), ("shaanxi", 2), ("guangdong", 3)])
def test_too_many_funders(api: Api, region: str, allowed: int) -> None:
    extra = [person(f"x{i}", region) for i in range(allowed + 1)]
    h = family(api, region, *extra)
    for i in range(allowed):
        api.post(REQ, bind(h[f"x{i}"], h["ben"]))
    api.refused(REQ, bind(h[f"x{allowed}"], h["ben"]), "ERR_TOO_MANY_FUNDERS")


def test_family_of_seven_including_the_funder(api: Api) -> None:
    kids = [person(f"k{i}", "national", birthday="2000-01-01") for i in range(7)]
    h = family(api, "national", *kids)
    for i in range(6):  # f1 + six children = 7 people
        api.post(REQ, bind(h["f1"], h[f"k{i}"], "parent"))
    api.refused(REQ, bind(h["f1"], h["k6"], "parent"), "ERR_FAMILY_TOO_LARGE")
    api.refused(REQ, bind(h["f2"], h["k0"], "sibling"), "ERR_FAMILY_TOO_LARGE")  # a newcomer joins via k0


def test_ended_bindings_leave_the_family(api: Api) -> None:
    kids = [person(f"k{i}", "national", birthday="2000-01-01") for i in range(7)]
    h = family(api, "national", *kids)
    made = [api.post(REQ, bind(h["f1"], h[f"k{i}"], "parent")) for i in range(6)]
    api.post(f"/app/bindings/{made[0]['binding_id']}/end", {"by": h["k0"]})
    assert api.post(REQ, bind(h["f1"], h["k6"], "parent"))["state"] == "active"


# scope ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("region", "funder_area", "ok"), [
    ("shaanxi", "shaanxi2", True), ("shaanxi", "national", False),
    ("national", "national2", True), ("national", "sichuan", False),
    ("guangdong", "guangdong", True), ("guangdong", "guangdong2", False),
])
def test_scope(api: Api, region: str, funder_area: str, ok: bool) -> None:
    h = family(api, region, person("away", funder_area))
    body = bind(h["away"], h["ben"], "spouse")
    if ok:
        api.post(REQ, body)
    else:
        api.refused(REQ, body, "ERR_OUT_OF_SCOPE")


# face check ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("region", ["national", "shaanxi"])
def test_face_check_from_sixteen(api: Api, region: str) -> None:
    h = family(api, region, child("kid", region, birthday="2016-06-01"),
               child("teen", region, birthday="2010-03-02"))  # 16 today
    api.refused(REQ, bind(h["f1"], h["ben"], face_verified={"funder": False, "beneficiary": True}),
                "ERR_FACE_CHECK_REQUIRED")
    api.refused(REQ, bind(h["f1"], h["teen"], "parent", face_verified={"funder": True, "beneficiary": False}),
                "ERR_FACE_CHECK_REQUIRED")
    kid = api.post(REQ, bind(h["f1"], h["kid"], "parent", face_verified={"funder": True, "beneficiary": False}))
    assert kid["state"] == "active"


def test_guangdong_face_check_for_both_parties_at_any_age(api: Api) -> None:
    h = family(api, "guangdong", child("kid", "guangdong", birthday="2018-01-01"))
    api.refused(REQ, bind(h["f1"], h["kid"], "parent", face_verified={"funder": True, "beneficiary": False}),
                "ERR_FACE_CHECK_REQUIRED")
    assert api.post(REQ, bind(h["f1"], h["kid"], "parent", face_verified=True))["state"] == "pending"


# dates ---------------------------------------------------------------------------------------------------
def test_shaanxi_requires_start_and_end(api: Api) -> None:
    h = family(api, "shaanxi")
    api.refused(REQ, bind(h["f1"], h["ben"], end=None), "ERR_DATES_REQUIRED")
    api.refused(REQ, bind(h["f1"], h["ben"], start=None), "ERR_DATES_REQUIRED")


def test_national_dates_are_optional(api: Api) -> None:
    h = family(api, "national")
    made = api.post(REQ, bind(h["f1"], h["ben"], start=None, end=None))
    assert (made["start"], made["end"], made["in_force"]) == (None, None, True)


@pytest.mark.parametrize("region", ["national", "shaanxi"])
def test_end_before_start(api: Api, region: str) -> None:
    h = family(api, region)
    api.refused(REQ, bind(h["f1"], h["ben"], start="2026-06-01", end="2026-05-31"), "ERR_END_BEFORE_START")


def test_end_in_the_past(api: Api) -> None:
    h = family(api, "national")
    api.refused(REQ, bind(h["f1"], h["ben"], start="2025-01-01", end="2026-03-01"), "ERR_END_IN_PAST")


def test_future_start_is_not_in_force_yet(api: Api) -> None:
    h = family(api, "shaanxi")
    made = api.post(REQ, bind(h["f1"], h["ben"], start="2026-04-01"))
    assert (made["state"], made["in_force"]) == ("active", False)
    assert "尚未生效" in made["reason"]


# the Gansu model has no direct bindings -----------------------------------------------------------------
def test_gansu_uses_the_family_pool_instead(api: Api) -> None:
    h = family(api, "gansu")
    api.refused(REQ, bind(h["f1"], h["ben"]), "ERR_MODEL_FAMILY_POOL")


# malformed and unknown -----------------------------------------------------------------------------------
def test_malformed_requests(api: Api) -> None:
    h = family(api, "national")
    api.refused(REQ, bind(h["f1"], h["ben"], start="2026-13-01"), "ERR_BAD_DATE")
    api.refused(REQ, bind(h["f1"], h["ben"], rank="first"), "ERR_BAD_FIELD")
    api.refused(REQ, bind(h["f1"], h["ben"], face_verified="yes"), "ERR_BAD_FIELD")
    api.refused(REQ, {"funder": h["f1"], "beneficiary": h["ben"]}, "ERR_MISSING_FIELD")
    api.refused(REQ, bind("61010399999999999999", h["ben"]), "ERR_PERSON_UNKNOWN", status=404)
    api.refused("/app/bindings/999/end", {"by": h["f1"]}, "ERR_BINDING_UNKNOWN", status=404)


def test_face_flags_must_be_booleans(api: Api) -> None:
    h = family(api, "national")
    api.refused(REQ, bind(h["f1"], h["ben"], face_verified={"funder": "1", "beneficiary": True}), "ERR_BAD_FIELD")
