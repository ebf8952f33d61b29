"""Simulator fixtures: every test runs against SQLite (a real file) and PostgreSQL (throwaway server).

Building an app (engine, schema, blueprints) costs far more than a test; so each database gets its apps
once per test session (per xdist worker), one per configuration, and every test gets them back reset:
tables emptied, ids from the seed again, faults cleared, caches dropped, the clock back to real time, the
bounce schedule forgotten — what a new app on an emptied database starts with."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from sim_apps import AppPool, fresh
from sim_client import FlaskTransport
from sim_flows import Sim


@pytest.fixture(scope="session")
def pg_database(pg_server: Any) -> str:
    """One database for the session; each test's apps empty it first (admin reset)."""
    return str(pg_server.create_database("simulator_tests"))


@pytest.fixture(scope="session")
def sqlite_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('simulator') / 'simulator.sqlite'}"


@pytest.fixture(scope="session")
def sqlite_apps(sqlite_database: str) -> Iterator[AppPool]:
    pool = AppPool(sqlite_database)
    yield pool
    pool.close()


@pytest.fixture(scope="session")
def pg_apps(pg_database: str) -> Iterator[AppPool]:
    pool = AppPool(pg_database)  # closed before the server stops (it depends on it)
    yield pool
    pool.close()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    return str(request.getfixturevalue("sqlite_database" if request.param == "sqlite" else "pg_database"))


@pytest.fixture
def app_pool(request: pytest.FixtureRequest, db_url: str) -> AppPool:
    found: AppPool = request.getfixturevalue("sqlite_apps" if db_url.startswith("sqlite") else "pg_apps")
    return found


@pytest.fixture
def make_app(request: pytest.FixtureRequest, app_pool: AppPool, tmp_path: Any) -> Iterator[Callable[..., Flask]]:
    """This test's apps on its database, reset; the same configuration twice gives two apps (two processes).
    A test marked `own_app` (it reads the store's statement cache or the planner's statistics, which a
    shared app and database keep) gets new apps on a new SQLite file instead, disposed after it."""
    if request.node.get_closest_marker("own_app") is not None:
        db_url = app_pool.db_url
        own = AppPool(f"sqlite:///{tmp_path / 'own.sqlite'}" if db_url.startswith("sqlite") else db_url)
        yield lambda **config: fresh(own.lease(config, sum(map(len, own.apps.values()))))
        own.close()
        return
    taken: dict[str, int] = {}

    def make(**config: Any) -> Flask:
        key = json.dumps(config, sort_keys=True, default=str)
        nth = taken[key] = taken.get(key, -1) + 1
        return fresh(app_pool.lease(config, nth))

    yield make


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app()


@pytest.fixture
def sim(app: Flask) -> Sim:
    return Sim(FlaskTransport(app.test_client()))
