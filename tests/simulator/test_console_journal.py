"""The request journal and the console's routes: what is recorded (refusals, drops, fault events), masked
reads without a credential, writes only with the admin token when one is configured."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from flask import Flask
from sim_apps import AppPool, fresh
from sim_client import SERVICE, FlaskTransport
from sim_flows import PATIENT_CERT, Sim, pharmacy_shop

from tools.worlds import PHARMACY, world

TOKEN = "s3cret"


def journal(sim: Sim, **params: str) -> list[dict[str, Any]]:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return list(sim.t.get(f"/console/api/journal?{query}").body["entries"])


def test_every_exchange_is_recorded_refused_dropped_and_fault_events(sim: Sim) -> None:
    shop = pharmacy_shop(sim, "1", "9.00")
    pc, before = shop["pc"], sim.balances()
    sim.admin("post", "/faults", {"infno": "2102", "kind": "drop"})
    lost = pc.call("2102", shop["buy"])
    assert lost.status == 500 and lost.headers.get("X-Simulator-Dropped") == "1"
    assert sim.balances() == before  # "drop": the platform never ran
    resent = pc.call("2102", shop["buy"], msgid=pc.last_msgid)
    assert resent.ok  # the platform never saw the first: the same msgid goes through once
    sim.admin("delete", "/faults")
    sim.t.client.post("/fsi/api/rsfComIfsService/callService", data=b"not json")
    rows = journal(sim)
    newest = [(r["kind"], r["infno"], r["outcome"], r["err_code"], r["fault"]) for r in rows[:5]]
    assert newest == [("request", "", "refused", "ERR_BAD_JSON", ""), ("clear", "", "cleared", "", ""),
                      ("request", "2102", "ok", "", ""), ("request", "2102", "dropped", "", "drop"),
                      ("arm", "2102", "armed", "", "drop")]
    assert rows[-1]["infno"] == "9001" and rows[-1]["outcome"] == "ok"
    assert all(r["fixmedins_code"] in (PHARMACY, "") for r in rows)
    assert [r["infno"] for r in journal(sim, institution=PHARMACY) if r["kind"] == "request"] == ["2102", "2102",
                                                                                                  "9001"]
    unique = next(r for r in sim.admin("get", f"/audit?institution={PHARMACY}")["rules"] if r["id"] == "MSGID-UNIQUE")
    assert unique["status"] == "fail" and unique["breaches"][0]["msgids"] == [pc.last_msgid]


def test_the_journal_survives_on_postgresql_and_reset_empties_it(make_app: Any) -> None:
    sim = Sim(FlaskTransport(make_app().test_client()))  # parametrised: SQLite file and PostgreSQL
    pharmacy_shop(sim, "1", "9.00")["pc"].person_info("02", PATIENT_CERT[1])
    assert [r["infno"] for r in journal(sim)] == ["1101", "9001"]
    sim.admin("post", "/reset")
    assert journal(sim) == []


def test_a_slow_reply_is_journaled_in_arrival_order(app: Flask) -> None:
    """A till that times out on a slow 2102 reverses it (2601) while the 2102 still sleeps on the platform;
    the journal keeps arrival order, so the till's msgids are still in order."""
    sim = Sim(FlaskTransport(app.test_client()))
    shop = pharmacy_shop(sim, "1", "9.00")
    pc = shop["pc"]
    sim.admin("post", "/faults", {"infno": "2102", "kind": "delay", "delay_ms": 600})
    slow_msgid = pc.next_msgid()
    slow = threading.Thread(target=lambda: FlaskTransport(app.test_client()).post(
        SERVICE, pc.envelope("2102", shop["buy"], msgid=slow_msgid)))
    slow.start()
    time.sleep(0.2)  # the till's timeout
    assert pc.call("2601", {"data": {"psn_no": shop["pat"], "omsgid": slow_msgid, "oinfno": "2102"}}).ok
    slow.join()
    rows = [r for r in journal(sim, institution=PHARMACY) if r["kind"] == "request"]
    assert [(r["infno"], r["outcome"], r["err_code"]) for r in rows[:2]] == [
        ("2601", "ok", ""), ("2102", "refused", "ERR_MSGID_REVERSED")]  # newest first: the 2102 arrived first
    order = next(r for r in sim.admin("get", f"/audit?institution={PHARMACY}")["rules"] if r["id"] == "MSGID-ORDER")
    assert order["status"] == "pass", order


