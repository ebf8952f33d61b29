"""Family accounts (docs/domain.md §3–5): one object per area, all built from the platform's `Deps`.

    FamilyOps
    ├── bindings   BindingOps   bindings.py       drawdown bindings: request, review, rank, end, queries
    ├── pool       PoolOps      pool.py           Gansu family pool: create, members, allot (划拨), dissolve
    ├── guardians  GuardianOps  guardians.py      亲情账户: a guardian shows a minor's own e-voucher
    ├── bounces    BounceOps    wallet_bounce.py  the 06:00 bounce of unaccepted wallet transfers
    └── wallet     WalletOps    wallet.py         wallets and transfers (uses `bounces`)
"""

from __future__ import annotations

from simulator.platform.deps import Deps
from simulator.platform.family.bindings import BindingOps
from simulator.platform.family.guardians import GuardianOps
from simulator.platform.family.pool import PoolOps
from simulator.platform.family.wallet import WalletOps
from simulator.platform.family.wallet_bounce import BounceOps


class FamilyOps:
    """Every family-account operation the app API may call, by area: `family.wallet.send_transfer(...)`."""

    def __init__(self, deps: Deps) -> None:
        self.bindings = BindingOps(deps)
        self.pool = PoolOps(deps)
        self.guardians = GuardianOps(deps)
        self.bounces = BounceOps(deps)
        self.wallet = WalletOps(deps, self.bounces)
