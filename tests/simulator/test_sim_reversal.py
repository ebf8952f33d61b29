"""2601 reversal keyed by the original msgid: undo if committed, dead if it never arrived, idempotent."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sim_client import fee_line
from sim_flows import (
    PATIENT_CERT,
    Sim,
    druginfo,
    open_visit,
    pharmacy_shop,
    presettle_and_settle,
    setl_data,
    upload,
)

from tools.worlds import HOSPITAL, item, world

CERT = PATIENT_CERT


@pytest.fixture
def shop(sim: Sim) -> dict[str, Any]:
    return pharmacy_shop(sim, "3", "20.00")


def reverse(shop: dict[str, Any], omsgid: str, oinfno: str) -> Any:
    return shop["pc"].call("2601", {"data": {"psn_no": shop["pat"], "omsgid": omsgid, "oinfno": oinfno}})


def test_reversing_a_committed_settlement_restores_it_and_twice_is_harmless(sim: Sim, shop: dict[str, Any]) -> None:
    before = sim.snapshot()
    settled = shop["pc"].call("2102", shop["buy"])
    original, setl_id = shop["pc"].last_msgid, settled.output["setlinfo"]["setl_id"]
    assert sim.balances() != before["balances"]
    first = reverse(shop, original, "2102")
    assert first.output["data"]["result"] == "reversed"
    after = sim.snapshot()
    assert after["balances"] == before["balances"] and after["conservation"]["ok"]
    assert [s["status"] for s in after["settlements"]] == ["reversed"]
    assert sum(Decimal(e["amount"]) for e in sim.ledger(setl_id)) == 0
    again = reverse(shop, original, "2102")
    assert again.output["data"]["result"] == "already_reversed"
    assert sim.balances() == before["balances"]
    revoke = shop["pc"].call("2103", {"data": {"setl_id": setl_id, "mdtrt_id": settled.output["setlinfo"]["mdtrt_id"],
                                               "psn_no": shop["pat"]}})
    assert revoke.code == "ERR_ALREADY_REVOKED"


def test_a_msgid_that_never_arrived_is_marked_dead_and_a_late_arrival_refused(sim: Sim, shop: dict[str, Any]) -> None:
    pc = shop["pc"]
    lost = pc.next_msgid()
    before = sim.snapshot()
    assert reverse(shop, lost, "2102").output["data"]["result"] == "marked_dead"
    late = pc.call("2102", shop["buy"], msgid=lost)
    assert late.code == "ERR_MSGID_REVERSED" and "冲正" in late.err
    assert reverse(shop, lost, "2102").output["data"]["result"] == "already_reversed"
    assert sim.snapshot()["balances"] == before["balances"]


def test_reversing_a_revoke_charges_the_legs_again(sim: Sim, shop: dict[str, Any]) -> None:
    pc = shop["pc"]
    info = pc.call("2102", shop["buy"]).output["setlinfo"]
    charged = sim.balances()
    pc.call("2103", {"data": {"setl_id": info["setl_id"], "mdtrt_id": info["mdtrt_id"], "psn_no": shop["pat"]}})
    revoke_msgid = pc.last_msgid
    assert reverse(shop, revoke_msgid, "2103").output["data"]["result"] == "reversed"
    assert sim.balances() == charged and sim.conservation()["ok"]
    assert sim.admin("get", "/settlements")["settlements"][0]["status"] == "settled"


def test_reversing_a_revoke_fails_cleanly_when_the_money_was_spent(sim: Sim, shop: dict[str, Any]) -> None:
    pc, h = shop["pc"], shop["h"]
    info = pc.call("2102", shop["buy"]).output["setlinfo"]
    pc.call("2103", {"data": {"setl_id": info["setl_id"], "mdtrt_id": info["mdtrt_id"], "psn_no": shop["pat"]}})
    revoke_msgid = pc.last_msgid
    # The restored money is spent by another purchase before the reversal arrives.
    assert pc.call("2102", druginfo(h["pat"], CERT, [fee_line("1", item("C001", "1", "500.00"))], "310")).ok
    before = sim.snapshot()
    reply = reverse(shop, revoke_msgid, "2103")
    assert reply.code == "ERR_BALANCE_CHANGED"
    assert sim.snapshot() == before


def test_reversing_an_outpatient_settlement_unsettles_its_lines(sim: Sim) -> None:
    h = sim.load(world())["handles"]
    pc = sim.client(HOSPITAL)
    pc.insuplc = "610103"
    mdtrt_id = open_visit(pc, h["pat"], CERT, "310")
    upload(pc, mdtrt_id, h["pat"], [fee_line("1", item("A001", "1", "80.00"))])
    before = sim.balances()
    data = setl_data(h["pat"], CERT, mdtrt_id, "80.00", "310")
    presettle_and_settle(pc, data)
    original = pc.last_msgid
    assert pc.call("2601", {"data": {"psn_no": h["pat"], "omsgid": original, "oinfno": "2207"}}).ok
    assert sim.balances() == before
    assert presettle_and_settle(pc, data)[1].ok  # the lines are settleable again


def test_reversal_refusals(sim: Sim, shop: dict[str, Any]) -> None:
    pc = shop["pc"]
    pc.call("1101", {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": CERT[1]}})
    assert reverse(shop, pc.last_msgid, "1101").code == "ERR_NOT_REVERSIBLE"
    pc.call("2102", shop["buy"])
    before = sim.snapshot()
    assert reverse(shop, pc.last_msgid, "2207").code == "ERR_OINFNO_MISMATCH"
    assert pc.call("2601", {"data": {"psn_no": shop["pat"], "oinfno": "2102"}}).code == "ERR_MISSING_FIELD"
    assert sim.snapshot() == before


def test_a_reversal_naming_another_person_is_refused(sim: Sim, shop: dict[str, Any]) -> None:
    pc = shop["pc"]
    assert pc.call("2102", shop["buy"]).ok
    original = pc.last_msgid
    before = sim.snapshot()
    reply = pc.call("2601", {"data": {"psn_no": shop["h"]["f2"], "omsgid": original, "oinfno": "2102"}})
    assert reply.code == "ERR_ORIGINAL_MISMATCH" and "人员编号" in reply.err
    assert sim.snapshot() == before
    assert reverse(shop, original, "2102").output["data"]["result"] == "reversed"  # the right person still can


def test_another_institution_cannot_reverse_or_kill_a_msgid(sim: Sim, shop: dict[str, Any]) -> None:
    hospital = sim.client(HOSPITAL)
    hospital.insuplc = "610103"
    pc = shop["pc"]
    assert pc.call("2102", shop["buy"]).ok
    settled, future = pc.last_msgid, pc.next_msgid()
    before = sim.snapshot()
    for omsgid in (settled, future):
        reply = hospital.call("2601", {"data": {"psn_no": shop["pat"], "omsgid": omsgid, "oinfno": "2102"}})
        assert reply.code == "ERR_ORIGINAL_UNKNOWN" and "不属于本机构" in reply.err
    assert sim.snapshot() == before
    assert pc.call("2102", shop["buy"], msgid=future).ok  # the pharmacy's msgid was not marked dead


def _settle_and_revoke(shop: dict[str, Any]) -> tuple[str, str]:
    pc = shop["pc"]
    info = pc.call("2102", shop["buy"]).output["setlinfo"]
    settle_msgid = pc.last_msgid
    assert pc.call("2103", {"data": {"setl_id": info["setl_id"], "mdtrt_id": info["mdtrt_id"],
                                     "psn_no": shop["pat"]}}).ok
    return settle_msgid, pc.last_msgid


def test_reversing_settle_then_its_revoke_charges_nothing(sim: Sim, shop: dict[str, Any]) -> None:
    """Both outcomes reversed: whatever the order, the patient ends up not charged."""
    before = sim.balances()
    settle_msgid, revoke_msgid = _settle_and_revoke(shop)
    assert reverse(shop, settle_msgid, "2102").output["data"]["result"] == "reversed"
    assert sim.balances() == before
    refused = reverse(shop, revoke_msgid, "2103")
    assert refused.code == "ERR_NOT_REVERSIBLE" and "已冲正" in refused.err
    assert sim.balances() == before and sim.conservation()["ok"]
    assert sim.admin("get", "/settlements")["settlements"][0]["status"] == "revoked"


def test_reversing_revoke_then_its_settle_charges_nothing(sim: Sim, shop: dict[str, Any]) -> None:
    before = sim.balances()
    settle_msgid, revoke_msgid = _settle_and_revoke(shop)
    assert reverse(shop, revoke_msgid, "2103").output["data"]["result"] == "reversed"
    assert sim.balances() != before  # charged again
    assert reverse(shop, settle_msgid, "2102").output["data"]["result"] == "reversed"
    assert sim.balances() == before and sim.conservation()["ok"]
    assert sim.admin("get", "/settlements")["settlements"][0]["status"] == "reversed"
