"""The audit's stay rules (docs/audit.md "Scope" and ADMIT-FIRST … REVOKE-FIRST) against a real simulator, with raw
envelopes from `sim_client` (no pos_plugin): a careful stay passes each rule, a careless one breaks each with the
offending msgids as evidence; a pharmacy's traffic leaves the stay rules not applicable (never passed, never
missing); a hospital's stay that never cancels a discharge leaves REVOKE-FIRST not exercised (INCOMPLETE)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from sim_apps import AppPool, fresh
from sim_client import FlaskTransport, ProtocolClient, fee_line
from sim_flows import DECLARED, PATIENT_CERT, Sim, druginfo
from stay_flows import admit, discharge, ids, stay_data, stay_lines, upload

from simulator.audit.report import render_table
from simulator.audit.rules import RULES
from tools.worlds import HOSPITAL, PHARMACY, item, world

STAY_RULES = [rule.id for rule in RULES if rule.scope == "stay"]
DAY1 = [("1", item("A001", "1", "1000.00")), ("2", item("B001", "2", "100.00"))]
DAY2 = [("3", item("CAP1", "2", "45.00"))]
MEDFEE = "1290.00"


@pytest.fixture(scope="module")
def stay_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    pool = AppPool(f"sqlite:///{tmp_path_factory.mktemp('audit-stays') / 'audit.sqlite'}")
    yield pool.lease({"seed": 3}, 0)
    pool.close()


@pytest.fixture
def sim(stay_app: Flask) -> Sim:
    return Sim(FlaskTransport(fresh(stay_app).test_client()))


class Ward:
    """One patient's stay at the hospital, step by step on the plain protocol client."""

    def __init__(self, sim: Sim) -> None:
        self.pat = sim.load(world())["handles"]["pat"]
        self.pc: ProtocolClient = sim.client(HOSPITAL)
        self.pc.insuplc = "610103"
        self.mdtrt_id = ""
        self.setl_id = ""
        self.settling: dict[str, Any] = {}

    def admit(self) -> str:
        self.mdtrt_id = admit(self.pc, self.pat, PATIENT_CERT, "310").output["result"]["mdtrt_id"]
        return self.pc.last_msgid

    def fees(self, day: str = "2026-05-02", lines: list[Any] | None = None) -> Any:
        return upload(self.pc, stay_lines(self.mdtrt_id, self.pat, day, DAY1 if lines is None else lines))

    def discharge(self) -> Any:
        return discharge(self.pc, self.mdtrt_id, self.pat)

    def settle(self, medfee: str = MEDFEE) -> Any:
        """2303, then 2304 declaring the four amounts 2303 returned."""
        data = stay_data(self.pat, PATIENT_CERT, self.mdtrt_id, medfee, "310")
        pre = self.pc.call("2303", {"data": data})
        assert pre.ok, pre.body
        plan = [{"source": leg["source"], "amount": leg["amount"]} for leg in pre.output.get("payleg") or []]
        self.settling = dict(data, exp_content={"payplan": plan},
                             **{name: pre.output["setlinfo"][name] for name in DECLARED})
        return self.resend()

    def resend(self) -> Any:
        """The last 2304 once more (what a careless till does after a lost reply or to "print it again")."""
        done = self.pc.call("2304", {"data": self.settling})
        if done.ok:
            self.setl_id = done.output["setlinfo"]["setl_id"]
        return done

    def revoke(self) -> Any:
        return self.pc.call("2305", {"data": {"setl_id": self.setl_id, "mdtrt_id": self.mdtrt_id, "psn_no": self.pat}})

    def cancel_discharge(self) -> Any:
        return self.pc.call("2405", ids(self.mdtrt_id, self.pat))

    def cancel(self) -> Any:
        return self.pc.call("2404", ids(self.mdtrt_id, self.pat))


def audit(sim: Sim, code: str = HOSPITAL) -> dict[str, Any]:
    return dict(sim.admin("get", f"/audit?institution={code}"))


def statuses(report: dict[str, Any]) -> dict[str, str]:
    return {rule["id"]: rule["status"] for rule in report["rules"] if rule["id"] in STAY_RULES}


def careful_stay(sim: Sim) -> Ward:
    """Admit, two days of fees, discharge, settle, revoke, cancel the discharge, one more fee, discharge, settle;
    a second stay cancels a discharge that was never settled."""
    ward = Ward(sim)
    ward.admit()
    assert ward.fees().ok and ward.fees("2026-05-05", DAY2).ok and ward.discharge().ok
    assert ward.settle().ok and ward.revoke().ok
    assert ward.cancel_discharge().ok  # the settlement was revoked first
    assert ward.fees("2026-05-07", [("4", item("A001", "1", "10.00"))]).ok and ward.discharge().ok
    assert ward.settle("1300.00").ok  # settled again after the revoke
    ward.admit()  # a new stay of the same patient (the first is settled)
    assert ward.fees().ok and ward.discharge().ok and ward.cancel_discharge().ok  # never settled
    return ward


