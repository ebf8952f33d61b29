"""`pos-plugin scenarios run` and `pos-plugin demo` as a user runs them: separate processes, the simulator
started as a subprocess, QR images rendered and scanned."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from e2e_world import ROOT, SCENARIOS, scenario


def pos_plugin(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pos_plugin", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=600)


def test_every_fixture_scenario_passes_end_to_end():
    files = sorted(str(p) for p in SCENARIOS.glob("*.json"))
    assert len(files) >= 6
    result = pos_plugin("scenarios", "run", *files)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[-1] == f"{len(files)} passed, 0 failed, 0 errors"
    assert sum(line.startswith("PASS ") for line in lines) == len(files)


def test_a_scenario_that_disagrees_fails_with_each_difference(tmp_path: Path, sim_url: str):
    scen = scenario("shaanxi-retiree-two-funders")
    scen["name"] = "wrong-expectations"
    scen["expect"]["setlinfo"]["hifp_pay"] = "243.75"
    scen["expect"]["legs"][1]["amount"] = "179.99"
    scen["then"][0]["expect"]["balances_after"]["son"] = "1999.99"
    bad = tmp_path / "wrong.json"
    bad.write_text(json.dumps(scen, ensure_ascii=False), encoding="utf-8")
    good = SCENARIOS / "own-account-covers-everything.json"
    result = pos_plugin("scenarios", "run", str(good), str(bad), "--platform", sim_url, "--json")
    assert result.returncode == 1
    rows = [json.loads(line) for line in result.stdout.strip().splitlines()]
    assert rows[0] == {"scenario": "own-account-covers-everything", "status": "pass", "passed": True, "diffs": []}
    assert rows[1]["passed"] is False and rows[1]["status"] == "fail"
    assert rows[1]["diffs"] == [
        "setlinfo.hifp_pay: expected 243.75, got 243.74",
        "legs[1].amount: expected 179.99, got 180.00",
        "then[0].balances_after.son: expected 1999.99, got 2000.00",
    ]
    assert rows[2] == {"summary": "1 passed, 1 failed, 0 errors", "passed": 1, "failed": 1, "errors": 0}


def test_demo_shows_every_kind_of_leg_and_receipts():
    result = pos_plugin("demo")
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    for label in ("本人账户", "共济账户(第一顺位 王* 尾号", "共济账户(第二顺位 王* 尾号", "家庭共济账户", "医保钱包", "现金",
                  "医保电子凭证二维码（扫码识别）", "应收现金合计", "非医保商品(现金)"):
        assert label in out, label
    lines = out.strip().splitlines()
    assert f"{len(list(SCENARIOS.glob('*.json')))} passed, 0 failed" in lines
    # It ends with the next step (before: it stopped its simulator and suggested nothing).
    tail = lines[lines.index(f"{len(list(SCENARIOS.glob('*.json')))} passed, 0 failed") + 1:]
    assert tail[1] == "下一步 next — 自己动手 try it yourself:"
    assert tail[2] == "  yibao-sim serve --port 8080 --load fixtures/scenarios/own-account-covers-everything.json"
    assert "http://127.0.0.1:8080/console" in tail[3] and "/admin/evouchers/<psn_no>.png" in tail[4]
