"""Family tests run against a live simulator over real HTTP (a server thread on a free port, a real
SQLite file); each test starts from an admin reset with the clock frozen."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from werkzeug.serving import make_server

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "simulator"))  # sim_client, sim_flows

from family_api import Api  # noqa: E402
from family_world import TODAY  # noqa: E402

from simulator import create_app  # noqa: E402


@pytest.fixture(scope="session")
def live_sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, Any]]:
    """(base URL, SQLite path, app) of a simulator served on 127.0.0.1 for the whole session."""
    db_path = tmp_path_factory.mktemp("family") / "simulator.sqlite"
    app = create_app({"db_url": f"sqlite:///{db_path}", "seed": 11})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="family-sim", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", db_path, app
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        app.extensions["simulator"].platform.store.dispose()


@pytest.fixture
def api(live_sim: tuple[str, Path, Any]) -> Iterator[Api]:
    base, db_path, _app = live_sim
    with requests.Session() as session:
        client = Api(base, db_path, session)
        client.post("/admin/reset")
        client.clock(TODAY)
        yield client
