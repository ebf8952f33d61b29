"""The one set of collaborators every use-case area is built from (`Deps`, made by `Platform`): the store
port, the clock, ids, faults, the region book, the shared caches and the shared lookups and msgid claims.
Areas hold a `Deps` (composition); none extends another."""

from __future__ import annotations

from pathlib import Path

from simulator.platform.clock import Clock
from simulator.platform.faults import FaultPlan
from simulator.platform.ids import IdGenerator
from simulator.platform.lookups import Caches, Lookups
from simulator.platform.msgids import Msgids
from simulator.platform.ports import StorePort
from simulator.platform.region import RegionBook
from simulator.platform.shared import SharedSync


class Deps:
    """Collaborators of one platform (one store)."""

    def __init__(self, store: StorePort, clock: Clock, ids: IdGenerator, faults: FaultPlan, fixtures: Path) -> None:
        self.store = store
        self.clock = clock
        self.ids = ids
        self.faults = faults
        self.fixtures = fixtures
        self.regions = RegionBook(fixtures)
        self.caches = Caches()
        self.lookups = Lookups(clock, self.regions, self.caches)
        self.msgids = Msgids(store, clock)
        self.shared: SharedSync | None = None  # set when several processes serve one database

    def forget_caches(self) -> None:
        self.caches.forget()

    def publish(self) -> None:
        """After a reset, world load, sign-out or clock change: tell the other processes (shared mode)."""
        if self.shared is not None:
            self.shared.publish()