@pytest.fixture(scope="module")
def guarded_app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    pool = AppPool(f"sqlite:///{tmp_path_factory.mktemp('guarded') / 'sim.sqlite'}")
    yield pool.lease({"admin_token": TOKEN}, 0)
    pool.close()


@pytest.fixture
def guarded(guarded_app: Flask) -> Any:
    return fresh(guarded_app).test_client()


def test_console_reads_without_the_token_writes_need_it(guarded: Any) -> None:
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    assert guarded.post("/admin/world", json=world(), headers=bearer).status_code == 200
    page = guarded.get("/console")
    assert page.status_code == 200 and "管理令牌" in page.get_data(as_text=True)
    view = guarded.get("/console/api/overview").get_json()
    assert view["token_required"] is True and view["admin"] is False
    assert guarded.get("/console/api/overview", headers=bearer).get_json()["admin"] is True
    for path in ("/console/api/settlements", "/console/api/journal",
                 "/console/api/conservation", f"/console/audit?institution={PHARMACY}"):
        assert guarded.get(path).status_code == 200, path
    # people by name are the admin's: no psn_no found by name without the token (issue 12)
    assert guarded.get("/console/api/persons?q=周").status_code == 401
    assert guarded.get("/console/api/persons?q=周", headers=bearer).status_code == 200
    armed = guarded.post("/admin/faults", json={"infno": "2102", "kind": "drop_after_commit"})
    assert armed.status_code == 401 and armed.get_json()["code"] == "ERR_ADMIN_TOKEN"
    assert guarded.get("/console/api/overview").get_json()["faults"] == []  # nothing armed
    assert guarded.get(f"/admin/audit?institution={PHARMACY}").status_code == 401
    assert guarded.post("/admin/faults", json={"infno": "2102", "kind": "drop_after_commit"},
                        headers=bearer).status_code == 200
    assert guarded.get("/console/api/overview").get_json()["faults"][0]["kind"] == "drop_after_commit"


def test_persons_are_masked_in_the_console(sim: Sim) -> None:
    h = sim.load(world())["handles"]
    found = sim.t.get("/console/api/persons?q=周").body["persons"]
    assert {p["name"] for p in found} == {"周*"} and len(found) == 4
    assert all("*" in p["certno"] for p in found)
    by_tail = sim.t.get("/console/api/persons?q=1111").body["persons"]
    assert [p["psn_no"] for p in by_tail] == [h["pat"]]
    person = sim.t.get(f"/console/api/persons/{h['pat']}").body
    assert person["name"] == "周*" and person["certno"] == "610103********1111"
    assert [(b["rank"], b["funder"]) for b in person["bindings_in"]] == [(1, h["f1"]), (2, h["f2"])]
    code = sim.t.post(f"/console/api/persons/{h['kid']}/evoucher", {}).body
    assert code["png_base64"] and code["name"] == "周*"
    unknown = sim.t.get("/console/api/persons/NOBODY")
    assert unknown.status == 404 and unknown.body["code"].startswith("ERR_")


def test_settlements_show_their_legs(sim: Sim) -> None:
    shop = pharmacy_shop(sim, "1", "9.00")
    done = shop["pc"].call("2102", shop["buy"]).output["setlinfo"]
    [row] = sim.t.get(f"/console/api/settlements?institution={PHARMACY}").body["settlements"]
    assert row["setl_id"] == done["setl_id"] and row["status"] == "settled"
    assert {leg["source"] for leg in row["legs"]} >= {"own"} and all(leg["entry"] == "settle" for leg in row["legs"])
