"""The platform: every operation the protocol layer may call, over one set of collaborators.

Each use-case area is its own object built from the same `Deps` (platform/deps.py: store port, clock, ids,
faults, region book, the shared caches, lookups and msgid claims); none extends another, and `Platform`
holds them by name: `platform.settlement.pharmacy(...)`, `platform.revocation.reverse(...)`,
`platform.admin.reset()`. Any store satisfying `StorePort` will do: SQL in the app, memory in fast tests.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from simulator.domain.models import Person
from simulator.domain.records import TrafficEntry
from simulator.platform.access import AppSessions, Nonces
from simulator.platform.catalogue.ops import CatalogueOps
from simulator.platform.catalogue.sales import SalesOps
from simulator.platform.clock import Clock
from simulator.platform.console import ConsoleQueries
from simulator.platform.deps import Deps
from simulator.platform.faults import FaultPlan
from simulator.platform.ids import IdGenerator
from simulator.platform.lab.admin import AdminOps
from simulator.platform.lab.world import WorldOps
from simulator.platform.ports import PendingCommit, StorePort
from simulator.platform.reconciliation.recon import ReconOps
from simulator.platform.settlement.identity import IdentityOps
from simulator.platform.settlement.revoke import RevokeOps
from simulator.platform.settlement.settle import SettleOps
from simulator.platform.settlement.visits import VisitOps
from simulator.platform.shared import SharedSync


class Platform:
    """Identity and sign-in, visits, settlement, revoke and reversal, reconciliation, world loading, admin;
    plus who may act (nonces, app sessions) and the console's reads."""

    def __init__(self, store: StorePort, clock: Clock, ids: IdGenerator, faults: FaultPlan, fixtures: Path) -> None:
        self.deps = Deps(store, clock, ids, faults, fixtures)
        self.store, self.clock, self.ids, self.faults = store, clock, ids, faults
        self.fixtures, self.regions = fixtures, self.deps.regions
        self.identity = IdentityOps(self.deps)
        self.visits = VisitOps(self.deps)
        self.settlement = SettleOps(self.deps)
        self.revocation = RevokeOps(self.deps)
        self.reconciliation = ReconOps(self.deps)
        self.catalogue = CatalogueOps(self.deps)
        self.sales = SalesOps(self.deps)
        self.world = WorldOps(self.deps)
        self.admin = AdminOps(self.deps)
        self.nonces = Nonces(store)  # the x-tif gateway's replay check
        self.app_sessions = AppSessions(store)  # the family app's credentials and sessions
        self.console = ConsoleQueries(store)  # the tester's console reads

    @property
    def shared(self) -> SharedSync | None:
        return self.deps.shared

    @shared.setter
    def shared(self, sync: SharedSync | None) -> None:
        self.deps.shared = sync

    def sync_shared(self) -> None:
        """Start of a request in shared mode: the shared clock, and fresh caches if anything changed."""
        if self.deps.shared is not None:
            self.deps.shared.sync(self.deps)

    def publish(self) -> None:
        """After a reset, world load, sign-out or clock change: tell the other processes (shared mode)."""
        self.deps.publish()

    def forget_caches(self) -> None:
        self.deps.forget_caches()

    def now(self) -> datetime:
        return self.clock.to_second()

    def today(self) -> date:
        return self.clock.today()

    def now_stamp(self) -> str:
        return self.clock.stamp()

    def record_traffic(self, entry: TrafficEntry) -> None:
        """One row of the request journal (the console's and the audit's source; store/traffic.py)."""
        self.store.traffic.record(entry)

    def deferred_commit(self) -> PendingCommit:
        """`with platform.deferred_commit() as pending: ...; pending.commit()`: one request's write
        transaction stays open until its reply is encoded; leaving without `commit()` rolls it back."""
        return self.store.deferred_commit()

    def database_name(self) -> str:
        """The database dialect serving this platform ("sqlite", "postgresql", "memory")."""
        return self.store.dialect_name

    def patient_now(self, psn_no: str) -> Person:
        """The person `psn_no` names, in its own read transaction (for callers outside an operation)."""
        with self.store.read() as uow:
            return self.deps.lookups.patient(uow, psn_no)