def test_a_careful_stay_passes_every_stay_rule_with_evidence(sim: Sim) -> None:
    careful_stay(sim)
    report = audit(sim)
    assert report["scopes"] == {"every": True, "stay": True}
    assert statuses(report) == {rule_id: "pass" for rule_id in STAY_RULES}
    notes = {rule["id"]: [e["note"] for e in rule["evidence"]] for rule in report["rules"]}
    assert len(notes["ADMIT-FIRST"]) == 4 and len(notes["DISCHARGE-FIRST"]) == 4  # 2303 + 2304, twice
    first, again = notes["SETTLE-ONCE"]
    assert "首次结算" in first and "后再次结算" in again
    revoked, never = notes["REVOKE-FIRST"]
    assert "结算已撤销" in revoked and "未结算即撤销出院" in never
    # The extended sale rules judge the stay's money requests too.
    target = next(r for r in report["rules"] if r["id"] == "REVOKE-TARGET")
    assert target["status"] == "pass" and target["evidence"][0]["note"].startswith("2305")
    presettle = next(r for r in report["rules"] if r["id"] == "PRESETTLE-FIRST")
    assert presettle["status"] == "pass" and "2303" in presettle["evidence"][0]["note"]


# One careless act per stay rule: each returns the msgids the report must name as evidence.
def fees_after_discharge(sim: Sim) -> list[str]:
    ward = Ward(sim)
    ward.admit()
    assert ward.fees().ok and ward.discharge().ok
    stayed = ward.pc.last_msgid
    assert ward.fees("2026-05-07", DAY2).code == "ERR_STAY_DISCHARGED"
    return [ward.pc.last_msgid, stayed]


def settle_before_discharge(sim: Sim) -> list[str]:
    ward = Ward(sim)
    admitted = ward.admit()
    assert ward.fees().ok
    assert not ward.pc.call("2303", {"data": stay_data(ward.pat, PATIENT_CERT, ward.mdtrt_id, "1200.00", "310")}).ok
    return [ward.pc.last_msgid, admitted]


def settle_twice(sim: Sim) -> list[str]:
    ward = Ward(sim)
    ward.admit()
    assert ward.fees().ok and ward.discharge().ok and ward.settle("1200.00").ok
    first = ward.pc.last_msgid
    assert ward.resend().code == "ERR_STAY_SETTLED"  # the platform refuses; the audit names the till's act
    return [ward.pc.last_msgid, first]


def cancel_discharge_of_a_settled_stay(sim: Sim) -> list[str]:
    ward = Ward(sim)
    ward.admit()
    assert ward.fees().ok and ward.discharge().ok and ward.settle("1200.00").ok
    settled = ward.pc.last_msgid
    assert ward.cancel_discharge().code == "ERR_STAY_SETTLED"
    return [ward.pc.last_msgid, settled]


STAY_BREACHES: dict[str, Callable[[Sim], list[str]]] = {
    "ADMIT-FIRST": fees_after_discharge, "DISCHARGE-FIRST": settle_before_discharge,
    "SETTLE-ONCE": settle_twice, "REVOKE-FIRST": cancel_discharge_of_a_settled_stay,
}


def test_every_stay_rule_has_a_careless_breach() -> None:
    assert sorted(STAY_BREACHES) == sorted(STAY_RULES) and len(STAY_RULES) == 4


@pytest.mark.parametrize("rule_id", list(STAY_BREACHES))
def test_each_stay_breach_is_reported_under_its_rule_with_the_msgids(sim: Sim, rule_id: str) -> None:
    evidence = STAY_BREACHES[rule_id](sim)
    report = audit(sim)
    rule = next(r for r in report["rules"] if r["id"] == rule_id)
    assert rule["status"] == "fail", rule
    assert any(b["msgids"] == evidence for b in rule["breaches"]), (evidence, rule["breaches"])
    assert report["verdict"] == "fail"


def test_fees_for_a_cancelled_or_unknown_stay_break_admit_first(sim: Sim) -> None:
    ward = Ward(sim)
    ward.admit()
    assert ward.cancel().ok
    cancelled = ward.pc.last_msgid
    assert ward.fees().code == "ERR_STAY_CANCELLED"
    on_cancelled = ward.pc.last_msgid
    ward.mdtrt_id = "610103" + "9" * 16  # no stay of this institution
    assert not ward.fees().ok
    rule = next(r for r in audit(sim)["rules"] if r["id"] == "ADMIT-FIRST")
    assert [b["msgids"] for b in rule["breaches"]] == [[on_cancelled, cancelled], [ward.pc.last_msgid]]
    assert "已取消入院" in rule["breaches"][0]["note"] and "不是本机构入院登记" in rule["breaches"][1]["note"]


