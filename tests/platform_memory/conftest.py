"""The fast layer: every platform use case on the memory store (no Flask, no database, no HTTP)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # desk.py, next to these tests

from desk import Desk, world  # noqa: E402

from simulator.memory import memory_platform  # noqa: E402
from simulator.platform.family.ops import FamilyOps  # noqa: E402
from simulator.platform.service import Platform  # noqa: E402


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
