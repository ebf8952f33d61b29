"""The platform: every operation the protocol layer may call, over one set of collaborators.

Each use-case area is its own object built from the same `Deps` (store port, clock, ids, faults, region
book and the shared caches); none extends another, and `Platform` holds them by name:
`platform.settlement.pharmacy(...)`, `platform.revocation.reverse(...)`, `platform.admin.reset()`.
"""

from __future__ import annotations

from pathlib import Path

from simulator.platform.access import AppSessions, Nonces
from simulator.platform.base import Deps, PlatformBase
from simulator.platform.catalogue.ops import CatalogueOps
from simulator.platform.clock import Clock
from simulator.platform.console import ConsoleQueries
from simulator.platform.faults import FaultPlan
from simulator.platform.ids import IdGenerator
from simulator.platform.lab.admin import AdminOps
from simulator.platform.lab.world import WorldOps
from simulator.platform.ports import StorePort
from simulator.platform.reconciliation.recon import ReconOps
from simulator.platform.settlement.identity import IdentityOps
from simulator.platform.settlement.revoke import RevokeOps
from simulator.platform.settlement.settle import SettleOps
from simulator.platform.settlement.visits import VisitOps


class Platform(PlatformBase):
    """Identity and sign-in, visits, settlement, revoke and reversal, reconciliation, world loading, admin;
    plus who may act (nonces, app sessions) and the console's reads."""

    def __init__(self, store: StorePort, clock: Clock, ids: IdGenerator, faults: FaultPlan, fixtures: Path) -> None:
        super().__init__(Deps(store, clock, ids, faults, fixtures))
        self.identity = IdentityOps(self.deps)
        self.visits = VisitOps(self.deps)
        self.settlement = SettleOps(self.deps)
        self.revocation = RevokeOps(self.deps)
        self.reconciliation = ReconOps(self.deps)
        self.catalogue = CatalogueOps(self.deps)
        self.world = WorldOps(self.deps)
        self.admin = AdminOps(self.deps)
        self.nonces = Nonces(store)  # the x-tif gateway's replay check
        self.app_sessions = AppSessions(store)  # the family app's credentials and sessions
        self.console = ConsoleQueries(store)  # the tester's console reads
