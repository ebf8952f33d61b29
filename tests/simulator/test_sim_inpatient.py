"""Inpatient stays (docs/domain.md §2.7): 2401 → 2301 (two days) → 2402 → 2303 → 2304, 2305, the cancels,
every state rule as a refusal that changes nothing, 2601 for a lost 2304/2305, 5203 and 3201 with clr_type 21."""

from __future__ import annotations

from typing import Any

import pytest
from sim_flows import PATIENT_CERT, Sim, open_visit
from stay_flows import admit, discharge, ids, presettle_and_settle, stay_data, stay_lines, upload

from tools.worlds import HOSPITAL, item, world

CERT = PATIENT_CERT
DAY1 = [("1", item("A001", "1", "1000.00")), ("2", item("B001", "2", "100.00")), ("3", item("C001", "1", "50.00"))]
DAY2 = [("4", item("CAP1", "2", "45.00"))]
MEDFEE = "1340.00"


@pytest.fixture
def ward(sim: Sim) -> dict[str, Any]:
    h = sim.load(world())["handles"]
    pc = sim.client(HOSPITAL)
    pc.insuplc = "610103"
    mdtrt_id = admit(pc, h["pat"], CERT, "310").output["result"]["mdtrt_id"]
    return {"pc": pc, "h": h, "pat": h["pat"], "mdtrt_id": mdtrt_id}


def fees(ward: dict[str, Any], day: str, items: list[tuple[str, dict[str, str]]]) -> list[dict[str, Any]]:
    return stay_lines(ward["mdtrt_id"], ward["pat"], day, items)


def data(ward: dict[str, Any], medfee: str = MEDFEE, **over: Any) -> dict[str, Any]:
    return stay_data(ward["pat"], CERT, ward["mdtrt_id"], medfee, "310", **over)


def run_stay(ward: dict[str, Any]) -> dict[str, Any]:
    """Two days of fees, discharge, pre-settle and settle; returns the 2304 output."""
    pc = ward["pc"]
    assert upload(pc, fees(ward, "2026-05-02", DAY1)).ok and upload(pc, fees(ward, "2026-05-05", DAY2)).ok
    assert discharge(pc, ward["mdtrt_id"], ward["pat"]).ok
    pre, done = presettle_and_settle(pc, data(ward))
    assert "setl_id" not in pre.output["setlinfo"]
    return dict(done.output)


def test_2301_returns_the_split_of_each_line(sim: Sim, ward: dict[str, Any]) -> None:
    result = upload(ward["pc"], fees(ward, "2026-05-05", DAY2 + DAY1[1:2])).output["result"]
    assert [(r["feedetl_sn"], r["overlmt_amt"], r["preselfpay_amt"], r["inscp_scp_amt"]) for r in result] == \
        [("4", "14.00", "0.00", "76.00"), ("2", "0.00", "20.00", "180.00")]


def test_a_first_stay_pays_the_whole_deductible_and_revoke_puts_everything_back(sim: Sim, ward: dict[str, Any]) -> None:
    before = sim.snapshot()
    done = run_stay(ward)
    info = done["setlinfo"]
    # Shaanxi, employed, level 2, inpatient: deductible 500.00, ratio 0.88; in scope 1000 + 180 + 76 = 1256.00.
    assert (info["clr_type"], info["med_type"], info["inscp_scp_amt"], info["act_pay_dedc"], info["hifp_pay"],
            info["psn_part_amt"], info["acct_pay"], info["acct_mulaid_pay"], info["psn_cash_pay"]) == \
        ("21", "21", "1256.00", "500.00", "665.28", "674.72", "674.72", "654.72", "0.00")
    assert [(leg["source"], leg["rank"], leg["amount"]) for leg in done["payleg"]] == \
        [("own", None, "20.00"), ("funder", 1, "50.00"), ("funder", 2, "604.72")]
    person = sim.person(ward["pat"])
    assert person["inpatient_year"] == {"year": 2026, "fund_paid": "665.28", "stays": 1}
    assert (person["ytd_deductible_used"], person["ytd_fund_paid"]) == ("650.00", "0.00")  # outpatient untouched
    pc, stay = ward["pc"], ids(ward["mdtrt_id"], ward["pat"])
    revoke = pc.call("2305", {"data": dict(stay["data"], setl_id=info["setl_id"])})
    assert revoke.output["setlinfo"]["hifp_pay"] == "-665.28"
    after = sim.snapshot()
    assert after["balances"] == before["balances"] and after["conservation"]["ok"]
    assert sim.person(ward["pat"])["inpatient_year"] == {"year": 2026, "fund_paid": "0.00", "stays": 0}
    # Revoked, the stay is discharged again: settled anew with today's balances.
    again = presettle_and_settle(pc, data(ward))[1]
    assert again.output["setlinfo"]["hifp_pay"] == "665.28"


