import json

import pytest

from pos_plugin.lab.scenario_compare import ScenarioError, compare, load_scenario

EXPECT = {
    "setlinfo": {"acct_pay": "288.26", "psn_cash_pay": "0.00"},
    "legs": [{"source": "own", "person": "wang", "amount": "35.20"},
             {"source": "funder", "rank": 1, "person": "daughter", "amount": "180.00"}],
    "cash_total": "0.00",
    "balances_after": {"wang": "0.00"},
}


def actual(**over):
    base = {"setlinfo": {"acct_pay": "288.26", "psn_cash_pay": "0"},
            "legs": [{"source": "own", "person": "wang", "amount": "35.2", "rank": None},
                     {"source": "funder", "rank": 1, "person": "daughter", "amount": "180.00"}],
            "cash_total": "0.00", "balances_after": {"wang": "0.00", "daughter": "0.00"}, "error": None}
    base.update(over)
    return base


def test_equal_money_in_other_spellings_is_no_difference():
    assert compare(EXPECT, actual()) == []


def test_each_difference_is_named_with_its_path():
    got = actual(setlinfo={"acct_pay": "288.25", "psn_cash_pay": "0.01"},
                 legs=[{"source": "own", "person": "wang", "amount": "35.20"},
                       {"source": "funder", "rank": 2, "person": "son", "amount": "180.00"}],
                 balances_after={"wang": "1.00"})
    assert compare(EXPECT, got) == [
        "setlinfo.acct_pay: expected 288.26, got 288.25",
        "setlinfo.psn_cash_pay: expected 0.00, got 0.01",
        "legs[1].rank: expected 1, got 2",
        "legs[1].person: expected daughter, got son",
        "balances_after.wang: expected 0.00, got 1.00",
    ]


def test_missing_legs_and_unexpected_error_are_reported():
    diffs = compare(EXPECT, actual(legs=[], error={"code": "not_insured"}))
    assert "legs: expected 2 legs, got 0 (none)" in diffs
    assert "error: expected None, got not_insured" in diffs


def test_expected_error_code_is_compared():
    assert compare({"error": {"code": "code_used"}}, {"error": {"code": "code_used"}}) == []
    assert compare({"error": {"code": "code_used"}}, {"error": None}) == ["error: expected code_used, got None"]


def test_every_fixture_scenario_loads(tmp_path):
    from pathlib import Path
    files = sorted((Path(__file__).resolve().parents[2] / "fixtures" / "scenarios").glob("*.json"))
    assert len(files) >= 6
    assert all(load_scenario(f)["name"] == f.stem for f in files)


def test_bad_scenario_files_are_refused(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ScenarioError):
        load_scenario(bad)
    bad.write_text(json.dumps({"format": "other"}), encoding="utf-8")
    with pytest.raises(ScenarioError):
        load_scenario(bad)
    with pytest.raises(ScenarioError):
        load_scenario(tmp_path / "missing.json")
