"""The platform: every operation the protocol layer may call, over one set of collaborators.

Each area is its own class over the shared `PlatformBase` (store, clock, ids, faults, region book and the
lookups every area needs); none extends another. `Platform` is their union on one set of collaborators.
"""

from __future__ import annotations

from simulator.platform.lab.admin import AdminOps
from simulator.platform.lab.world import WorldOps
from simulator.platform.reconciliation.recon import ReconOps
from simulator.platform.settlement.identity import IdentityOps
from simulator.platform.settlement.revoke import RevokeOps
from simulator.platform.settlement.settle import SettleOps
from simulator.platform.settlement.visits import VisitOps


class Platform(IdentityOps, VisitOps, SettleOps, RevokeOps, WorldOps, AdminOps, ReconOps):
    """Identity and sign-in, visits, settlement, revoke and reversal, reconciliation, world loading, admin."""
