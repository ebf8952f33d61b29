"""Simulator fixtures: every test runs against SQLite (a real file) and PostgreSQL (throwaway server)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
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
def make_app(db_url: str) -> Iterator[Callable[..., Flask]]:
    """Build apps on this test's database (emptied first); disposed at teardown."""
    made: list[Flask] = []

    def make(**config: Any) -> Flask:
        app = create_app({"db_url": db_url, "seed": 7, **config})
        app.extensions["simulator"].platform.admin.reset()
        made.append(app)
        return app

    yield make
    for app in made:
        app.extensions["simulator"].platform.store.dispose()


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app()


@pytest.fixture
def sim(app: Flask) -> Sim:
    return Sim(FlaskTransport(app.test_client()))