def test_a_second_stay_of_the_year_owes_the_repeat_share_of_the_deductible(sim: Sim, ward: dict[str, Any]) -> None:
    run_stay(ward)
    pc, pat = ward["pc"], ward["pat"]
    second = admit(pc, pat, CERT, "310", begntime="2026-05-09 08:00:00").output["result"]["mdtrt_id"]
    again = dict(ward, mdtrt_id=second)
    assert upload(pc, fees(again, "2026-05-09", DAY1 + DAY2)).ok
    assert discharge(pc, second, pat, endtime="2026-05-10 09:00:00").ok
    info = presettle_and_settle(pc, data(again))[1].output["setlinfo"]
    # repeat_deductible_ratio 0.50: 250.00; fund round2(1006.00 × 0.88) = 885.28; accounts drained, f2 has 395.28.
    assert (info["act_pay_dedc"], info["hifp_pay"], info["acct_pay"], info["psn_cash_pay"]) == \
        ("250.00", "885.28", "395.28", "59.44")
    assert sim.person(pat)["inpatient_year"] == {"year": 2026, "fund_paid": "1550.56", "stays": 2}


def test_a_revoked_stay_does_not_count_towards_the_repeat_deductible(sim: Sim, ward: dict[str, Any]) -> None:
    first = run_stay(ward)["setlinfo"]
    pc, pat = ward["pc"], ward["pat"]
    assert pc.call("2305", {"data": {"setl_id": first["setl_id"], "mdtrt_id": ward["mdtrt_id"], "psn_no": pat}}).ok
    assert pc.call("2405", ids(ward["mdtrt_id"], pat)).ok and pc.call("2302", {"data": {
        "feedetl_sn": "0000", "mdtrt_id": ward["mdtrt_id"], "psn_no": pat}}).output == {"deleted": 4}
    assert pc.call("2404", ids(ward["mdtrt_id"], pat)).ok
    second = admit(pc, pat, CERT, "310", begntime="2026-05-09 08:00:00").output["result"]["mdtrt_id"]
    again = dict(ward, mdtrt_id=second)
    assert upload(pc, fees(again, "2026-05-09", DAY1 + DAY2)).ok and discharge(pc, second, pat, "2026-05-10 09:00:00").ok
    assert presettle_and_settle(pc, data(again))[1].output["setlinfo"]["act_pay_dedc"] == "500.00"


def test_the_inpatient_cap_is_counted_apart_from_outpatient(sim: Sim) -> None:
    people = world()["people"]
    people[0]["ytd"] = {"deductible_used": "650.00", "fund_paid": "5999.00", "inpatient_fund_paid": "149800.00",
                        "inpatient_stays": 1}
    h = sim.load(world(people=people))["handles"]
    pc = sim.client(HOSPITAL)
    pc.insuplc = "610103"
    mdtrt_id = admit(pc, h["pat"], CERT, "310").output["result"]["mdtrt_id"]
    w = {"pc": pc, "pat": h["pat"], "mdtrt_id": mdtrt_id}
    info = run_stay(w)["setlinfo"]
    # Second stay: deductible 250.00; round2(1006 × 0.88) = 885.28 capped at 150000 − 149800 = 200.00.
    assert (info["act_pay_dedc"], info["hifp_pay"]) == ("250.00", "200.00")


