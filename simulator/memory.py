"""The second composition root (the first is app.py): the platform over the memory store, with no Flask
and no database — what the fast tests of the platform's rules run on (tests/platform_memory/). mypy checks
here that the memory store satisfies the platform's `StorePort`."""

from __future__ import annotations

from pathlib import Path

from simulator.platform.clock import Clock
from simulator.platform.faults import FaultPlan
from simulator.platform.ids import IdGenerator
from simulator.platform.ports import StorePort
from simulator.platform.profiles import installed_fixtures
from simulator.platform.service import Platform
from simulator.store.memory import MemoryStore


def memory_platform(seed: int = 7, fixtures: Path | None = None) -> Platform:
    """A platform on a fresh memory store (ids from `seed`, the installed region profiles by default)."""
    store = MemoryStore()
    port: StorePort = store
    return Platform(port, Clock(), IdGenerator(seed, store.reserve_ids), FaultPlan(), fixtures or installed_fixtures())
