"""Several simulator processes over one database (gunicorn workers, or one process per port behind a
PostgreSQL): what they must agree on beyond the data tables.

    the clock      /admin/clock and a world's `today` move every process's clock, not only the one asked
    the caches     institutions, policies and sign-ins are cached per process; a reset, a world load,
                   a sign-out or a clock change anywhere drops them everywhere
    the ids        serial blocks and the random source are per process (a forked worker gets its own)

A process in shared mode reads one row (store/shared.py) at the start of every request and publishes
after every such change. Faults (/admin/faults) stay per process: they act on the process that was
asked, so a fault test talks to one process (one port, one worker).
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from typing import Protocol

from simulator.platform.clock import Clock
from simulator.platform.ids import IdGenerator
from simulator.platform.ports import StorePort


class Forgetful(Protocol):
    def forget_caches(self) -> None: ...


class SharedSync:
    """Keeps one process's clock, caches and ids in step with the shared row."""

    def __init__(self, store: StorePort, clock: Clock, ids: IdGenerator) -> None:
        self.store, self.clock, self.ids = store, clock, ids
        self._pid = os.getpid()
        self._generation: int | None = None

    def sync(self, caches: Forgetful) -> None:
        """At the start of a request: adopt the shared clock; drop caches if anything changed."""
        if self._pid != os.getpid():  # a forked worker: its own serial blocks and random source
            self._pid = os.getpid()
            self.ids.fork(f"pid{self._pid}")
            self._generation = None
        generation, offset_us, frozen_at = self.store.shared_state.read_shared()
        if generation != self._generation:
            caches.forget_caches()
            self.ids.forget_blocks()
            self._generation = generation
        frozen = datetime.fromisoformat(frozen_at) if frozen_at else None
        self.clock.load(timedelta(microseconds=offset_us), frozen)

    def publish(self) -> None:
        """After a change the other processes must see (this process already applied it)."""
        offset, frozen = self.clock.state()
        self._generation = self.store.shared_state.publish_shared(offset // timedelta(microseconds=1),
                                          frozen.isoformat() if frozen else None)
