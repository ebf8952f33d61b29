"""World loading (scenario and world files), reset, handles and the inspection endpoints."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sim_flows import FIXTURES, Sim, scenario

from simulator import create_app
from tools.worlds import PHARMACY, world


def test_a_scenario_loads_its_world_clock_and_catalogue(sim: Sim) -> None:
    sc = scenario("shaanxi-retiree-two-funders")
    loaded = sim.load(sc)
    assert set(loaded["handles"]) == {"wang", "daughter", "son"}
    assert loaded["institutions"] == ["H61010300001"]
    assert sim.admin("get", "/clock")["now"] == "2026-03-02T10:15:00"
    wang = sim.person(loaded["handles"]["wang"])
    assert (wang["balance"], wang["ytd_deductible_used"], wang["ytd_fund_paid"], wang["wallet"]) == \
        ("35.20", "420.00", "1250.00", None)
    assert wang["card_sn"] == loaded["card_sn"]["wang"]
    assert sim.admin("get", "/handles") == {"handles": loaded["handles"], "pools": {}}
    bindings = sim.admin("get", f"/bindings?beneficiary={loaded['handles']['wang']}")["bindings"]
    assert [(b["funder"], b["rank"], b["end"]) for b in bindings] == [
        (loaded["handles"]["daughter"], 1, "2026-12-31"), (loaded["handles"]["son"], 2, None)]
    funded = sim.admin("get", f"/bindings?funder={loaded['handles']['son']}")["bindings"]
    assert [b["beneficiary"] for b in funded] == [loaded["handles"]["wang"]]


def test_psn_nos_are_real_looking_and_reproducible_from_the_seed(sim: Sim, make_app: Any) -> None:
    first = sim.load(world())["handles"]
    assert all(len(p) == 20 and p.isdigit() and p.startswith("610103") for p in first.values())
    sim.admin("post", "/reset")
    assert sim.load(world())["handles"] == first


def test_a_world_file_with_several_policies(sim: Sim) -> None:
    body = world(policies=["shaanxi", "gansu"])
    body["institutions"].append({"code": "P62290100003", "name": "临夏药店", "kind": "pharmacy",
                                 "admdvs": "622901", "level": "1", "wallet_enabled": True, "policy": "gansu"})
    assert sim.load(body)["institutions"] == [PHARMACY, "H61010300001", "P62290100003"]


def test_reset_empties_everything(sim: Sim) -> None:
    """How fast a reset is, is the bench's figure `admin reset (loaded world, median of 3)` (make bench,
    tools/bench/sim.py; ≤ 50 ms on SQLite and PostgreSQL), never a time limit here."""
    sim.load(world())
    sim.admin("post", "/reset")
    assert sim.balances() == {"accounts": {}, "pools": {}, "wallets": {}}
    assert sim.admin("get", "/handles") == {"handles": {}, "pools": {}}
    assert sim.conservation()["loaded"] == "0.00"


def test_conservation_counts_loads_and_top_ups(sim: Sim) -> None:
    h = sim.load(world())["handles"]
    sim.admin("post", "/topup", {"target": "account", "psn_no": h["pat"], "amount": "10.50"})
    sim.admin("post", "/topup", {"target": "wallet", "psn_no": h["kid"], "amount": "1.00"})
    check = sim.conservation()
    assert (check["ok"], check["loaded"], check["topups"], check["held"], check["difference"]) == \
        (True, "1410.00", "11.50", "1421.50", "0.00")
    for bad in ({"target": "account", "psn_no": h["kid"], "amount": "1"},
                {"target": "wallet", "psn_no": h["pat"], "amount": "1"},
                {"target": "account", "psn_no": h["pat"], "amount": "0"},
                {"target": "pool", "pool_id": "none", "amount": "1"}):
        reply = sim.t.post("/admin/topup", bad)
        assert reply.status in (400, 404) and reply.body["code"].startswith("ERR_")


@pytest.mark.parametrize(("change", "code"), [
    ({"format": "other/1"}, "ERR_BAD_WORLD"),
    ({"policies": ["atlantis"]}, "ERR_BAD_WORLD"),
    ({"today": "yesterday"}, "ERR_BAD_WORLD"),
])
def test_bad_worlds_are_refused_and_load_nothing(sim: Sim, change: dict[str, Any], code: str) -> None:
    reply = sim.t.post("/admin/world", world(**change))
    assert reply.status == 400 and reply.body["code"] == code
    assert sim.balances() == {"accounts": {}, "pools": {}, "wallets": {}}


@pytest.mark.parametrize("breakage", [
    lambda w: w["bindings"].append({"funder": "ghost", "beneficiary": "pat", "rank": 3}),
    lambda w: w["bindings"].append({"funder": "pat", "beneficiary": "pat", "rank": 3}),
    lambda w: w["bindings"].append({"funder": "f1", "beneficiary": "pat", "rank": 1}),
    lambda w: w["people"].append(dict(w["people"][0], id="twin")),
    lambda w: w["people"][3].update(account="10.00"),
    lambda w: w["people"][0].update(account="1.001"),
    lambda w: w["people"][0].update(insutype="999"),
    lambda w: w["people"][0].update(insuplc="61"),
    lambda w: w["wallets"].append({"owner": "nobody", "balance": "1.00"}),
    lambda w: w["catalogue"].append({"code": "X", "class": "D"}),
])
def test_inconsistent_worlds_are_refused(sim: Sim, breakage: Any) -> None:
    body = world()
    breakage(body)
    reply = sim.t.post("/admin/world", body)
    assert reply.status == 400 and reply.body["code"] == "ERR_BAD_WORLD", reply.body
    assert sim.balances()["accounts"] == {}


def test_loading_the_same_people_twice_is_refused_atomically(sim: Sim) -> None:
    sim.load(world())
    before = sim.snapshot()
    reply = sim.t.post("/admin/world", world())
    assert reply.status == 400 and reply.body["code"] == "ERR_DUPLICATE_PERSON"
    assert sim.snapshot() == before


def test_unknown_person_is_404(sim: Sim) -> None:
    reply = sim.t.get("/admin/persons/nobody")
    assert reply.status == 404 and reply.body["code"] == "ERR_PERSON_UNKNOWN" and reply.body["message"]


def test_clock_set_advance_and_freeze(sim: Sim) -> None:
    assert sim.admin("post", "/clock", {"now": "2026-02-03T04:05:06", "frozen": True})["now"] == "2026-02-03T04:05:06"
    assert sim.admin("post", "/clock/advance", {"seconds": 3600})["now"] == "2026-02-03T05:05:06"
    assert sim.t.post("/admin/clock", {"now": "noon"}).body["code"] == "ERR_BAD_TIME"


def test_load_option_of_create_app(tmp_path: Any) -> None:
    app = create_app({"db_url": f"sqlite:///{tmp_path / 'sim.sqlite'}", "load": [str(FIXTURES / "scenarios" / "own-account-covers-everything.json")]})
    try:
        handles = json.loads(app.test_client().get("/admin/handles").data)["handles"]
        assert set(handles) == {"zhao", "wife"}
    finally:
        app.extensions["simulator"].platform.store.dispose()
