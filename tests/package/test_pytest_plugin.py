"""The pytest plugin for integrators (simulator/pytest_plugin.py), run the way an integrator's suite runs
it: an inner pytest session (pytester) that gets the fixtures through the `pytest11` entry point."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

# The inner sessions run in this process (fast); pytester restores sys.modules after each, which would
# drop and re-import SQLAlchemy's compiled parts between runs and break them: load them here once.
import simulator.app  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "fixtures" / "scenarios" / "own-account-covers-everything.json"

pytest_plugins = ["pytester"]

INNER = '''
import datetime
import json
import threading

import pytest

from simulator.pytest_plugin import SimError

URLS = []


def test_a_world_from_a_file_and_a_changed_clock(yibao_sim, yibao_world):
    world = yibao_world("own.json")
    assert yibao_sim.admin.balances()["accounts"][world["handles"]["zhao"]] == "1500.00"
    yibao_sim.admin.call("POST", "/admin/clock", {"now": "2020-01-01T08:00:00", "frozen": True})
    yibao_sim.admin.call("POST", "/admin/faults", {"infno": "2207", "kind": "error", "count": 5})
    assert yibao_sim.admin.call("GET", "/admin/faults")["faults"] != []
    URLS.append(yibao_sim.url)


def test_the_next_test_starts_from_a_reset_platform(yibao_sim, yibao_world):
    assert yibao_sim.admin.call("GET", "/admin/handles")["handles"] == {}
    assert yibao_sim.admin.call("GET", "/admin/faults") == {"faults": []}
    clock = yibao_sim.admin.call("GET", "/admin/clock")
    assert clock["frozen"] is False and clock["now"][:4] == str(datetime.date.today().year)
    body = json.loads(open("own.json", encoding="utf-8").read())
    body["people"][0]["account"] = "9.99"
    world = yibao_world(body)
    assert yibao_sim.admin.balances()["accounts"][world["handles"]["zhao"]] == "9.99"
    URLS.append(yibao_sim.url)


def test_a_worked_scenario_by_name_and_its_evoucher(yibao_sim, yibao_world):
    world = yibao_world("shaanxi-retiree-two-funders")
    assert len(world["handles"]) >= 3
    assert yibao_sim.admin.evoucher_png(next(iter(world["handles"].values()))).startswith(b"\\x89PNG")
    URLS.append(yibao_sim.url)


def test_refusals_say_what_is_wrong(yibao_world):
    with pytest.raises(SimError) as refused:
        yibao_world({"format": "yibao-world/1", "policies": ["atlantis"]})
    assert refused.value.code == "ERR_BAD_WORLD" and "atlantis" in refused.value.message
    with pytest.raises(LookupError, match="no worked scenario 'atlantis'"):
        yibao_world("atlantis")


def test_one_server_for_the_session(yibao_sim_server):
    assert URLS == [yibao_sim_server.url] * 3
    assert "yibao-sim" in [t.name for t in threading.enumerate()]  # served from a thread of this process
    assert yibao_sim_server.url.startswith("http://127.0.0.1:")
'''


def test_the_plugin_is_registered_under_pytest11():
    found = {ep.name: ep.value for ep in entry_points(group="pytest11")}
    assert found.get("yibao_sim") == "simulator.pytest_plugin"


def test_loading_the_plugin_imports_nothing_heavy():
    probe = ("import sys, simulator.pytest_plugin; "
             "print(sorted(m for m in ('flask', 'werkzeug', 'sqlalchemy', 'requests', 'simulator.app') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "[]"


def test_fixtures_start_once_reset_per_test_and_load_worlds(pytester):
    shutil.copy(SCENARIO, pytester.path / "own.json")
    pytester.makepyfile(test_integrator=INNER)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=5)


def test_a_suite_that_does_not_ask_starts_no_simulator(pytester):
    pytester.makepyfile(test_other="""
        import threading

        def test_plain():
            assert [t.name for t in threading.enumerate() if t.name == "yibao-sim"] == []
    """)
    pytester.runpytest_inprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_without_the_entry_point_the_fixtures_are_gone(pytester):
    pytester.makepyfile(test_needs="def test_x(yibao_sim):\n    pass\n")
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-p", "no:yibao_sim")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'yibao_sim' not found*"])


def test_the_readme_pytest_example_passes_as_written(pytester):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    example = re.search(r"## In your own tests \(pytest\)\n.*?```python\n(.*?)```", text, re.S)
    assert example, "README section 'In your own tests (pytest)' with a python block"
    code = example.group(1)
    assert len(code.strip().splitlines()) <= 12
    pytester.makepyfile(test_my_till=code)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-v")
    result.assert_outcomes(passed=len(re.findall(r"^def test_", code, re.M)))
