"""The fast layer: every platform use case on the memory store (no Flask, no database, no HTTP)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # desk.py, next to these tests

from desk import Desk, world  # noqa: E402

from simulator.memory import memory_platform  # noqa: E402
from simulator.platform.family.ops import FamilyOps  # noqa: E402
from simulator.platform.service import Platform  # noqa: E402
from simulator.store.memory import MemoryStore  # noqa: E402
from simulator.store.store import Store  # noqa: E402


@pytest.fixture
def platform() -> Platform:
    """A platform on a fresh memory store, the test world loaded (today 2026-05-10 10:00, frozen)."""
    made = memory_platform()
    made.world.load_world(world())
    made.clock.set(made.clock.now(), frozen=True)
    return made


@pytest.fixture
def desk(platform: Platform) -> Desk:
    return Desk(platform)


@pytest.fixture
def family(platform: Platform) -> FamilyOps:
    """The family-account areas over the same collaborators (as the app API builds them)."""
    return FamilyOps(platform.deps)


@pytest.fixture(scope="module")
def pg_contract_url(pg_server: Any, request: pytest.FixtureRequest) -> str:
    """One throwaway PostgreSQL database per contract module."""
    return str(pg_server.create_database(f"contract_{request.module.__name__.rsplit('.', 1)[-1]}"))


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Any]:
    """The repository contract's three stores, each empty: memory, a real SQLite file, PostgreSQL."""
    if request.param == "memory":
        yield MemoryStore()
        return
    url = f"sqlite:///{tmp_path / 'contract.sqlite'}" if request.param == "sqlite" else \
        request.getfixturevalue("pg_contract_url")
    made = Store(url)
    made.reset()
    yield made
    made.dispose()
