"""Proof one way, for a hospital: the plugin's billing desk through a day with stays passes every rule of the
conformance audit and exercises each — the four stay rules included — with no rule waived.

The day, at the first-stay scenario's hospital: an outpatient sale of a traced drug (2201–2207); the stay
(docs/domain.md §2.7) admitted, two days of fees, discharged; a commit-then-drop on 2304 (the desk reverses it
with 2601); settled; revoked (2305); the discharge cancelled (2405); one more fee, discharged again and settled
again; a second stay admitted, billed, discharged and its discharge cancelled before any settlement; day end
3201/3202 (clr_type 21 included); sign-out 9002.
"""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from e2e_world import scenario

from pos_plugin import dayend
from pos_plugin.checkout.identify import Credential, identify
from pos_plugin.checkout.sale import Order
from pos_plugin.checkout.stay import Ward
from pos_plugin.domain.cart import cart_line_from_mapping
from pos_plugin.errors import NotSettled
from simulator.audit.rules import RULES
from simulator.cli import main

DAY = date(2026, 3, 6)  # the scenario's platform date


def at(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S")


def hospital_day(admin, make_terminal) -> str:
    """Drive the desk through the day; returns the institution code."""
    scen = scenario("shaanxi-retiree-first-stay")
    scen["catalogue"] = [{"code": "T100", "name": "须追溯药", "class": "A", "traced": True}]
    admin.load_world(scen)
    till = make_terminal(scen)
    stay = scen["checkout"]
    adm = stay["admission"]
    ward = Ward(adm["ipt_no"], adm["dept_code"], adm["dept_name"], adm["bed"], adm["doctor_code"], adm["doctor_name"],
                adm["diagnosis_code"], adm["diagnosis_name"])
    def who():  # identified afresh at each settlement: the balances the payer chain plans with move
        return identify(till.client, Credential("id_card", scen["people"][0]["certno"]), business_type="01101")

    wang = who()
    traced = cart_line_from_mapping({"code": "T100", "name": "须追溯药", "class": "A", "qty": "1", "price": "20.00",
                                     "trace_codes": ["81234567890123456799"]})
    till.counter.checkout(wang, Order((traced,), "outpatient", "11"), lambda quote: True)

    def billed(batches: list[dict]) -> str:
        mdtrt_id = till.desk.admit(wang, ward, begntime=at(adm["begntime"])).mdtrt_id
        for batch in batches:
            till.desk.add_fees(mdtrt_id, tuple(cart_line_from_mapping(line) for line in batch["lines"]),
                               day=date.fromisoformat(batch["day"]))
        till.desk.discharge(mdtrt_id, endtime=at(stay["discharge"]["endtime"]))
        return mdtrt_id

    first = billed(stay["batches"])
    admin.arm_fault("2304", "drop_after_commit")
    with pytest.raises(NotSettled):
        till.desk.checkout(first, who(), lambda quote: True)  # reversed with 2601: discharged, not settled
    till.desk.checkout(first, who(), lambda quote: True)
    till.desk.revoke(first)
    till.desk.cancel_discharge(first)  # the settlement was revoked first
    till.desk.add_fees(first, (cart_line_from_mapping(stay["batches"][0]["lines"][0]),), day=date(2026, 3, 5))
    till.desk.discharge(first, endtime=at(stay["discharge"]["endtime"]))
    till.desk.checkout(first, who(), lambda quote: True)
    second = billed(stay["batches"][:1])
    till.desk.cancel_discharge(second)  # never settled
    report = dayend.reconcile(till.client, till.journal, DAY, DAY, refd_setl_flag="0")
    assert report.balanced, dayend.render_report(report)
    assert till.client.sign_out() is not None
    return str(scen["institution"]["code"])


def test_a_hospital_day_with_stays_passes_every_rule_and_exercises_each(admin, make_terminal, sim_url, capsys):
    institution = hospital_day(admin, make_terminal)
    capsys.readouterr()
    try:
        main(["audit", "--url", sim_url, "--institution", institution, "--json"])
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 2
    saved = capsys.readouterr().out
    report = json.loads(saved)
    statuses = {rule["id"]: rule["status"] for rule in report["rules"]}
    assert statuses == {rule.id: "pass" for rule in RULES}, statuses
    assert code == 0 and report["verdict"] == "pass" and report["waived"] == []
    assert report["scopes"] == {"every": True, "stay": True}
    evidence = {rule["id"]: [e["note"] for e in rule["evidence"]] for rule in report["rules"]}
    assert len(evidence["SETTLE-ONCE"]) == 3  # the lost one, the one after its reversal, the one after the revoke
    assert any("未结算即撤销出院" in note for note in evidence["REVOKE-FIRST"])
    assert any("结算已撤销" in note for note in evidence["REVOKE-FIRST"])
    assert [note.split(" ")[0] for note in evidence["UNKNOWN-RESOLVED"]] == ["2304"]
