"""Outpatient 2201 → 2203 → 2204 → 2206 → 2207, 2208 revoke, 2202 cancel, 2205 delete lines."""

from __future__ import annotations

from typing import Any

import pytest
from sim_client import fee_line
from sim_flows import PATIENT_CERT, Sim, open_visit, presettle_and_settle, setl_data, upload

from tools.worlds import HOSPITAL, item, world

CERT = PATIENT_CERT


@pytest.fixture
def clinic(sim: Sim) -> dict[str, Any]:
    h = sim.load(world())["handles"]
    pc = sim.client(HOSPITAL)
    pc.insuplc = "610103"
    mdtrt_id = open_visit(pc, h["pat"], CERT, "310")
    return {"pc": pc, "h": h, "pat": h["pat"], "mdtrt_id": mdtrt_id}


LINES = [fee_line("1", item("A001", "1", "100.00"), chrg_bchno="B1"),
         fee_line("2", item("CAP1", "2", "45.00"), chrg_bchno="B1"),
         fee_line("3", item("C001", "1", "10.00"), chrg_bchno="B2")]


def data(clinic: dict[str, Any], medfee: str, **over: Any) -> dict[str, Any]:
    return setl_data(clinic["pat"], CERT, clinic["mdtrt_id"], medfee, "310", **over)


def test_upload_returns_the_platform_split_per_line(sim: Sim, clinic: dict[str, Any]) -> None:
    result = upload(clinic["pc"], clinic["mdtrt_id"], clinic["pat"], LINES).output["result"]
    assert [(r["feedetl_sn"], r["chrgitm_lv"], r["overlmt_amt"], r["inscp_scp_amt"], r["fulamt_ownpay_amt"])
            for r in result] == [("1", "01", "0.00", "100.00", "0.00"), ("2", "01", "14.00", "76.00", "0.00"),
                                 ("3", "03", "0.00", "0.00", "10.00")]
    assert result[1]["pric_uplmt_amt"] == "38.00"


def test_full_outpatient_flow_and_revoke(sim: Sim, clinic: dict[str, Any]) -> None:
    pc, h = clinic["pc"], clinic["h"]
    upload(pc, clinic["mdtrt_id"], clinic["pat"], LINES)
    before = sim.snapshot()
    pre, done = presettle_and_settle(pc, data(clinic, "200.00"))
    assert "setl_id" not in pre.output["setlinfo"]
    info = done.output["setlinfo"]
    # Employed, level 2: deductible already used; fund round2(176.00 × 0.65) = 114.40.
    assert (info["inscp_scp_amt"], info["hifp_pay"], info["psn_part_amt"], info["acct_pay"]) == \
        ("176.00", "114.40", "85.60", "85.60")
    assert [(leg["source"], leg["amount"]) for leg in done.output["payleg"]] == \
        [("own", "20.00"), ("funder", "50.00"), ("funder", "15.60")]
    assert {d["fund_pay_type"]: d["fund_payamt"] for d in done.output["setldetail"]} == \
        {"310100": "114.40", "310200": "85.60"}
    assert sim.person(h["pat"])["ytd_fund_paid"] == "114.40"
    assert pc.call("2206", {"data": data(clinic, "200.00")}).code == "ERR_ALREADY_SETTLED"
    revoke = pc.call("2208", {"data": {"setl_id": info["setl_id"], "mdtrt_id": clinic["mdtrt_id"],
                                       "psn_no": clinic["pat"]}})
    assert revoke.output["setlinfo"]["hifp_pay"] == "-114.40"
    after = sim.snapshot()
    assert after["balances"] == before["balances"] and after["conservation"]["ok"]
    assert sim.person(h["pat"])["ytd_fund_paid"] == "0.00"
    # After a revoke the lines are unsettled again and can be settled anew.
    assert presettle_and_settle(pc, data(clinic, "200.00"))[1].ok


def test_settling_one_batch_leaves_the_other(sim: Sim, clinic: dict[str, Any]) -> None:
    pc = clinic["pc"]
    upload(pc, clinic["mdtrt_id"], clinic["pat"], LINES)
    first = presettle_and_settle(pc, data(clinic, "190.00", chrg_bchno="B1"))[1]
    assert first.output["setlinfo"]["medfee_sumamt"] == "190.00"
    again = pc.call("2206", {"data": data(clinic, "190.00", chrg_bchno="B1")})
    assert again.code == "ERR_ALREADY_SETTLED"
    second = presettle_and_settle(pc, data(clinic, "10.00", chrg_bchno="B2"))[1]
    assert second.output["setlinfo"]["fulamt_ownpay_amt"] == "10.00"


def test_medfee_must_equal_the_uploaded_lines(sim: Sim, clinic: dict[str, Any]) -> None:
    upload(clinic["pc"], clinic["mdtrt_id"], clinic["pat"], LINES)
    before = sim.snapshot()
    assert clinic["pc"].call("2206", {"data": data(clinic, "199.99")}).code == "ERR_MEDFEE_MISMATCH"
    assert sim.snapshot() == before


