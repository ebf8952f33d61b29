"""Every scenario in fixtures/scenarios: load its world, settle its checkout with a plain protocol
client that sends no payplan, and get exactly its `expect` (and its `then` steps)."""

from __future__ import annotations

import pytest
from sim_flows import Sim, scenario, scenario_names
from sim_scenario_runner import ScenarioRun


def test_there_are_scenarios_to_run() -> None:
    assert len(scenario_names()) >= 6


@pytest.mark.parametrize("name", scenario_names())
def test_scenario_settles_exactly_as_expected(sim: Sim, name: str) -> None:
    run = ScenarioRun(sim, scenario(name))
    assert run.run() == []
    assert sim.conservation()["ok"] is True


def test_runner_reports_a_wrong_expectation(sim: Sim) -> None:
    # Guards the test above against passing vacuously: a doctored expectation must be reported.
    sc = scenario("shaanxi-retiree-two-funders")
    sc["expect"]["setlinfo"]["hifp_pay"] = "243.75"
    sc["expect"]["legs"][2]["amount"] = "73.05"
    sc["expect"]["balances_after"]["son"] = "1926.95"
    diffs = ScenarioRun(sim, sc).run()
    assert "setlinfo.hifp_pay: expected 243.75, got 243.74" in diffs
    assert "legs[2].amount: expected 73.05, got 73.06" in diffs
    assert "balances_after.son: expected 1926.95, got 1926.94" in diffs


def test_runner_refund_step_revokes_and_resettles_the_kept_lines(sim: Sim) -> None:
    # Partial refund of the own-pay line: revoke everything, settle the other three lines again.
    # The accumulators are back at 420.00 / 1250.00, so the fund pays 243.74 again on 428.20 in scope.
    sc = scenario("shaanxi-retiree-two-funders")
    sc["then"] = [{"action": "refund", "lines": ["D9004"], "expect": {
        "setlinfo": {"medfee_sumamt": "468.00", "fulamt_ownpay_amt": "0.00", "hifp_pay": "243.74",
                     "psn_part_amt": "224.26", "acct_pay": "224.26", "acct_mulaid_pay": "189.06"},
        "legs": [{"source": "own", "person": "wang", "amount": "35.20"},
                 {"source": "funder", "rank": 1, "person": "daughter", "amount": "180.00"},
                 {"source": "funder", "rank": 2, "person": "son", "amount": "9.06"}],
        "balances_after": {"wang": "0.00", "daughter": "0.00", "son": "1990.94"}}}]
    assert ScenarioRun(sim, sc).run() == []
    assert sim.conservation()["ok"] is True