def test_every_state_rule_is_a_refusal_that_changes_nothing(sim: Sim, ward: dict[str, Any]) -> None:
    pc, pat, mdtrt_id = ward["pc"], ward["pat"], ward["mdtrt_id"]
    stay = ids(mdtrt_id, pat)
    before = sim.snapshot()
    refused = {
        "settle before discharge": pc.call("2303", {"data": data(ward, "0.00")}),
        "no fee lines": (discharge(pc, mdtrt_id, pat), pc.call("2303", {"data": data(ward, "0.00")}))[1],
        "fees after discharge": upload(pc, fees(ward, "2026-05-02", DAY1)),
        "discharge twice": discharge(pc, mdtrt_id, pat),
        "cancel admission while discharged": pc.call("2404", stay),
    }
    assert pc.call("2405", stay).ok
    refused |= {
        "cancel a discharge never made": pc.call("2405", stay),
        "fee before admission": upload(pc, fees(ward, "2026-04-30", DAY1)),
        "discharge before admission": discharge(pc, mdtrt_id, pat, endtime="2026-04-30 10:00:00"),
        "discharge of a stay never admitted": discharge(pc, "H6101NOSUCHSTAY", pat),
        "second admission": admit(pc, pat, CERT, "310"),
        "mid-stay settlement": pc.call("2303", {"data": data(ward, "0.00", mid_setl_flag="1")}),
        "outpatient settle of a stay": pc.call("2206", {"data": dict(data(ward, "0.00"), med_type="11",
                                                                     chrg_bchno="0000")}),
    }
    assert {name: reply.code for name, reply in refused.items()} == {
        "settle before discharge": "ERR_STAY_NOT_DISCHARGED", "no fee lines": "ERR_NO_FEE_LINES",
        "fees after discharge": "ERR_STAY_DISCHARGED", "discharge twice": "ERR_STAY_DISCHARGED",
        "cancel admission while discharged": "ERR_STAY_DISCHARGED",
        "cancel a discharge never made": "ERR_STAY_NOT_DISCHARGED", "fee before admission": "ERR_FEE_OUTSIDE_STAY",
        "discharge before admission": "ERR_DISCHARGE_BEFORE_ADMISSION",
        "discharge of a stay never admitted": "ERR_STAY_UNKNOWN", "second admission": "ERR_STAY_OPEN",
        "mid-stay settlement": "ERR_MID_SETTLEMENT", "outpatient settle of a stay": "ERR_VISIT_UNKNOWN",
    }
    assert "2301" in refused["no fee lines"].err
    assert sim.snapshot() == before


def test_a_settled_stay_refuses_every_change_until_revoked(sim: Sim, ward: dict[str, Any]) -> None:
    info = run_stay(ward)["setlinfo"]
    pc, pat, mdtrt_id = ward["pc"], ward["pat"], ward["mdtrt_id"]
    stay = ids(mdtrt_id, pat)
    before = sim.snapshot()
    refused = {
        "settle twice": pc.call("2303", {"data": data(ward)}),
        "cancel the discharge": pc.call("2405", stay),
        "cancel the admission": pc.call("2404", stay),
        "delete lines": pc.call("2302", {"data": dict(stay["data"], feedetl_sn="0000")}),
        "change the admission": pc.call("2403", {"adminfo": dict(stay["data"], adm_bed="99")}),
        "outpatient revoke": pc.call("2208", {"data": dict(stay["data"], setl_id=info["setl_id"])}),
    }
    assert {name: reply.code for name, reply in refused.items()} == {
        "settle twice": "ERR_STAY_SETTLED", "cancel the discharge": "ERR_STAY_SETTLED",
        "cancel the admission": "ERR_STAY_SETTLED", "delete lines": "ERR_STAY_SETTLED",
        "change the admission": "ERR_STAY_SETTLED", "outpatient revoke": "ERR_WRONG_REVOKE"}
    assert "2305" in refused["cancel the discharge"].err and "住院" in refused["outpatient revoke"].err
    assert sim.snapshot() == before
    assert pc.call("2305", {"data": dict(stay["data"], setl_id=info["setl_id"])}).ok
    assert pc.call("2305", {"data": dict(stay["data"], setl_id=info["setl_id"])}).code == "ERR_ALREADY_REVOKED"
    assert pc.call("2405", stay).ok and pc.call("2404", stay).ok
    assert upload(pc, fees(ward, "2026-05-02", DAY1)).code == "ERR_STAY_CANCELLED"


