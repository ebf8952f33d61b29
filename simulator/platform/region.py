"""Which region's policy applies to a person (docs/domain.md §1 异地就医, §3): their insured region's.

A person's region is the province of their insured place (`insuplc`, first 2 digits). The policy is
the loaded profile whose `province` matches (at a shop whose own profile matches, that one first),
else the shipped profile for that province, else `national-default` (loaded first, then shipped).
The same answer serves a settlement (fund rule, `account_pays_ownpay`, family model and scope,
wallet) and the family accounts (binding and wallet rules), so the two can never disagree.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from simulator.platform.errors import RequestRejected
from simulator.platform.policy import NEAR_RELATIVES, Policy, parse_policy
from simulator.platform.profiles import load_profile, profile_names

__all__ = ["NATIONAL", "NEAR_RELATIVES", "RegionBook", "read_profiles"]

NATIONAL = "national-default"


def read_profiles(fixtures: Path) -> dict[str, dict[str, Any]]:
    """The shipped policy profiles (`<fixtures>/policies/<name>.json`), by name (read through `load_profile`)."""
    return {name: load_profile(name, fixtures) for name in profile_names(fixtures)}


class RegionBook:
    """Resolves a person's policy: loaded profiles first (a tester's inline profile wins), then shipped."""

    def __init__(self, fixtures: Path) -> None:
        self._shipped = read_profiles(fixtures)

    def shipped(self, name: str) -> dict[str, Any] | None:
        """A shipped profile by name (None: no such file)."""
        return self._shipped.get(name)

    def policy_for(self, insuplc: str, loaded: list[dict[str, Any]], shop: str | None = None) -> Policy:
        """The policy of the province of `insuplc` (6-digit insured place). `shop` names the policy of the
        institution where the person is treated: among loaded profiles of that province it comes first."""
        province = insuplc[:2]
        ordered = sorted(loaded, key=lambda body: body.get("name") != shop)  # stable: the shop's own first
        for bodies in (ordered, list(self._shipped.values())):
            for body in bodies:
                if str(body.get("province")) == province:
                    return parse_policy(body)
        for bodies in (loaded, list(self._shipped.values())):
            for body in bodies:
                if body.get("name") == NATIONAL:
                    return parse_policy(body)
        raise RequestRejected("ERR_POLICY_UNKNOWN", f"参保地 {insuplc} 没有可用的政策（缺少 {NATIONAL}）")
