"""Every statement a request runs is an indexed lookup: no full table scans (checked on SQLite's plans)."""

from __future__ import annotations

from typing import Any

import pytest
from sim_client import fee_line
from sim_flows import Sim, druginfo, open_visit, presettle_and_settle, setl_data, table_scans, upload

from tools.worlds import HOSPITAL, PHARMACY, item, world

CERT = ("02", "610103197001011111")


def _exercise(sim: Sim) -> None:
    h = sim.load(world())["handles"]
    shop, clinic = sim.client(PHARMACY), sim.client(HOSPITAL)
    for pc in (shop, clinic):
        pc.insuplc = "610103"
    token = sim.token(shop, h["pat"])
    shop.person_info("01", token)
    info = shop.call("2102", druginfo(h["pat"], ("01", token), [fee_line("1", item("B001", "2", "9.00"))], "310"))
    setl = info.output["setlinfo"]
    shop.call("2103", {"data": {"setl_id": setl["setl_id"], "mdtrt_id": setl["mdtrt_id"], "psn_no": h["pat"]}})
    shop.call("2601", {"data": {"psn_no": h["pat"], "omsgid": shop.last_msgid, "oinfno": "2103"}})
    mdtrt_id = open_visit(clinic, h["pat"], CERT, "310")
    upload(clinic, mdtrt_id, h["pat"], [fee_line("1", item("A001", "1", "50.00"), chrg_bchno="B1")])
    done = presettle_and_settle(clinic, setl_data(h["pat"], CERT, mdtrt_id, "50.00", "310"))[1].output["setlinfo"]
    clinic.call("2208", {"data": {"setl_id": done["setl_id"], "mdtrt_id": mdtrt_id, "psn_no": h["pat"]}})
    clinic.call("5203", {"data": {"psn_no": h["pat"], "setl_id": done["setl_id"]}})
    clinic.call("2601", {"data": {"psn_no": h["pat"], "omsgid": clinic.next_msgid(), "oinfno": "2207"}})


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.own_app
def test_request_statements_use_indexes(sim: Sim, app: Any) -> None:
    _exercise(sim)
    store = app.extensions["simulator"].platform.store
    prepared, scans = table_scans(store)
    assert prepared > 25  # the flows above really went through the compiled statements
    assert scans == []