def test_an_outpatient_settlement_is_not_revoked_as_a_stay(sim: Sim, ward: dict[str, Any]) -> None:
    pc, pat = ward["pc"], ward["pat"]
    visit = open_visit(pc, pat, CERT, "310")
    assert pc.call("2301", {"feedetail": stay_lines(visit, pat, "2026-05-02", DAY1)}).code == "ERR_STAY_UNKNOWN"


def test_2403_changes_the_ward_and_2302_deletes_one_line(sim: Sim, ward: dict[str, Any]) -> None:
    pc, pat, mdtrt_id = ward["pc"], ward["pat"], ward["mdtrt_id"]
    assert upload(pc, fees(ward, "2026-05-02", DAY1)).ok
    assert pc.call("2403", {"adminfo": {"mdtrt_id": mdtrt_id, "psn_no": pat, "adm_bed": "07",
                                        "begntime": "2026-05-03 09:00:00"}}).code == "ERR_FEE_OUTSIDE_STAY"
    assert pc.call("2403", {"adminfo": {"mdtrt_id": mdtrt_id, "psn_no": pat, "adm_bed": "07"}}).ok
    assert pc.call("2302", {"data": {"feedetl_sn": "3", "mdtrt_id": mdtrt_id, "psn_no": pat}}).output == {"deleted": 1}
    assert discharge(pc, mdtrt_id, pat).ok
    assert pc.call("2303", {"data": data(ward, "1200.00")}).output["setlinfo"]["medfee_sumamt"] == "1200.00"


def test_2601_undoes_a_lost_2304_and_a_lost_2305(sim: Sim, ward: dict[str, Any]) -> None:
    pc, pat = ward["pc"], ward["pat"]
    before = sim.snapshot()
    info = run_stay(ward)["setlinfo"]
    settled_by = info["medins_setl_id"]
    reply = pc.call("2601", {"data": {"psn_no": pat, "omsgid": settled_by, "oinfno": "2304"}})
    assert reply.output["data"]["result"] == "reversed"
    assert sim.snapshot()["balances"] == before["balances"]
    assert sim.person(pat)["inpatient_year"]["stays"] == 0
    again = presettle_and_settle(pc, data(ward))[1].output["setlinfo"]
    revoke = pc.call("2305", {"data": {"setl_id": again["setl_id"], "mdtrt_id": ward["mdtrt_id"], "psn_no": pat}})
    assert revoke.ok
    undone = pc.call("2601", {"data": {"psn_no": pat, "omsgid": pc.last_msgid, "oinfno": "2305"}})
    assert undone.output["data"]["result"] == "reversed"
    assert sim.person(pat)["inpatient_year"] == {"year": 2026, "fund_paid": "665.28", "stays": 1}
    assert pc.call("2405", ids(ward["mdtrt_id"], pat)).code == "ERR_STAY_SETTLED"  # settled again
    lost = pc.next_msgid()
    assert pc.call("2601", {"data": {"psn_no": pat, "omsgid": lost, "oinfno": "2304"}}).output["data"]["result"] == \
        "marked_dead"


def test_5203_and_3201_see_a_stay_as_clr_type_21(sim: Sim, ward: dict[str, Any]) -> None:
    pc, pat = ward["pc"], ward["pat"]
    info = run_stay(ward)["setlinfo"]
    found = pc.call("5203", {"data": {"psn_no": pat, "setl_id": info["setl_id"], "mdtrt_id": ward["mdtrt_id"]}})
    assert (found.output["setlinfo"]["clr_type"], found.output["setlinfo"]["hifp_pay"]) == ("21", "665.28")
    totals = {"insutype": "310", "clr_type": "21", "setl_optins": "610103", "stmt_begndate": "2026-05-10",
              "stmt_enddate": "2026-05-10", "medfee_sumamt": MEDFEE, "fund_pay_sumamt": "665.28",
              "acct_pay": "674.72", "fixmedins_setl_cnt": "1", "refd_setl_flag": "0"}
    assert pc.call("3201", {"data": totals}).output["stmtinfo"]["stmt_rslt"] == "0"
    outpatient = pc.call("3201", {"data": dict(totals, clr_type="11")}).output["stmtinfo"]
    assert outpatient["stmt_rslt"] == "1"
