"""The package works installed: the wheel is built, installed with its dependencies into a fresh venv, and
its commands run from an empty directory, so nothing can come from the source tree (issue 9, item 1)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "fixtures" / "scenarios" / "own-account-covers-everything.json"
NOT_BUILT = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache",
                                   ".hypothesis", "var", "tests", "*.sqlite*")

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Installed:
    wheel: Path
    bin: Path
    empty: Path  # the working directory of every command: nothing in it but what a test copies there

    def env(self) -> dict[str, str]:
        """The caller's environment minus anything that could point Python at the source tree."""
        return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(self.bin / args[0]), *args[1:]], cwd=self.empty, env=self.env(),
                              capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """`pip wheel` of a copy of the project (no stale build/ can leak into it), installed into a new venv."""
    base = tmp_path_factory.mktemp("wheel")
    source, dist, venv, empty = base / "source", base / "dist", base / "venv", base / "empty"
    shutil.copytree(ROOT, source, ignore=NOT_BUILT)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    subprocess.run([*pip, "wheel", str(source), "--no-deps", "--no-build-isolation", "-q", "-w", str(dist)],
                   check=True, capture_output=True, timeout=300)
    wheel = next(dist.glob("yibao_pos-*.whl"))
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    subprocess.run([*pip, "--python", str(venv / "bin" / "python"), "install", "-q", str(wheel)],
                   check=True, capture_output=True, timeout=600)
    empty.mkdir()
    return Installed(wheel, venv / "bin", empty)


def test_the_wheel_carries_every_module_and_data_file(installed: Installed):
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    expected = {str(p.relative_to(ROOT)) for pkg in ("pos_plugin", "simulator") for p in (ROOT / pkg).rglob("*")
                if p.is_file() and "__pycache__" not in p.parts}  # modules, templates, web page assets
    expected |= {"yibao_fixtures/" + str(p.relative_to(ROOT / "fixtures")) for p in (ROOT / "fixtures").rglob("*.json")}
    assert "yibao_fixtures/policies/national-default.json" in expected
    assert "pos_plugin/checkout/__init__.py" in expected
    assert sorted(expected - names) == []
    entry_points = zipfile.ZipFile(installed.wheel).read("yibao_pos-0.1.0.dist-info/entry_points.txt").decode()
    assert "yibao_sim = simulator.pytest_plugin" in entry_points
    assert f"pip install dist/{installed.wheel.name}" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_installed_demo_runs_from_an_empty_directory(installed: Installed):
    result = installed.run("pos-plugin", "demo")
    assert result.returncode == 0, result.stdout + result.stderr
    count = len(list((ROOT / "fixtures" / "scenarios").glob("*.json")))
    lines = result.stdout.strip().splitlines()
    assert f"{count} passed, 0 failed" in lines and lines[-5] == "下一步 next — 自己动手 try it yourself:"
    assert "--load /" in lines[-4] and lines[-4].endswith("own-account-covers-everything.json")  # the installed file
    assert "本人账户" in result.stdout and "Traceback" not in result.stderr


def test_installed_scenarios_run_a_copied_scenario_file(installed: Installed):
    shutil.copy(SCENARIO, installed.empty / SCENARIO.name)
    result = installed.run("pos-plugin", "scenarios", "run", SCENARIO.name)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines() == ["PASS own-account-covers-everything", "1 passed, 0 failed, 0 errors"]
    for command, kind in ((("pos-plugin", "scenarios", "schema"), "scenario"), (("yibao-sim", "schema"), "world")):
        printed = installed.run(*command)  # the schemas ship inside the package
        assert printed.returncode == 0 and json.loads(printed.stdout)["$id"] == f"yibao-{kind}/1", printed.stderr


def test_installed_simulator_serves_a_loaded_scenario(installed: Installed):
    shutil.copy(SCENARIO, installed.empty / "world.json")
    process = subprocess.Popen([str(installed.bin / "yibao-sim"), "serve", "--port", "0", "--load", "world.json"],
                               cwd=installed.empty, env=installed.env(), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), process.communicate(timeout=10)
        handles = requests.get(url + "/admin/handles", timeout=10).json()["handles"]
        people = {p["id"] for p in json.loads(SCENARIO.read_text(encoding="utf-8"))["people"]}
        assert set(handles) == people  # the scenario's policy is found by name in the installed profiles
    finally:
        process.terminate()
        process.communicate(timeout=10)
    assert process.returncode in (0, -15)



def test_installed_simulator_refuses_a_missing_world_in_one_line(installed: Installed):
    result = installed.run("yibao-sim", "serve", "--port", "0", "--load", "nowhere.json")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.strip().splitlines() == ["ERR_WORLD_FILE: 世界文件不存在：nowhere.json"]
