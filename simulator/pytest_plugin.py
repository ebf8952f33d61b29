"""pytest fixtures for integrators: the platform simulator on a free port of 127.0.0.1, once per session.

Installed with the package and registered through the `pytest11` entry point (setup.cfg), so a test suite
that has `yibao-pos` installed can ask for:

    yibao_sim_server  session   the running simulator (`.url`, `.admin`); started the first time a test asks
    yibao_sim         function  the same simulator, reset for this test: empty world, no faults, clock = now
    yibao_world       function  load a scenario or world (dict, file path, or the name of a worked scenario
                                shipped with the package) into the reset simulator; returns the load
                                answer: handles -> psn_no, pools, card_sn (docs/scenarios.md)

The server is real: the simulator's Flask app under werkzeug's threaded HTTP server on 127.0.0.1 with a
SQLite file in the session's temporary directory, as `yibao-sim serve --port 0` runs it, but in a thread
of the test process (no second interpreter to start). Nothing heavy is imported until a test asks for a
fixture, so registering the plugin costs a suite that does not use it nothing.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

TIMEOUT = 30.0


class SimError(Exception):
    """The admin API refused a call: `code` (ERR_...) and the Chinese `message`, as the simulator said."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{code}: {message} (HTTP {status})")
        self.status, self.code, self.message = status, code, message


def world_file(ref: str | Path) -> Path:
    """A path as given, or a bare name (no `.json`, no folder) of a worked scenario in the package."""
    path = Path(ref)
    if path.suffix or len(path.parts) != 1 or path.exists():
        return path
    from simulator.platform.profiles import installed_fixtures

    shipped = installed_fixtures() / "scenarios"
    if not (shipped / f"{path.name}.json").is_file():
        known = ", ".join(sorted(p.stem for p in shipped.glob("*.json")))
        raise LookupError(f"no worked scenario {path.name!r} in the package (known: {known})")
    return shipped / f"{path.name}.json"


class SimAdmin:
    """A small client of the simulator's admin API (`/admin`, docs/simulator-api.md)."""

    def __init__(self, url: str) -> None:
        import requests

        self.url = url
        self.session = requests.Session()

    def call(self, method: str, path: str, body: Any = None) -> Any:
        """One admin call; the JSON answer, or SimError with the simulator's code and message."""
        response = self.session.request(method, self.url + path, json=body, timeout=TIMEOUT)
        data = response.json() if response.content else {}
        if response.status_code >= 400:
            raise SimError(response.status_code, str(data.get("code")), str(data.get("message")))
        return data

    def reset(self) -> None:
        """Empty world, ids from the seed, no faults, the clock back to real time (ticking)."""
        self.call("POST", "/admin/reset")
        self.call("POST", "/admin/clock", {"now": datetime.now().strftime("%Y-%m-%dT%H:%M:%S"), "frozen": False})

    def load(self, world: str | Path | Mapping[str, Any]) -> dict[str, Any]:
        """Load a scenario (yibao-scenario/1) or world (yibao-world/1): a dict, a file path, or the name of
        a worked scenario shipped with the package ("own-account-covers-everything"); the load answer."""
        body = world if isinstance(world, Mapping) else json.loads(world_file(world).read_text(encoding="utf-8"))
        return dict(self.call("POST", "/admin/world", dict(body)))

    def balances(self) -> dict[str, dict[str, str]]:
        """Every account, pool and wallet balance, amounts as strings ("123.45")."""
        return dict(self.call("GET", "/admin/balances"))

    def evoucher_png(self, psn_no: str) -> bytes:
        """A fresh e-voucher QR image of the person, for a scanner under test."""
        response = self.session.get(f"{self.url}/admin/evouchers/{psn_no}.png", timeout=TIMEOUT)
        if response.status_code >= 400:
            data = response.json()
            raise SimError(response.status_code, str(data.get("code")), str(data.get("message")))
        return response.content

    def close(self) -> None:
        self.session.close()


class SimServer:
    """The simulator served over HTTP from a thread of this process; `url` is `http://127.0.0.1:<port>`."""

    def __init__(self, db_path: Path) -> None:
        from werkzeug.serving import make_server

        from simulator.app import create_app
        from simulator.server import KeepAliveHandler

        self.app = create_app({"db_url": f"sqlite:///{db_path}"})
        self._server = make_server("127.0.0.1", 0, self.app, threaded=True, request_handler=KeepAliveHandler)
        setattr(self._server, "daemon_threads", True)  # noqa: B010 - do not wait for keep-alive threads
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="yibao-sim", daemon=True)
        self._thread.start()
        self.admin = SimAdmin(self.url)

    def stop(self) -> None:
        self.admin.close()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(TIMEOUT)
        self.app.extensions["simulator"].platform.store.dispose()


@pytest.fixture(scope="session")
def yibao_sim_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimServer]:
    """The simulator, started once per session on a free port of 127.0.0.1 (not reset: see `yibao_sim`)."""
    server = SimServer(tmp_path_factory.mktemp("yibao-sim") / "platform.sqlite")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def yibao_sim(yibao_sim_server: SimServer) -> SimServer:
    """The session's simulator, reset for this test: `yibao_sim.url`, `yibao_sim.admin`."""
    yibao_sim_server.admin.reset()
    return yibao_sim_server


@pytest.fixture
def yibao_world(yibao_sim: SimServer) -> Callable[[str | Path | Mapping[str, Any]], dict[str, Any]]:
    """`yibao_world(path_or_dict)` loads a scenario or world into the reset simulator; the load answer."""
    return yibao_sim.admin.load
