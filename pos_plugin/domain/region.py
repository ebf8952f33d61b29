"""Which region's policy plans a patient's payer chain (docs/domain.md §1, 异地就医). Pure: no I/O.

A patient insured elsewhere settles under the policy of their insured place, picked by the province
(first 2 digits) of 1101's `insuplc_admdvs`. The terminal's configured policy (`--policy`) is the
profile of its own region; a patient whose province has no profile is planned with `national-default`,
as the platform does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

NATIONAL_DEFAULT = "national-default"


@dataclass(frozen=True)
class RegionPolicy:
    """What the plugin needs of a region's policy to plan the payer chain (docs/domain.md §2.4).

    Defaults are the national default's (docs/domain.md §3): accounts pay own-pay items, wallet on."""

    name: str
    province: str | None = None  # the 2-digit province the profile governs; None: none (a default)
    account_pays_ownpay: bool = True
    wallet_enabled: bool = True

    @classmethod
    def from_mapping(cls, raw: dict[str, Any]) -> RegionPolicy:
        province = raw.get("province")
        return cls(str(raw.get("name", "inline")), None if province in (None, "") else str(province),
                   bool(raw.get("account_pays_ownpay", True)), bool(raw.get("wallet_enabled", True)))

    def governs(self, insuplc: str) -> bool:
        """Is this the profile of the province of `insuplc` (a 6-digit insured place)?"""
        return self.province is not None and self.province == insuplc[:2]


@dataclass(frozen=True)
class RegionPolicies:
    """The terminal's own policy and every other profile it knows, in the order they are consulted."""

    default: RegionPolicy
    known: tuple[RegionPolicy, ...] = ()

    def for_insuplc(self, insuplc: str) -> RegionPolicy:
        """The policy of the patient's insured province: the terminal's own if it governs it, else the first
        known profile that does, else `national-default` (a province without a profile, docs/domain.md §1, as
        the platform plans it); the terminal's own only when no national default is known at all."""
        for policy in (self.default, *self.known):
            if policy.governs(insuplc):
                return policy
        return next((p for p in (self.default, *self.known) if p.name == NATIONAL_DEFAULT), self.default)
