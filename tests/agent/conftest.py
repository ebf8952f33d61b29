"""The local agent on a real port (a thread serving the app over one terminal), against the real simulator
process of `sim_url`, reached with a plain HTTP client."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from werkzeug.serving import make_server

from pos_plugin.agent.app import create_app
from pos_plugin.config import TerminalSettings, open_terminal
from pos_plugin.lab.embedded import running_simulator


class Agent:
    """A running agent: `base` URL, and `call` for JSON requests (the token is sent when it has one)."""

    def __init__(self, base: str, token: str = "") -> None:
        self.base = base
        self.token = token
        self.http = requests.Session()

    def call(self, method: str, path: str, body: Any = None, *, key: str | None = None,
             headers: dict[str, str] | None = None, **kwargs: Any) -> requests.Response:
        sent = dict(headers or {})
        if self.token:
            sent.setdefault("Authorization", f"Bearer {self.token}")
        if key is not None:
            sent["Idempotency-Key"] = key
        return self.http.request(method, self.base + path, json=body, headers=sent, timeout=30, **kwargs)


@pytest.fixture(scope="session")
def sim_url() -> Iterator[str]:
    """One simulator process for all the agent tests (each test resets it through `admin`)."""
    with running_simulator() as url:
        yield url


@pytest.fixture
def start_agent(sim_url: str, tmp_path: Path) -> Iterator[Callable[..., Agent]]:
    servers: list[Any] = []
    apps: list[Any] = []

    def start(scen: dict[str, Any], *, token: str = "", state: str = "state", platform: str = "",
              timeout: float = 20.0) -> Agent:
        inst = scen["institution"]
        terminal = open_terminal(TerminalSettings(platform or sim_url, inst["code"], inst["name"], inst["admdvs"],
                                                  scen.get("policy"), tmp_path / state, platform_timeout=timeout))
        app = create_app(terminal, token=token)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        servers.append((server, thread, terminal, app))
        apps.append(app)
        return Agent(f"http://127.0.0.1:{server.server_port}", token)

    start.apps = apps  # type: ignore[attr-defined]  # the Flask apps started, for route checks
    yield start
    for server, thread, terminal, app in servers:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        app.extensions["yibao_agent_keys"].close()
        terminal.close()