def test_settle_must_carry_the_presettled_amounts(sim: Sim, clinic: dict[str, Any]) -> None:
    pc = clinic["pc"]
    upload(pc, clinic["mdtrt_id"], clinic["pat"], LINES)
    before = sim.snapshot()
    missing = pc.call("2207", {"data": data(clinic, "200.00")})
    assert missing.code == "ERR_MISSING_FIELD" and "inscp_scp_amt" in missing.err
    wrong = data(clinic, "200.00", fulamt_ownpay_amt="10.00", overlmt_selfpay="14.00", preselfpay_amt="0.00",
                 inscp_scp_amt="170.00")
    reply = pc.call("2207", {"data": wrong})
    assert reply.code == "ERR_AMOUNT_MISMATCH" and "inscp_scp_amt" in reply.err
    assert sim.snapshot() == before


def test_nothing_to_settle_without_lines(sim: Sim, clinic: dict[str, Any]) -> None:
    assert clinic["pc"].call("2206", {"data": data(clinic, "0.00")}).code == "ERR_NO_FEE_LINES"


def test_delete_lines_of_a_batch_or_all_unsettled(sim: Sim, clinic: dict[str, Any]) -> None:
    pc, ids = clinic["pc"], {"mdtrt_id": clinic["mdtrt_id"], "psn_no": clinic["pat"]}
    upload(pc, clinic["mdtrt_id"], clinic["pat"], LINES)
    assert pc.call("2205", {"data": dict(ids, chrg_bchno="B2")}).output == {"deleted": 1}
    assert pc.call("2206", {"data": data(clinic, "190.00")}).output["setlinfo"]["medfee_sumamt"] == "190.00"
    assert pc.call("2205", {"data": dict(ids, chrg_bchno="0000")}).output == {"deleted": 2}
    assert pc.call("2206", {"data": data(clinic, "0.00")}).code == "ERR_NO_FEE_LINES"


def test_uploading_the_same_line_twice_is_refused(sim: Sim, clinic: dict[str, Any]) -> None:
    upload(clinic["pc"], clinic["mdtrt_id"], clinic["pat"], LINES[:1])
    reply = upload(clinic["pc"], clinic["mdtrt_id"], clinic["pat"], LINES[:1])
    assert reply.code == "ERR_DUPLICATE_FEE_LINE"
    both = upload(clinic["pc"], clinic["mdtrt_id"], clinic["pat"], [LINES[1], LINES[1]])
    assert both.code == "ERR_DUPLICATE_FEE_LINE"


def test_cancel_is_refused_while_settled_and_allowed_after_revoke(sim: Sim, clinic: dict[str, Any]) -> None:
    pc, ids = clinic["pc"], {"mdtrt_id": clinic["mdtrt_id"], "psn_no": clinic["pat"]}
    upload(pc, clinic["mdtrt_id"], clinic["pat"], LINES)
    info = presettle_and_settle(pc, data(clinic, "200.00"))[1].output["setlinfo"]
    assert pc.call("2202", {"data": ids}).code == "ERR_VISIT_HAS_SETTLEMENT"
    pc.call("2208", {"data": dict(ids, setl_id=info["setl_id"])})
    assert pc.call("2202", {"data": ids}).ok
    assert pc.call("2202", {"data": ids}).code == "ERR_VISIT_CANCELLED"
    assert upload(pc, clinic["mdtrt_id"], clinic["pat"], LINES).code == "ERR_VISIT_CANCELLED"


def test_another_persons_visit_is_refused(sim: Sim, clinic: dict[str, Any]) -> None:
    pc, h = clinic["pc"], clinic["h"]
    reply = upload(pc, clinic["mdtrt_id"], h["f1"], LINES)
    assert reply.code == "ERR_VISIT_MISMATCH"
    assert upload(pc, "nope", clinic["pat"], LINES).code == "ERR_VISIT_UNKNOWN"


def test_registration_refuses_a_paused_person_and_a_mismatched_certificate(sim: Sim, clinic: dict[str, Any]) -> None:
    pc, h = clinic["pc"], clinic["h"]
    base = {"insutype": "310", "begntime": "2026-05-10 09:00:00", "ipt_otp_no": "OP2", "mdtrt_cert_type": "02"}
    paused = pc.call("2201", {"data": dict(base, psn_no=h["paused"], mdtrt_cert_no="610103196001015555")})
    assert paused.code == "ERR_NOT_INSURED"
    wrong = pc.call("2201", {"data": dict(base, psn_no=h["pat"], mdtrt_cert_no="610103199501012222")})
    assert wrong.code == "ERR_IDENTITY_MISMATCH"
    card = pc.call("2201", {"data": dict(base, psn_no=h["pat"], mdtrt_cert_type="03",
                                         card_sn=sim.person(h["pat"])["card_sn"])})
    assert card.ok
