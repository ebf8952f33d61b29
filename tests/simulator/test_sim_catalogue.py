"""The platform's catalogue: 1312 paged by update time, lines split by the code the till sends (never by a
class it claims), unknown / out-of-date codes as 丙 with a warning or refused, 3301/3302 目录对照."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sim_client import fee_line
from sim_flows import Sim, druginfo, lines_of, open_visit, upload

from tools.worlds import HOSPITAL, PHARMACY, item, world

CATALOGUE = [
    {"code": "A001", "name": "阿莫西林胶囊", "class": "A"},
    {"code": "B001", "name": "复方甘草片", "class": "B", "selfpay_prop": "0.10", "lmt_used_flag": "1",
     "lmt_note": "限定支付：儿童"},
    {"code": "OLD1", "name": "已过期药", "class": "A", "enddate": "2025-12-31"},
    {"code": "GONE", "name": "停用药", "class": "A", "enddate": "2025-12-31", "expired_use": "refuse"},
    {"code": "CAP1", "name": "敷料包", "class": "A", "price_cap": "38.00"},
]


@pytest.fixture
def shop(sim: Sim) -> dict[str, Any]:
    handles = sim.load(world(catalogue=CATALOGUE))
    pc = sim.client(PHARMACY)
    pc.insuplc = "610103"
    return {"pc": pc, "pat": handles["handles"]["pat"], "cert": ("02", "610103197001011111")}


def buy(shop: dict[str, Any], *lines: dict[str, str]) -> dict[str, Any]:
    return druginfo(shop["pat"], shop["cert"], [fee_line(str(i), line) for i, line in enumerate(lines, 1)], "310")


def test_1312_pages_the_whole_catalogue_in_update_order(sim: Sim, shop: dict[str, Any]) -> None:
    pc = shop["pc"]
    first = pc.call("1312", {"data": {"updt_time": "", "page_num": "1", "page_size": "2"}}).output
    assert (first["recordCounts"], first["pages"], first["pageNum"], first["pageSize"]) == (5, 3, 1, 2)
    seen = []
    for page in (1, 2, 3):
        seen += pc.call("1312", {"data": {"page_num": page, "page_size": 2}}).output["data"]
    by_code = {row["hilist_code"]: row for row in seen}
    assert sorted(by_code) == ["A001", "B001", "CAP1", "GONE", "OLD1"]
    assert (by_code["B001"]["chrgitm_lv"], by_code["B001"]["selfpay_prop"], by_code["B001"]["lmt_used_flag"],
            by_code["B001"]["memo"]) == ("02", "0.10", "1", "限定支付：儿童")
    assert by_code["CAP1"]["hilist_pric_uplmt_amt"] == "38.00"
    assert (by_code["OLD1"]["vali_flag"], by_code["OLD1"]["enddate"], by_code["A001"]["vali_flag"]) == \
        ("0", "2025-12-31", "1")


def test_1312_serves_only_what_changed_since_a_version(sim: Sim, shop: dict[str, Any]) -> None:
    pc = shop["pc"]
    rows = pc.call("1312", {"data": {"page_size": 100}}).output["data"]
    version = max(row["updt_time"] for row in rows)
    sim.advance(60)
    saved = sim.admin("post", "/catalogue", {"entries": [
        {"code": "A001", "name": "阿莫西林胶囊", "class": "B", "selfpay_prop": "0.05"},
        {"code": "N001", "name": "新增药", "class": "A"}]})
    assert saved["saved"] == 2 and saved["updt_time"] > version
    changed = pc.call("1312", {"data": {"updt_time": version, "page_size": 100}}).output
    assert [(r["hilist_code"], r["chrgitm_lv"]) for r in changed["data"]] == [("A001", "02"), ("N001", "01")]
    assert changed["recordCounts"] == 2 and {r["updt_time"] for r in changed["data"]} == {saved["updt_time"]}
    assert pc.call("1312", {"data": {"updt_time": saved["updt_time"]}}).output["data"] == []


def test_a_change_at_a_frozen_clock_still_gets_a_newer_version(sim: Sim, shop: dict[str, Any]) -> None:
    pc = shop["pc"]
    version = max(row["updt_time"] for row in pc.call("1312", {"data": {}}).output["data"])
    first = sim.admin("post", "/catalogue", {"entries": [{"code": "N001", "class": "A"}]})["updt_time"]
    second = sim.admin("post", "/catalogue", {"entries": [{"code": "N002", "class": "A"}]})["updt_time"]
    assert version < first < second
    assert [r["hilist_code"] for r in pc.call("1312", {"data": {"updt_time": first}}).output["data"]] == ["N002"]


def test_1312_refuses_a_filter_it_would_ignore_and_bad_pages(sim: Sim, shop: dict[str, Any]) -> None:
    pc = shop["pc"]
    assert pc.call("1312", {"data": {"chrgitm_lv": "01"}}).code == "ERR_BAD_FIELD"
    assert pc.call("1312", {"data": {"colour": "red"}}).code == "ERR_BAD_FIELD"
    assert pc.call("1312", {"data": {"page_size": "0"}}).code == "ERR_BAD_FIELD"
    assert pc.call("1312", {"data": {"page_size": "5000"}}).code == "ERR_BAD_FIELD"
    assert pc.call("1312", {"data": {"updt_time": "yesterday"}}).code == "ERR_BAD_FIELD"


def test_a_line_splits_by_the_code_sent_whatever_class_the_till_thinks(sim: Sim, shop: dict[str, Any]) -> None:
    reply = shop["pc"].call("2101", buy(shop, item("B001", "1", "100.00")))
    line = reply.output["detlcutinfo"][0]
    assert (line["chrgitm_lv"], line["preselfpay_amt"], line["inscp_scp_amt"]) == ("02", "10.00", "90.00")
    assert reply.body["warn_msg"] is None


def test_unknown_and_expired_codes_are_own_pay_with_a_warning(sim: Sim, shop: dict[str, Any]) -> None:
    reply = shop["pc"].call("2101", buy(shop, item("ZZZ9", "1", "10.00"), item("OLD1", "2", "5.00"),
                                        item("A001", "1", "3.00")))
    lines = reply.output["detlcutinfo"]
    assert [(d["chrgitm_lv"], d["fulamt_ownpay_amt"]) for d in lines] == [("03", "10.00"), ("03", "10.00"),
                                                                          ("01", "0.00")]
    assert reply.output["setlinfo"]["fulamt_ownpay_amt"] == "20.00"
    assert "ZZZ9 不在医保目录中" in reply.body["warn_msg"] and "OLD1 不在有效期内" in reply.body["warn_msg"]


def test_a_code_whose_entry_forbids_use_after_its_end_is_refused(sim: Sim, shop: dict[str, Any]) -> None:
    before = sim.snapshot()
    reply = shop["pc"].call("2102", buy(shop, item("GONE", "1", "10.00")))
    assert reply.code == "ERR_LIST_CODE_REFUSED" and sim.snapshot() == before


def test_2204_splits_by_catalogue_and_warns(sim: Sim, shop: dict[str, Any]) -> None:
    hosp = sim.client(HOSPITAL)
    hosp.insuplc = "610103"
    mdtrt_id = open_visit(hosp, shop["pat"], shop["cert"], "310")
    reply = upload(hosp, mdtrt_id, shop["pat"], lines_of([item("CAP1", "2", "45.00"), item("NOPE", "1", "1.00")],
                                                          batch=True))
    result = reply.output["result"]
    assert [(r["chrgitm_lv"], r["overlmt_amt"], r["fulamt_ownpay_amt"]) for r in result] == [
        ("01", "14.00", "0.00"), ("03", "0.00", "1.00")]
    assert "NOPE" in reply.body["warn_msg"]


def test_3301_maps_item_codes_and_checks_them(app: Flask, sim: Sim, shop: dict[str, Any]) -> None:
    pc = shop["pc"]
    row = {"fixmedins_hilist_id": "SKU-0001", "fixmedins_hilist_name": "阿莫西林胶囊 0.25g×24", "list_type": "101",
           "med_list_codg": "A001", "begndate": "2026-01-01", "enddate": "2099-12-31"}
    assert pc.call("3301", {"data": row}).output == {"data": {"mapped": 1, "chk_stas": "1"}}
    assert [m.med_list_codg for m in app.extensions["simulator"].platform.catalogue.mappings(PHARMACY)] == ["A001"]
    before = sim.snapshot()
    assert pc.call("3301", {"data": row | {"med_list_codg": "NOPE"}}).code == "ERR_LIST_CODE_UNKNOWN"
    assert pc.call("3301", {"data": row | {"list_type": "301"}}).code == "ERR_BAD_MAPPING"
    assert pc.call("3301", {"data": row | {"colour": "red"}}).code == "ERR_BAD_MAPPING"
    assert pc.call("3301", {"data": row | {"enddate": "2020-01-01"}}).code == "ERR_BAD_MAPPING"
    assert pc.call("3301", {"data": [row, row]}).code == "ERR_BAD_MAPPING"
    assert sim.snapshot() == before
    assert pc.call("3302", {"data": {"fixmedins_hilist_id": "SKU-0001"}}).ok
    assert pc.call("3302", {"data": {"fixmedins_hilist_id": "SKU-0001"}}).code == "ERR_MAPPING_UNKNOWN"


def test_admin_catalogue_refuses_a_bad_entry_and_changes_nothing(sim: Sim, shop: dict[str, Any]) -> None:
    pc = shop["pc"]
    before = pc.call("1312", {"data": {}}).output["data"]
    for bad in ({"code": "X", "class": "D"}, {"code": "X", "class": "A", "colour": "red"},
                {"code": "X", "class": "A", "selfpay_prop": 0.1}, {"code": "X", "class": "A", "enddate": "soon"}):
        answer = sim.t.post("/admin/catalogue", {"entries": [{"code": "A001", "class": "A"}, bad]})
        assert answer.status == 400 and answer.body["code"] == "ERR_BAD_WORLD"
    assert pc.call("1312", {"data": {}}).output["data"] == before
