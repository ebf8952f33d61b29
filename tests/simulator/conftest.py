"""Simulator fixtures: every test runs against SQLite (a real file) and PostgreSQL (throwaway server)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sim_client import FlaskTransport
from sim_flows import Sim

from simulator import create_app


@pytest.fixture(scope="session")
def pg_database(pg_server: Any) -> str:
    """One database for the session; each test's app empties it first (admin reset)."""
    return str(pg_server.create_database("simulator_tests"))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'simulator.sqlite'}"
    return str(request.getfixturevalue("pg_database"))


@pytest.fixture
def app(db_url: str) -> Iterator[Flask]:
    app = create_app({"db_url": db_url, "seed": 7})
    platform = app.extensions["simulator"].platform
    platform.reset()
    yield app
    platform.store.dispose()


@pytest.fixture
def sim(app: Flask) -> Sim:
    return Sim(FlaskTransport(app.test_client()))
