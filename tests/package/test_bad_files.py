"""A missing, unreadable or refused world file is one line `ERR_...: 中文说明` on stderr and exit code 2 from
`yibao-sim serve --load X` (the installed `yibao-sim` is checked the same way in test_installed_wheel.py);
for `pos-plugin scenarios run X` it is that file's one `ERROR file: ERR_...` line, the other files still run,
and the exit code is 2. Never a traceback."""

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
    ("missing", "ERROR missing.json: ERR_SCENARIO: 场景文件不存在: missing.json"),
    ("bad-json", "ERROR bad-json.json: ERR_SCENARIO: 无法读取场景文件 bad-json.json"),
    ("unknown-policy", "ERROR unknown-policy.json: ERR_BAD_WORLD: 场景 own-account-covers-everything 的世界无法加载: "),
])
def test_scenarios_run_reports_a_bad_file_as_its_error_in_one_line(tmp_path: Path, sim_url: str, kind: str,
                                                                    expected: str):
    bad_file(tmp_path, kind)
    result = subprocess.run([sys.executable, "-m", "pos_plugin", "scenarios", "run", f"{kind}.json", "--platform",
                             sim_url], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result.stdout + result.stderr  # a file that could not be judged
    assert result.stdout.splitlines() == [result.stdout.splitlines()[0], "0 passed, 0 failed, 1 errors"]
    line = result.stdout.splitlines()[0]
    assert line.startswith(expected) and "Traceback" not in result.stderr, line
    if kind == "unknown-policy":
        assert "未知政策 'atlantis'" in line


def test_a_bad_file_is_its_own_error_and_the_good_ones_still_run(tmp_path: Path, sim_url: str):
    # Before: the missing file aborted the run and the good file printed nothing.
    good = tmp_path / "good.json"
    good.write_text(json.dumps(GOOD, ensure_ascii=False), encoding="utf-8")
    for kind in ("bad-json", "unknown-policy"):
        bad_file(tmp_path, kind)
    result = subprocess.run([sys.executable, "-m", "pos_plugin", "scenarios", "run", "missing.json", "good.json",
                             "bad-json.json", "unknown-policy.json", "--platform", sim_url],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert [line.split(" ", 2)[:2] for line in lines[:4]] == [
        ["ERROR", "missing.json:"], ["PASS", "own-account-covers-everything"], ["ERROR", "bad-json.json:"],
        ["ERROR", "unknown-policy.json:"]]
    assert lines[-1] == "1 passed, 0 failed, 3 errors"
