"""Proof one way: the project's own plugin, through a day of sales with faults, passes every rule of the
conformance audit, and every rule is exercised (the stay rules are not applicable to a pharmacy's day;
tests/e2e/test_audit_stay_day.py is the hospital's day with stays). The report is produced by the real `yibao-sim audit`
command reading the running simulator (`--url`), as a tester would run it.

The day: two sales and a revoke; a sale of a traced drug with its box's code; a commit-then-drop on 2102 (the plugin reverses with 2601); a lost
request on 2102 (2601 marks the msgid dead); a sale again; a commit-then-drop on the revoke 2103 (the
plugin confirms through 5203); an outpatient-flow sale (2201-2207); day end 3201/3202; sign-out 9002.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from e2e_world import ROOT, scenario

from pos_plugin import dayend
from pos_plugin.checkout.identify import Credential, identify
from pos_plugin.checkout.sale import Order
from pos_plugin.domain.cart import cart_line_from_mapping
from pos_plugin.errors import NotSettled
from simulator.audit.rules import RULES
from simulator.cli import main

DAY = date(2026, 4, 20)  # the own-account scenario's platform date


def plugin_day(admin, make_terminal):
    """Drive the plugin through the day; returns the institution code."""
    scen = scenario("own-account-covers-everything")
    scen["catalogue"] = [{"code": "T100", "name": "须追溯药", "class": "A", "traced": True}]
    admin.load_world(scen)
    terminal = make_terminal(scen)
    lines = scen["checkout"]["lines"]

    def sell(chosen, flow="pharmacy"):
        patient = identify(terminal.client, Credential("id_card", scen["people"][0]["certno"]))
        order = Order(tuple(cart_line_from_mapping(line) for line in chosen), flow, "41")  # type: ignore[arg-type]
        return terminal.counter.checkout(patient, order, lambda quote: True)

    sell(lines)
    terminal.counter.revoke(sell(lines[1:]))
    sell([{"code": "T100", "name": "须追溯药", "class": "A", "qty": "1", "price": "20.00",
           "trace_codes": ["81234567890123456799"]}])
    before = admin.balances()
    admin.arm_fault("2102", "drop_after_commit")
    with pytest.raises(NotSettled):
        sell(lines[:1])
    admin.arm_fault("2102", "drop")
    with pytest.raises(NotSettled):
        sell(lines[:1])
    assert admin.balances() == before  # both lost sales were undone: money exactly as before
    again = sell(lines[:1])
    admin.arm_fault("2103", "drop_after_commit")
    terminal.counter.revoke(again)  # reply lost; the plugin confirms through 5203 that it was revoked
    sell(lines[:1], flow="outpatient")
    report = dayend.reconcile(terminal.client, terminal.journal, DAY)
    assert report.balanced, dayend.render_report(report)
    assert terminal.client.sign_out() is not None
    return scen["institution"]["code"]


def audit(sim_url: str, institution: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "simulator", "audit", "--url", sim_url, "--institution", institution,
                           *extra], cwd=ROOT, capture_output=True, text=True, timeout=60)


def in_process(capsys, *args: str) -> tuple[int, str]:
    """`yibao-sim ARGS` through the console script's own `main`, in this process (saves a start-up)."""
    capsys.readouterr()
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 2
    return code, capsys.readouterr().out


def test_the_plugins_day_passes_every_rule_and_exercises_each(admin, make_terminal, sim_url, tmp_path: Path, capsys):
    institution = plugin_day(admin, make_terminal)
    table = audit(sim_url, institution)
    with capsys.disabled():
        print("\n" + table.stdout)  # the report table, as the command prints it
    assert table.returncode == 0, table.stdout + table.stderr
    assert "结论 verdict: 通过 PASS" in table.stdout
    code, saved = in_process(capsys, "audit", "--url", sim_url, "--institution", institution, "--json")
    assert code == 0, saved
    report = json.loads(saved)
    statuses = {rule["id"]: rule["status"] for rule in report["rules"]}
    # A pharmacy's day has no stay: the stay rules are not applicable (never passed, never missing).
    assert statuses == {rule.id: "pass" if rule.scope == "every" else "not_applicable" for rule in RULES}, statuses
    assert report["scopes"] == {"every": True, "stay": False} and report["counts"]["not_applicable"] == 4
    # The faults the day armed are on record, and the lost requests are each resolved with evidence.
    assert [(f["infno"], f["fault"]) for f in report["faults"] if f["kind"] == "arm"] == [
        ("2102", "drop_after_commit"), ("2102", "drop"), ("2103", "drop_after_commit")]
    resolved = next(r for r in report["rules"] if r["id"] == "UNKNOWN-RESOLVED")
    assert [e["note"].split(" ")[0] for e in resolved["evidence"]] == ["2102", "2102", "2103"]
    assert all(len(e["msgids"]) == 2 for e in resolved["evidence"])
    # A saved report diffs clean against the same day.
    old = tmp_path / "old.json"
    old.write_text(saved, encoding="utf-8")
    code, same = in_process(capsys, "audit", "--url", sim_url, "--institution", institution, "--diff", str(old))
    assert code == 0 and "无变化 no change" in same, same
