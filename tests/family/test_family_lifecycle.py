"""Binding lifecycle through real HTTP: review (Guangdong), ranks, ending by either party, automatic end
when the funder's insurance stops, the beneficiary's and the funder's views, and what settlement uses."""

from __future__ import annotations

from typing import Any

import pytest
from family_api import Api
from family_flows import buy, item, legs, till
from family_world import AREA, PHARMACY, person, world

REQ = "/app/bindings"


def bind(funder: str, beneficiary: str, relation: str = "child", **more: Any) -> dict[str, Any]:
    return {"funder": funder, "beneficiary": beneficiary, "relation": relation, "face_verified": True,
            "start": "2026-01-01", "end": "2026-12-31"} | more


def family(api: Api, region: str, ben_account: str = "0.00") -> dict[str, str]:
    return api.load(world(person("ben", region, psn_type="1201", birthday="1955-03-01", account=ben_account),
                          person("f1", region, account="100.00"), person("f2", region, account="300.00"),
                          person("other", region)))


# review (Guangdong) ------------------------------------------------------------------------------------
def test_guangdong_binding_pays_only_after_approval(api: Api) -> None:
    h = family(api, "guangdong")
    made = api.post(REQ, bind(h["f1"], h["ben"], "spouse"))
    assert (made["state"], made["in_force"]) == ("pending", False)
    pc = till(api, PHARMACY["guangdong"], AREA["guangdong"])
    before = buy(api, pc, h["ben"], [item("A001", "1", "40.00")], presettle=True)
    assert legs(before) == []  # a pending binding does not pay
    approved = api.post(f"/app/bindings/{made['binding_id']}/approve", {"reviewer": "越秀区医保经办"})
    assert (approved["state"], approved["in_force"]) == ("active", True)
    assert [h_["action"] for h_ in approved["history"]] == ["requested", "approved"]
    after = buy(api, pc, h["ben"], [item("A001", "1", "40.00")])
    assert legs(after) == [("funder", 1, h["f1"], "40.00")]
    api.conserved()


def test_guangdong_rejection(api: Api) -> None:
    h = family(api, "guangdong")
    made = api.post(REQ, bind(h["f1"], h["ben"], "spouse", rank=1))
    rejected = api.post(f"/app/bindings/{made['binding_id']}/reject", {"reason": "材料不全"})
    assert (rejected["state"], rejected["in_force"], rejected["reason"]) == ("rejected", False, "共济关系审核未通过")
    api.refused(f"/app/bindings/{made['binding_id']}/approve", {}, "ERR_BINDING_NOT_PENDING")
    assert api.post(REQ, bind(h["f2"], h["ben"], "spouse", rank=1))["rank"] == 1  # the rank is free again


def test_only_pending_bindings_are_reviewed(api: Api) -> None:
    h = family(api, "national")
    made = api.post(REQ, bind(h["f1"], h["ben"]))
    api.refused(f"/app/bindings/{made['binding_id']}/approve", {}, "ERR_BINDING_NOT_PENDING")
    api.refused(f"/app/bindings/{made['binding_id']}/reject", {}, "ERR_BINDING_NOT_PENDING")


def test_approval_rechecks_the_funder(api: Api) -> None:
    h = api.load(world(person("ben", "guangdong"), person("paused", "guangdong", status="2"),
                       bindings=[{"funder": "paused", "beneficiary": "ben", "rank": 1, "relation": "spouse",
                                  "state": "pending"}]))
    pending = api.get(f"/app/persons/{h['ben']}/funders")["bindings"][0]
    api.refused(f"/app/bindings/{pending['binding_id']}/approve", {}, "ERR_FUNDER_NOT_NORMAL")


def test_stopping_insurance_withdraws_a_pending_binding(api: Api) -> None:
    h = family(api, "guangdong")
    made = api.post(REQ, bind(h["f1"], h["ben"], "spouse"))
    api.post(f"/admin/persons/{h['f1']}/status", {"status": "2"})
    api.refused(f"/app/bindings/{made['binding_id']}/approve", {}, "ERR_BINDING_NOT_PENDING")


# ranks -----------------------------------------------------------------------------------------------
def test_beneficiary_swaps_ranks_and_settlement_follows(api: Api) -> None:
    h = family(api, "shaanxi")
    first = api.post(REQ, bind(h["f1"], h["ben"], rank=1))
    second = api.post(REQ, bind(h["f2"], h["ben"], rank=2))
    moved = api.post(f"/app/bindings/{second['binding_id']}/rank", {"rank": 1, "by": h["ben"]})
    assert moved["rank"] == 1
    view = api.get(f"/app/persons/{h['ben']}/funders")["bindings"]
    assert [(b["funder"]["psn_no"], b["rank"]) for b in view] == [(h["f2"], 1), (h["f1"], 2)]
    assert view[1]["history"][-1]["action"] == "rank_changed"
    out = buy(api, till(api, PHARMACY["shaanxi"], AREA["shaanxi"]), h["ben"], [item("A001", "1", "350.00")])
    assert legs(out) == [("funder", 1, h["f2"], "300.00"), ("funder", 2, h["f1"], "50.00")]
    assert first["binding_id"] != second["binding_id"]


