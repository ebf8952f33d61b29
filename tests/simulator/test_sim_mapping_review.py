"""The platform's review of a 目录对照 (docs/protocol.md §6): a 3301 row is approved at once (`mapping_review`
auto, the default) or waits 待审核 (manual) until the tester approves or rejects it (`POST /admin/mappings/review`);
1317 shows each row's `chk_stas`; a line naming a mapped item that is not approved is refused on 2101/2102,
2204 and 2301 (`ERR_MAPPING_UNAPPROVED`) and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sim_client import fee_line
from sim_flows import PATIENT_CERT, Sim, druginfo, open_visit, upload
from stay_flows import admit, stay_lines
from stay_flows import upload as stay_upload

from tools.worlds import HOSPITAL, PHARMACY, item, world

ROW = {"fixmedins_hilist_id": "SKU-0001", "fixmedins_hilist_name": "阿莫西林胶囊 0.25g×24", "list_type": "101",
       "med_list_codg": "A001", "begndate": "2026-01-01", "enddate": "2099-12-31"}


def sku_line(sn: str = "1") -> dict[str, Any]:
    return fee_line(sn, item("A001", "2", "12.50"), medins_list_codg="SKU-0001")


@pytest.fixture
def manual(sim: Sim) -> dict[str, Any]:
    handles = sim.load(world(mapping_review="manual"))["handles"]
    pc = sim.client(PHARMACY)
    pc.insuplc = "610103"
    return {"pc": pc, "pat": handles["pat"]}


def review(sim: Sim, state: str, memo: str = "", inst: str = PHARMACY, items: tuple[str, ...] = ("SKU-0001",)) -> Any:
    return sim.t.post("/admin/mappings/review", {"fixmedins_code": inst, "items": list(items), "chk_stas": state,
                                                 **({"chk_memo": memo} if memo else {})})


def test_by_default_a_mapping_is_approved_at_once_and_1317_says_so(sim: Sim) -> None:
    pat = sim.load(world())["handles"]["pat"]
    pc = sim.client(PHARMACY)
    pc.insuplc = "610103"
    assert pc.call("3301", {"data": ROW}).output == {"data": {"mapped": 1, "chk_stas": "1"}}
    rows = pc.call("1317", {"data": {"page_num": 1, "page_size": 10}}).output
    assert (rows["recordCounts"], rows["pages"]) == (1, 1)
    row = rows["data"][0]
    assert (row["medins_list_codg"], row["med_list_codg"], row["chk_stas"], row["chk_stas_name"], row["vali_flag"]) \
        == ("SKU-0001", "A001", "1", "审核通过", "1")
    assert pc.call("2101", druginfo(pat, PATIENT_CERT, [sku_line()], "310")).ok


def test_a_pending_mapping_is_refused_on_every_flow_until_approved(sim: Sim, manual: dict[str, Any]) -> None:
    pc, pat = manual["pc"], manual["pat"]
    assert pc.call("3301", {"data": ROW}).output["data"]["chk_stas"] == "0"
    before = sim.snapshot()
    for infno in ("2101", "2102"):
        refused = pc.call(infno, druginfo(pat, PATIENT_CERT, [sku_line()], "310"))
        assert refused.code == "ERR_MAPPING_UNAPPROVED", refused.body
        assert "SKU-0001" in refused.err and "待审核" in refused.err
    hosp = sim.client(HOSPITAL)
    hosp.insuplc = "610103"
    assert hosp.call("3301", {"data": ROW}).ok
    mdtrt_id = open_visit(hosp, pat, PATIENT_CERT, "310")
    line = dict(sku_line(), mdtrt_id=mdtrt_id, psn_no=pat, chrg_bchno="B1")
    assert upload(hosp, mdtrt_id, pat, [line]).code == "ERR_MAPPING_UNAPPROVED"
    assert sim.snapshot() == before
    # a line sending the insurance code itself (no mapped item) is split as before
    assert pc.call("2101", druginfo(pat, PATIENT_CERT, [fee_line("1", item("A001", "2", "12.50"))], "310")).ok
    approved = review(sim, "1")
    assert approved.status == 200 and approved.body["mappings"][0]["chk_stas"] == "1"
    settled = pc.call("2102", druginfo(pat, PATIENT_CERT, [sku_line()], "310"))
    assert settled.ok and settled.output["setlinfo"]["medfee_sumamt"] == "25.00"


def test_a_rejected_mapping_is_refused_with_the_reason_and_a_new_upload_waits_again(
        sim: Sim, manual: dict[str, Any]) -> None:
    pc, pat = manual["pc"], manual["pat"]
    assert pc.call("3301", {"data": ROW}).ok
    assert review(sim, "2", "规格与医保目录不符").status == 200
    row = pc.call("1317", {"data": {"medins_list_codg": "SKU-0001"}}).output["data"][0]
    assert (row["chk_stas"], row["chk_stas_name"], row["chk_memo"]) == ("2", "审核不通过", "规格与医保目录不符")
    refused = pc.call("2101", druginfo(pat, PATIENT_CERT, [sku_line()], "310"))
    assert refused.code == "ERR_MAPPING_UNAPPROVED" and "规格与医保目录不符" in refused.err
    assert pc.call("3301", {"data": ROW | {"fixmedins_hilist_name": "阿莫西林胶囊 0.5g×24"}}).ok
    assert sim.admin("get", f"/mappings?fixmedins_code={PHARMACY}")["mappings"][0]["chk_stas"] == "0"


def test_a_pending_mapping_refuses_a_stay_fee_line(sim: Sim, manual: dict[str, Any]) -> None:
    hosp = sim.client(HOSPITAL)
    hosp.insuplc = "610103"
    assert hosp.call("3301", {"data": ROW}).ok
    mdtrt_id = admit(hosp, manual["pat"], PATIENT_CERT, "310").output["result"]["mdtrt_id"]
    lines = stay_lines(mdtrt_id, manual["pat"], "2026-05-02", [("1", item("A001", "1", "10.00"))])
    lines[0]["medins_list_codg"] = "SKU-0001"
    assert stay_upload(hosp, lines).code == "ERR_MAPPING_UNAPPROVED"
    assert review(sim, "1", inst=HOSPITAL).status == 200
    assert stay_upload(hosp, lines).ok


def test_1317_pages_by_update_time_and_refuses_what_it_would_ignore(sim: Sim, manual: dict[str, Any]) -> None:
    pc = manual["pc"]
    rows = [ROW | {"fixmedins_hilist_id": f"SKU-{n:04d}"} for n in (3, 1, 2)]
    assert pc.call("3301", {"data": rows}).ok
    page = pc.call("1317", {"data": {"page_num": 2, "page_size": 2}}).output
    assert ([r["medins_list_codg"] for r in page["data"]], page["recordCounts"], page["pages"]) == (
        ["SKU-0003"], 3, 2)
    version = max(r["updt_time"] for r in pc.call("1317", {"data": {}}).output["data"])
    sim.advance(60)
    assert review(sim, "1", items=("SKU-0002",)).status == 200
    changed = pc.call("1317", {"data": {"updt_time": version}}).output["data"]
    assert [(r["medins_list_codg"], r["chk_stas"]) for r in changed] == [("SKU-0002", "1")]
    assert pc.call("1317", {"data": {"fixmedins_code": HOSPITAL}}).code == "ERR_BAD_FIELD"
    assert pc.call("1317", {"data": {"list_type": "101"}}).code == "ERR_BAD_FIELD"
    assert pc.call("1317", {"data": {"colour": "red"}}).code == "ERR_BAD_FIELD"
    assert pc.call("1317", {"data": {"page_size": 0}}).code == "ERR_BAD_FIELD"


def test_a_bad_review_is_refused_and_changes_nothing(sim: Sim, manual: dict[str, Any]) -> None:
    assert manual["pc"].call("3301", {"data": ROW}).ok
    before = sim.admin("get", f"/mappings?fixmedins_code={PHARMACY}")
    cases = [
        (review(sim, "2"), 400, "ERR_BAD_MAPPING"),  # a rejection says why
        (review(sim, "0"), 400, "ERR_BAD_MAPPING"),
        (review(sim, "1", items=("SKU-0001", "SKU-9999")), 404, "ERR_MAPPING_UNKNOWN"),
        (review(sim, "1", inst="P99999999999"), 404, "ERR_INSTITUTION_UNKNOWN"),
        (review(sim, "1", items=()), 400, "ERR_BAD_MAPPING"),
        (sim.t.post("/admin/mappings/review", {"fixmedins_code": PHARMACY, "items": ["SKU-0001"], "chk_stas": "1",
                                               "colour": "red"}), 400, "ERR_BAD_MAPPING"),
        (sim.t.post("/admin/mappings/review", {"items": ["SKU-0001"], "chk_stas": "1"}), 400, "ERR_MISSING_FIELD"),
        (sim.t.get("/admin/mappings"), 400, "ERR_MISSING_FIELD"),
    ]
    for answer, status, code in cases:
        assert (answer.status, answer.body["code"]) == (status, code), answer.body
    assert sim.admin("get", f"/mappings?fixmedins_code={PHARMACY}") == before


def test_a_world_with_an_unknown_review_mode_is_refused(sim: Sim) -> None:
    answer = sim.t.post("/admin/world", world(mapping_review="sometimes"))
    assert (answer.status, answer.body["code"]) == (400, "ERR_BAD_WORLD") and "mapping_review" in answer.body["message"]


def test_reset_forgets_the_review_mode(sim: Sim, manual: dict[str, Any]) -> None:
    sim.admin("post", "/reset")
    sim.load(world())
    assert sim.client(PHARMACY).call("3301", {"data": ROW}).output["data"]["chk_stas"] == "1"
