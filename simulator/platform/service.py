"""The platform: every operation the protocol layer may call, over one set of collaborators."""

from __future__ import annotations

from simulator.platform.admin import AdminOps
from simulator.platform.recon import ReconOps
from simulator.platform.visits import VisitOps
from simulator.platform.world import WorldOps


class Platform(VisitOps, WorldOps, AdminOps, ReconOps):
    """World loading, identity, visits, settlement, revoke, reversal (reconciliation in recon)."""