def test_a_lost_2304_resolved_by_2601_then_settled_again_passes_and_a_blind_retry_fails(sim: Sim) -> None:
    ward = Ward(sim)
    ward.admit()
    assert ward.fees().ok and ward.discharge().ok
    sim.admin("post", "/faults", {"infno": "2304", "kind": "drop_after_commit"})
    assert not ward.settle("1200.00").ok
    lost = ward.pc.last_msgid
    assert ward.pc.call("2601", {"data": {"psn_no": ward.pat, "omsgid": lost, "oinfno": "2304"}}).ok
    reversal = ward.pc.last_msgid
    assert ward.settle("1200.00").ok  # the stay is discharged again: a new settlement, not a second one
    report = audit(sim)
    rules = {r["id"]: r for r in report["rules"]}
    assert rules["UNKNOWN-RESOLVED"]["status"] == "pass" and rules["UNKNOWN-RESOLVED"]["evidence"][0]["msgids"] == \
        [lost, reversal]
    assert rules["NO-RESETTLE"]["status"] == "pass"
    assert rules["SETTLE-ONCE"]["status"] == "pass"
    assert [e["msgids"] for e in rules["SETTLE-ONCE"]["evidence"]] == [[lost], [ward.pc.last_msgid, reversal]]
    # A till that sends the 2304 again instead of reversing it: a second debit, by the audit's three rules.
    sim.admin("post", "/faults", {"infno": "2304", "kind": "drop_after_commit"})
    ward.admit()
    assert ward.fees().ok and ward.discharge().ok
    assert not ward.settle("1200.00").ok
    blind = ward.pc.last_msgid
    assert ward.resend().code == "ERR_STAY_SETTLED"  # it had gone through
    again = ward.pc.last_msgid
    rules = {r["id"]: r for r in audit(sim)["rules"]}
    assert [b["msgids"] for b in rules["NO-RESETTLE"]["breaches"]] == [[blind, again]]
    assert [b["msgids"] for b in rules["SETTLE-ONCE"]["breaches"]] == [[again, blind]]
    assert [b["msgids"] for b in rules["UNKNOWN-RESOLVED"]["breaches"]] == [[blind]]


def test_a_pharmacy_day_leaves_the_stay_rules_not_applicable(sim: Sim) -> None:
    pat = sim.load(world())["handles"]["pat"]
    pc = sim.client(PHARMACY)
    pc.insuplc = "610103"
    line = [fee_line("1", item("A001", "2", "9.50"))]
    pre = pc.call("2101", druginfo(pat, PATIENT_CERT, line, "310")).output
    plan = [{"source": leg["source"], "amount": leg["amount"]} for leg in pre["payleg"]]
    assert pc.call("2102", druginfo(pat, PATIENT_CERT, line, "310", exp={"payplan": plan})).ok
    report = audit(sim, PHARMACY)
    assert report["scopes"] == {"every": True, "stay": False}
    assert statuses(report) == {rule_id: "not_applicable" for rule_id in STAY_RULES}
    assert report["counts"]["not_applicable"] == 4
    idle = [r["id"] for r in report["rules"] if r["status"] == "not_exercised"]
    assert report["verdict"] == "incomplete" and not set(idle) & set(STAY_RULES)
    waived = dict(sim.admin("get", f"/audit?institution={PHARMACY}&" + "&".join(f"waive={r}" for r in idle)))
    assert waived["verdict"] == "pass" and statuses(waived) == statuses(report)  # n/a is never counted as passed
    table = render_table(waived)
    assert "不适用 not applicable" in table and "not applicable 4" in table
    assert "有住院业务的收银机 a till with stays" in table
    # Waiving a stay rule the scope leaves out changes nothing: it stays not applicable.
    named = dict(sim.admin("get", f"/audit?institution={PHARMACY}&waive=SETTLE-ONCE&"
                                  + "&".join(f"waive={r}" for r in idle)))
    assert statuses(named)["SETTLE-ONCE"] == "not_applicable" and named["verdict"] == "pass"


def test_a_stay_that_never_cancels_a_discharge_is_incomplete_on_revoke_first(sim: Sim) -> None:
    ward = Ward(sim)
    ward.admit()
    assert ward.fees().ok and ward.discharge().ok and ward.settle("1200.00").ok
    report = audit(sim)
    assert report["scopes"]["stay"] is True
    assert statuses(report) == {"ADMIT-FIRST": "pass", "DISCHARGE-FIRST": "pass", "SETTLE-ONCE": "pass",
                                "REVOKE-FIRST": "not_exercised"}
    assert report["counts"]["fail"] == 0, [r for r in report["rules"] if r["status"] == "fail"]
    assert report["verdict"] == "incomplete" and "REVOKE-FIRST" in render_table(report).splitlines()[-1]