def test_only_the_beneficiary_changes_ranks(api: Api) -> None:
    h = family(api, "shaanxi")
    made = api.post(REQ, bind(h["f1"], h["ben"], rank=1))
    api.refused(f"/app/bindings/{made['binding_id']}/rank", {"rank": 2, "by": h["f1"]}, "ERR_NOT_BENEFICIARY")
    api.refused(f"/app/bindings/{made['binding_id']}/rank", {"rank": 3, "by": h["ben"]}, "ERR_RANK_OUT_OF_RANGE")
    api.refused(f"/app/bindings/{made['binding_id']}/rank", {"by": h["ben"]}, "ERR_MISSING_FIELD")


# ending --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["f1", "ben"])
def test_either_party_ends_it(api: Api, who: str) -> None:
    h = family(api, "national")
    made = api.post(REQ, bind(h["f1"], h["ben"]))
    ended = api.post(f"/app/bindings/{made['binding_id']}/end", {"by": h[who]})
    assert (ended["state"], ended["in_force"]) == ("ended", False)
    assert ended["history"][-1] == ended["history"][-1] | {"action": "ended", "actor": h[who]}
    api.refused(f"/app/bindings/{made['binding_id']}/end", {"by": h[who]}, "ERR_BINDING_ENDED")
    api.refused(f"/app/bindings/{made['binding_id']}/rank", {"rank": 1, "by": h["ben"]}, "ERR_BINDING_ENDED")


def test_a_third_person_cannot_end_it(api: Api) -> None:
    h = family(api, "shaanxi")
    made = api.post(REQ, bind(h["f1"], h["ben"]))
    # a third person cannot see it, so it answers as if it did not exist (a371c46: ERR_NOT_A_PARTY, 400)
    api.refused(f"/app/bindings/{made['binding_id']}/end", {"by": h["other"]}, "ERR_BINDING_UNKNOWN", 404)


def test_funder_insurance_stopping_ends_the_bindings(api: Api) -> None:
    h = family(api, "shaanxi")
    made = api.post(REQ, bind(h["f1"], h["ben"], rank=1))
    api.post(REQ, bind(h["f2"], h["ben"], rank=2))
    changed = api.post(f"/admin/persons/{h['f1']}/status", {"status": "4"})
    assert changed == {"psn_no": h["f1"], "status": "4", "ended_bindings": [made["binding_id"]]}
    view = api.get(f"/app/persons/{h['ben']}/funders")["bindings"]
    assert [(b["rank"], b["state"]) for b in view] == [(1, "ended"), (2, "active")]
    assert view[0]["history"][-1]["action"] == "auto_ended"
    out = buy(api, till(api, PHARMACY["shaanxi"], AREA["shaanxi"]), h["ben"], [item("A001", "1", "20.00")])
    assert legs(out) == [("funder", 2, h["f2"], "20.00")]
    api.refused(f"/admin/persons/{h['f1']}/status", {"status": "9"}, "ERR_BAD_STATUS")


# views ---------------------------------------------------------------------------------------------------
def test_funder_view_lists_beneficiaries_and_spending(api: Api) -> None:
    h = family(api, "shaanxi", ben_account="10.00")
    api.post(REQ, bind(h["f1"], h["ben"]))
    api.post(REQ, bind(h["f1"], h["other"], "parent"))
    pc = till(api, PHARMACY["shaanxi"], AREA["shaanxi"])
    out = buy(api, pc, h["ben"], [item("A001", "1", "30.00")])
    revoke = pc.call("2103", {"data": {"setl_id": out["setlinfo"]["setl_id"], "mdtrt_id": out["setlinfo"]["mdtrt_id"],
                                       "psn_no": h["ben"]}})
    assert revoke.ok, revoke.body
    view = api.get(f"/app/persons/{h['f1']}/beneficiaries")
    assert sorted(b["beneficiary"]["psn_no"] for b in view["bindings"]) == sorted([h["ben"], h["other"]])
    assert [(s["entry"], s["patient"]["psn_no"], s["rank"], s["amount"]) for s in view["spending"]] == [
        ("settle", h["ben"], 1, "20.00"), ("revoke", h["ben"], 1, "-20.00")]
    assert view["spending"][0]["fixmedins_code"] == PHARMACY["shaanxi"]


def test_unknown_person_views_are_404(api: Api) -> None:
    h = family(api, "national")
    for path in ("/app/persons/00000000000000000000/funders", "/app/persons/00000000000000000000/beneficiaries",
                 "/app/bindings/12345"):
        with api.acting(h["ben"]):
            resp = api.call("GET", path)
        assert resp.status_code == 404 and resp.json()["code"] in ("ERR_PERSON_UNKNOWN", "ERR_BINDING_UNKNOWN")
