"""Drug traceability codes on the platform: form, one code per box of a traced drug, a box never sold twice,
a revoke or reversal frees the returned boxes, 2204/2205/2207 keep the codes with the visit's lines."""

from __future__ import annotations

from typing import Any

import pytest
from sim_client import fee_line
from sim_flows import Sim, druginfo, lines_of, open_visit, upload

from tools.worlds import HOSPITAL, PHARMACY, item, world

BOX1, BOX2, BOX3 = "81000000000000000001", "81000000000000000002", "81000000000000000003"
GS1 = "(01)06901234567892(21)SN0001"  # GTIN-14 06901234567892 has a valid check digit
CATALOGUE = [{"code": "T001", "name": "须追溯药", "class": "A", "traced": True},
             {"code": "A001", "name": "普通药", "class": "A"}]


@pytest.fixture
def shop(sim: Sim) -> dict[str, Any]:
    handles = sim.load(world(catalogue=CATALOGUE))
    pc = sim.client(PHARMACY)
    pc.insuplc = "610103"
    return {"pc": pc, "pat": handles["handles"]["pat"], "cert": ("02", "610103197001011111")}


def line(sn: str, code: str, qty: str, *codes: str) -> dict[str, Any]:
    row = fee_line(sn, item(code, qty, "10.00"))
    if codes:
        row["drugtracinfo"] = [{"drug_trac_codg": c} for c in codes]
    return row


def sale(shop: dict[str, Any], *rows: dict[str, Any]) -> dict[str, Any]:
    return druginfo(shop["pat"], shop["cert"], list(rows), "310")


def revoke(shop: dict[str, Any], info: dict[str, Any]) -> Any:
    return shop["pc"].call("2103", {"data": {"setl_id": info["setl_id"], "mdtrt_id": info["mdtrt_id"],
                                             "psn_no": shop["pat"]}})


def test_a_traced_line_needs_one_wellformed_code_per_box(sim: Sim, shop: dict[str, Any]) -> None:
    pc, before = shop["pc"], sim.snapshot()
    assert pc.call("2102", sale(shop, line("1", "T001", "2", BOX1))).code == "ERR_TRACE_COUNT"
    assert pc.call("2102", sale(shop, line("1", "T001", "1"))).code == "ERR_TRACE_COUNT"
    assert pc.call("2102", sale(shop, line("1", "T001", "1", "12345"))).code == "ERR_BAD_TRACE_CODE"
    assert pc.call("2102", sale(shop, line("1", "T001", "2", BOX1, BOX1))).code == "ERR_BAD_TRACE_CODE"
    assert pc.call("2102", sale(shop, line("1", "T001", "1", "(01)06901234567891(21)X"))).code == "ERR_BAD_TRACE_CODE"
    assert pc.call("2102", sale(shop, line("1", "T001", "0.5", BOX1))).code == "ERR_TRACE_COUNT"
    both = line("1", "T001", "1", BOX1) | {"drug_trac_codg": BOX2}
    assert pc.call("2102", sale(shop, both)).code == "ERR_BAD_TRACE_CODE"
    assert sim.snapshot() == before
    reply = pc.call("2101", sale(shop, line("1", "T001", "2", BOX1, GS1), line("2", "A001", "1")))
    assert [d["trac_rqr_flag"] for d in reply.output["detlcutinfo"]] == ["1", "0"]


def test_the_count_on_druginfo_must_match_the_codes(sim: Sim, shop: dict[str, Any]) -> None:
    body = sale(shop, line("1", "T001", "1", BOX1))
    body["druginfo"]["minpacunt_drug_trac_cnt"] = 2
    assert shop["pc"].call("2101", body).code == "ERR_TRACE_COUNT"
    body["druginfo"]["minpacunt_drug_trac_cnt"] = 1
    assert shop["pc"].call("2101", body).ok


def test_a_box_is_sold_once_and_a_revoke_frees_it(sim: Sim, shop: dict[str, Any]) -> None:
    pc = shop["pc"]
    first = pc.call("2102", sale(shop, line("1", "T001", "1", BOX1))).output["setlinfo"]
    before = sim.snapshot()
    again = pc.call("2102", sale(shop, line("1", "T001", "1", BOX1)))
    assert again.code == "ERR_TRACE_CODE_SOLD" and first["setl_id"] in again.err
    assert pc.call("2101", sale(shop, line("1", "A001", "1", BOX1))).code == "ERR_TRACE_CODE_SOLD"
    assert sim.snapshot() == before
    assert revoke(shop, first).ok
    assert pc.call("2102", sale(shop, line("1", "T001", "1", BOX1))).ok


def test_the_old_single_text_form_is_read_too(sim: Sim, shop: dict[str, Any]) -> None:
    row = fee_line("1", item("T001", "2", "10.00")) | {"drug_trac_codg": f"{BOX2},{BOX3}"}
    assert shop["pc"].call("2102", sale(shop, row)).ok
    assert shop["pc"].call("2102", sale(shop, line("1", "T001", "1", BOX3))).code == "ERR_TRACE_CODE_SOLD"


def test_a_reversed_settlement_frees_its_boxes(sim: Sim, shop: dict[str, Any]) -> None:
    pc = shop["pc"]
    pc.call("2102", sale(shop, line("1", "T001", "1", BOX1)))
    msgid = pc.last_msgid
    assert pc.call("2601", {"data": {"psn_no": shop["pat"], "omsgid": msgid, "oinfno": "2102"}}).ok
    assert pc.call("2102", sale(shop, line("1", "T001", "1", BOX1))).ok


def test_a_reversed_revoke_is_refused_when_its_box_was_sold_again(sim: Sim, shop: dict[str, Any]) -> None:
    pc = shop["pc"]
    first = pc.call("2102", sale(shop, line("1", "T001", "1", BOX1))).output["setlinfo"]
    assert revoke(shop, first).ok
    revoke_msgid = pc.last_msgid
    assert pc.call("2102", sale(shop, line("1", "T001", "1", BOX1))).ok
    before = sim.snapshot()
    reply = pc.call("2601", {"data": {"psn_no": shop["pat"], "omsgid": revoke_msgid, "oinfno": "2103"}})
    assert reply.code == "ERR_TRACE_CODE_SOLD" and sim.snapshot() == before


def test_outpatient_lines_keep_their_codes_until_settled(sim: Sim, shop: dict[str, Any]) -> None:
    hosp = sim.client(HOSPITAL)
    hosp.insuplc = "610103"
    mdtrt_id = open_visit(hosp, shop["pat"], shop["cert"], "310")
    rows = lines_of([item("T001", "1", "10.00")], batch=True)
    missing = upload(hosp, mdtrt_id, shop["pat"], rows)
    assert missing.code == "ERR_TRACE_COUNT"
    rows[0]["drugtracinfo"] = [{"drug_trac_codg": BOX2}]
    reply = upload(hosp, mdtrt_id, shop["pat"], rows)
    assert reply.output["result"][0]["trac_rqr_flag"] == "1"
    deleted = hosp.call("2205", {"data": {"mdtrt_id": mdtrt_id, "psn_no": shop["pat"], "chrg_bchno": "0000"}})
    assert deleted.output == {"deleted": 1}
    rows[0]["feedetl_sn"] = "9"
    assert upload(hosp, mdtrt_id, shop["pat"], rows).ok
