"""The platform: every operation the protocol layer may call, over one set of collaborators."""

from __future__ import annotations

from simulator.platform.lab.admin import AdminOps
from simulator.platform.lab.world import WorldOps
from simulator.platform.reconciliation.recon import ReconOps
from simulator.platform.settlement.visits import VisitOps


class Platform(VisitOps, WorldOps, AdminOps, ReconOps):
    """World loading, identity, visits, settlement, revoke, reversal (reconciliation in recon)."""
