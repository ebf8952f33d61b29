"""Family accounts (docs/domain.md §3–5): one object over the platform's store, clock and ids.

    FamilyOps
    ├── BindingOps   bindings.py     drawdown bindings: request, review, rank, end, auto-end, queries
    ├── PoolOps      family_pool.py  Gansu family pool: create, members, allot (划拨), dissolve
    ├── GuardianOps  guardians.py    亲情账户: a guardian shows a minor's own e-voucher
    └── WalletOps    wallet.py       wallets and transfers (+ BounceOps, wallet_bounce.py)
"""

from __future__ import annotations

from simulator.platform.family.bindings import BindingOps
from simulator.platform.family.guardians import GuardianOps
from simulator.platform.family.pool import PoolOps
from simulator.platform.family.wallet import WalletOps


class FamilyOps(BindingOps, PoolOps, GuardianOps, WalletOps):
    """Every family-account operation the app API may call."""
