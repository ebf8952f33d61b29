"""Generic fixtures shared by every test directory (keep this file small)."""

from __future__ import annotations

import os
import socket
import tempfile
from collections.abc import Iterator

import pytest
from hypothesis import settings

from pos_plugin.lab.embedded import running_simulator
from pos_plugin.lab.sim_admin import SimulatorAdmin
from tools import pg

# A terminal without --state-dir keeps its state in the per-user directory (pos_plugin/state_home.py): in the
# suite that is a throwaway folder, never the real home of whoever runs the tests (subprocesses inherit it).
os.environ["XDG_STATE_HOME"] = tempfile.mkdtemp(prefix="yibao-test-state-")
os.environ.pop("YIBAO_STATE_DIR", None)

# Property tests check invariants, not speed: no per-example deadline on a busy 2-core CI machine.
settings.register_profile("yibao", deadline=None)
settings.load_profile("yibao")


@pytest.fixture
def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def pg_server() -> Iterator[pg.PgServer]:
    """A throwaway PostgreSQL server for the whole session. If it cannot start the tests using it FAIL,
    unless YIBAO_SKIP_POSTGRES=1 is set (then they are skipped, saying so)."""
    if os.environ.get("YIBAO_SKIP_POSTGRES") == "1":
        pytest.skip("YIBAO_SKIP_POSTGRES=1: PostgreSQL tests skipped on request")
    server = pg.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def sim_url() -> Iterator[str]:
    """A real simulator process per test module (`python -m simulator serve --port 0`), over HTTP."""
    with running_simulator() as url:
        yield url


@pytest.fixture
def admin(sim_url: str) -> Iterator[SimulatorAdmin]:
    """The simulator's admin API, reset and fault-free; after the test, money must be conserved."""
    client = SimulatorAdmin(sim_url)
    client.reset()
    client.clear_faults()
    yield client
    client.clear_faults()
    assert client.conservation()["ok"] is True, "money was created or lost"
    client.close()


# The suite's longest files (seconds on a quiet 2-core machine, from `pytest --durations`), started first:
# `make test` spreads whole files over the workers in collection order (--dist loadfile
# --no-loadscope-reorder), so a long file collected last would run alone at the end.
LONG_FILES = {
    "tests/e2e/test_soak_shared_short.py": 30,
    "tests/e2e/test_soak_short.py": 25,
    "tests/e2e/test_soak_break_short.py": 12,
    "tests/package/test_installed_wheel.py": 40,
    "tests/integration/test_sim_scale_out.py": 30,
    "tests/e2e/test_scenarios_and_demo.py": 28,
    "tests/fuzz/test_schemathesis_short.py": 27,
    "tests/integration/test_sim_http.py": 25,
    "tests/integration/test_sim_way_in.py": 22,
    "tests/fuzz/test_fuzz_short.py": 17,
    "tests/contract/test_payer_chain_contract.py": 13,
    "tests/contract/test_serialized_contract.py": 12,
    "tests/agent/test_agent_browser_hospital.py": 10,
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Longest files first (a stable sort: each file's tests stay together and in their order). A listed file
    that no longer exists is an error, so a rename cannot quietly put a long file back at the end."""
    gone = [path for path in LONG_FILES if not (config.rootpath / path).is_file()]
    if gone:
        raise pytest.UsageError(f"tests/conftest.py LONG_FILES names files that do not exist: {gone}")
    items.sort(key=lambda item: -LONG_FILES.get(item.nodeid.split("::", 1)[0], 0))
