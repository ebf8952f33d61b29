"""A missing, unreadable or refused scenario/world file is one line `ERR_...: 中文说明` on stderr and exit
code 2, never a traceback: `pos-plugin scenarios run X` and `yibao-sim serve --load X` (the installed
`yibao-sim` is checked the same way in test_installed_wheel.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from simulator.cli import main as simulator_main

ROOT = Path(__file__).resolve().parents[2]
GOOD = json.loads((ROOT / "fixtures" / "scenarios" / "own-account-covers-everything.json").read_text("utf-8"))


def bad_file(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / f"{kind}.json"
    if kind == "bad-json":
        path.write_text('{"format": "yibao-scenario/1",', encoding="utf-8")
    elif kind == "unknown-policy":
        path.write_text(json.dumps({**GOOD, "policy": "atlantis"}, ensure_ascii=False), encoding="utf-8")
    return path  # "missing": never written


def one_error_line(args: list[str], cwd: Path) -> str:
    result = subprocess.run([sys.executable, "-m", *args], cwd=cwd, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "PASS" not in result.stdout and "FAIL" not in result.stdout  # nothing ran
    return lines[0]


@pytest.mark.parametrize(("kind", "expected"), [
    ("missing", "ERR_WORLD_FILE: 世界文件不存在：missing.json"),
    ("bad-json", "ERR_WORLD_FILE: 世界文件 bad-json.json 无法读取（需为 UTF-8 JSON）"),
    ("unknown-policy", "ERR_BAD_WORLD: unknown-policy.json：世界文件错误：未知政策 'atlantis'（可选："),
])
def test_simulator_refuses_a_bad_load_file_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str], kind: str, expected: str):
    # In this process (the console script `yibao-sim` is this `main`): quicker than a fresh interpreter.
    bad_file(tmp_path, kind)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exited:
        simulator_main(["serve", "--port", "0", "--db", f"sqlite:///{tmp_path / 'sim.sqlite'}",
                        "--load", f"{kind}.json"])
    assert exited.value.code == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1, err  # nothing listened, no traceback
    assert err.startswith(expected), err


@pytest.mark.parametrize(("kind", "expected"), [
    ("missing", "ERR_SCENARIO: 场景文件不存在: missing.json"),
    ("bad-json", "ERR_SCENARIO: 无法读取场景文件 bad-json.json"),
    ("unknown-policy", "ERR_BAD_WORLD: 场景 own-account-covers-everything 的世界无法加载: "),
])
def test_scenarios_run_refuses_a_bad_file_in_one_line(tmp_path: Path, sim_url: str, kind: str, expected: str):
    bad_file(tmp_path, kind)
    line = one_error_line(["pos_plugin", "scenarios", "run", f"{kind}.json", "--platform", sim_url], tmp_path)
    assert line.startswith(expected), line
    if kind == "unknown-policy":
        assert "未知政策 'atlantis'" in line


def test_a_bad_file_stops_the_run_before_the_good_one_runs(tmp_path: Path, sim_url: str):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(GOOD, ensure_ascii=False), encoding="utf-8")
    line = one_error_line(["pos_plugin", "scenarios", "run", "good.json", "missing.json", "--platform", sim_url],
                          tmp_path)
    assert line == "ERR_SCENARIO: 场景文件不存在: missing.json"
