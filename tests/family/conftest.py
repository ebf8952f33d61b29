"""Family tests run against a live simulator over real HTTP (a server thread on a free port) on a real
SQLite file and on a throwaway PostgreSQL server (marked `postgres`); each test starts from an admin
reset with the clock frozen."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from flask import Flask
from sqlalchemy import Engine
from werkzeug.serving import make_server

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "simulator"))  # sim_client, sim_flows

from family_api import Api  # noqa: E402
from family_world import TODAY  # noqa: E402

from simulator import create_app  # noqa: E402
from simulator.store.engine import make_engine  # noqa: E402


@dataclass(frozen=True)
class LiveSim:
    base: str
    engine: Engine
    app: Flask


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def live_sim(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSim]:
    """A simulator served on 127.0.0.1 for the whole session, with an engine of its own to inspect the database."""
    if request.param == "sqlite":
        db_url = f"sqlite:///{tmp_path_factory.mktemp('family') / 'simulator.sqlite'}"
    else:
        db_url = request.getfixturevalue("pg_server").create_database("family_tests")
    app = create_app({"db_url": db_url, "seed": 11})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="family-sim", daemon=True)
    thread.start()
    inspector = make_engine(db_url)
    try:
        yield LiveSim(f"http://127.0.0.1:{server.server_port}", inspector, app)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        inspector.dispose()
        app.extensions["simulator"].platform.store.dispose()


@pytest.fixture
def api(live_sim: LiveSim) -> Iterator[Api]:
    with requests.Session() as session:
        client = Api(live_sim.base, live_sim.engine, session)
        client.post("/admin/reset")
        client.clock(TODAY)
        yield client
