"""Faults armed through the admin API (in-process; the real dropped connection is in tests/integration)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sim_flows import PATIENT_CERT, Sim, pharmacy_shop

CERT = PATIENT_CERT


@pytest.fixture
def shop(sim: Sim) -> dict[str, Any]:
    return pharmacy_shop(sim, "1", "10.00")


def arm(sim: Sim, **fault: Any) -> None:
    sim.admin("post", "/faults", fault)


def test_error_fault_answers_infcode_minus_one_count_times(sim: Sim, shop: dict[str, Any]) -> None:
    arm(sim, infno="2102", kind="error", count=2, message="医保中心系统繁忙")
    assert sim.admin("get", "/faults")["faults"][0]["remaining"] == 2
    before = sim.snapshot()
    for _ in range(2):
        reply = shop["pc"].call("2102", shop["buy"])
        assert (reply.code, reply.err) == ("ERR_FAULT_INJECTED", "医保中心系统繁忙")
    assert sim.snapshot() == before
    assert shop["pc"].call("2101", shop["buy"]).ok  # other infnos are unaffected
    assert shop["pc"].call("2102", shop["buy"]).ok
    assert sim.admin("get", "/faults")["faults"] == []


def test_http500_fault(sim: Sim, shop: dict[str, Any]) -> None:
    arm(sim, infno="1101", kind="http500")
    reply = shop["pc"].call("1101", {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": CERT[1]}})
    assert reply.status == 500 and b"Internal Server Error" in reply.body
    assert shop["pc"].call("1101", {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": CERT[1]}}).ok


def test_delay_fault_then_normal_processing(sim: Sim, shop: dict[str, Any]) -> None:
    arm(sim, infno="2101", kind="delay", delay_ms=150)
    start = time.monotonic()
    assert shop["pc"].call("2101", shop["buy"]).ok
    assert time.monotonic() - start >= 0.15


def test_drop_after_commit_in_process_commits_and_withholds_the_reply(sim: Sim, shop: dict[str, Any]) -> None:
    arm(sim, infno="2102", kind="drop_after_commit")
    reply = shop["pc"].call("2102", shop["buy"])
    assert reply.status == 500 and reply.headers.get("X-Simulator-Dropped") == "1"
    settlements = sim.admin("get", "/settlements")["settlements"]
    assert [s["msgid"] for s in settlements] == [shop["pc"].last_msgid]
    assert sim.account(shop["h"]["pat"]) == 10


def test_decode_service_faults(sim: Sim, shop: dict[str, Any]) -> None:
    arm(sim, infno="decode", kind="error", message="电子凭证服务繁忙")
    code = sim.evoucher(shop["h"]["pat"])
    reply = shop["pc"].decode(code)
    assert reply.body["err_code"] == "ERR_FAULT_INJECTED" and reply.body["message"] == "电子凭证服务繁忙"
    assert shop["pc"].decode(code).body["code"] == 0


@pytest.mark.parametrize("fault", [{"infno": "2102", "kind": "explode"}, {"infno": "", "kind": "error"},
                                   {"infno": "2102", "kind": "error", "count": 0},
                                   {"infno": "2102", "kind": "delay", "delay_ms": "soon"}])
def test_bad_faults_are_refused(sim: Sim, fault: dict[str, Any]) -> None:
    reply = sim.t.post("/admin/faults", fault)
    assert reply.status == 400 and reply.body["code"] == "ERR_BAD_FAULT" and reply.body["message"]


def test_faults_can_be_cleared(sim: Sim, shop: dict[str, Any]) -> None:
    arm(sim, infno="2102", kind="error")
    sim.t.delete("/admin/faults")
    assert shop["pc"].call("2102", shop["buy"]).ok
