"""Binding dates and states read the simulator clock: a binding works only inside its dates."""

from __future__ import annotations

from sim_client import ProtocolClient, fee_line
from sim_flows import PATIENT_CERT, Sim, druginfo

from tools.worlds import PHARMACY, item, world

CERT = PATIENT_CERT


def legs(sim: Sim, pc: ProtocolClient, pat: str) -> list[tuple[str, int | None]]:
    reply = pc.call("2101", druginfo(pat, CERT, [fee_line("1", item("C001", "1", "60.00"))], "310"))
    return [(leg["source"], leg["rank"]) for leg in reply.output["payleg"]]


def test_binding_before_start_during_and_after_end(sim: Sim) -> None:
    body = world()
    body["bindings"][0].update(start="2026-06-01", end="2026-06-30")
    h = sim.load(body)["handles"]
    pc = sim.client(PHARMACY)
    pc.insuplc = "610103"
    assert legs(sim, pc, h["pat"]) == [("own", None), ("funder", 2)]  # 2026-05-10: not yet started
    for now, expected in (("2026-06-01T00:00:01", [("own", None), ("funder", 1)]),
                          ("2026-06-30T23:59:00", [("own", None), ("funder", 1)]),
                          ("2026-07-01T08:00:00", [("own", None), ("funder", 2)])):
        sim.set_clock(now)
        pc.sign_in()
        assert legs(sim, pc, h["pat"]) == expected, now


def test_pending_and_ended_bindings_are_skipped_keeping_rank_numbers(sim: Sim) -> None:
    body = world()
    body["bindings"][0]["state"] = "pending"
    h = sim.load(body)["handles"]
    pc = sim.client(PHARMACY)
    pc.insuplc = "610103"
    assert legs(sim, pc, h["pat"]) == [("own", None), ("funder", 2)]
    rows = pc.person_info(*CERT).output["mulaidinfo"]
    assert "待审核" in rows[0]["reason"]


def test_a_funder_whose_insurance_stopped_is_skipped(sim: Sim) -> None:
    body = world()
    body["people"][1]["status"] = "4"
    h = sim.load(body)["handles"]
    pc = sim.client(PHARMACY)
    pc.insuplc = "610103"
    assert legs(sim, pc, h["pat"]) == [("own", None), ("funder", 2)]
    assert "参保状态异常" in pc.person_info(*CERT).output["mulaidinfo"][0]["reason"]


def test_revoke_returns_money_to_a_binding_that_has_since_ended(sim: Sim) -> None:
    h = sim.load(world())["handles"]
    pc = sim.client(PHARMACY)
    pc.insuplc = "610103"
    out = pc.call("2102", druginfo(h["pat"], CERT, [fee_line("1", item("C001", "1", "60.00"))], "310")).output
    assert [leg["rank"] for leg in out["payleg"]] == [None, 1]
    sim.set_clock("2027-02-01T09:00:00")
    pc.sign_in()
    info = out["setlinfo"]
    assert pc.call("2103", {"data": {"setl_id": info["setl_id"], "mdtrt_id": info["mdtrt_id"], "psn_no": h["pat"]}}).ok
    assert sim.account(h["f1"]) == 50
