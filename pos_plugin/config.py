"""Settings in one place: the region policy the counter plans with, and the collaborators built from it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pos_plugin.errors import InputError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
POLICIES = FIXTURES / "policies"


@dataclass(frozen=True)
class RegionPolicy:
    """What the plugin needs to know of a region's policy to plan the payer chain (DOMAIN.md §2.4)."""

    name: str
    account_pays_ownpay: bool = True
    wallet_enabled: bool = True

    @classmethod
    def from_mapping(cls, raw: dict[str, Any]) -> RegionPolicy:
        return cls(str(raw.get("name", "inline")), bool(raw.get("account_pays_ownpay", True)),
                   bool(raw.get("wallet_enabled", True)))


def region_policy(ref: str | dict[str, Any] | None) -> RegionPolicy:
    """A policy by profile name (fixtures/policies/<name>.json), an inline policy object, or the default."""
    if ref is None:
        ref = "national-default"
    if isinstance(ref, dict):
        return RegionPolicy.from_mapping(ref)
    path = POLICIES / f"{ref}.json"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in POLICIES.glob("*.json")))
        raise InputError(f"未知的地区政策 {ref!r}（可选: {known}）")
    return RegionPolicy.from_mapping(json.loads(path.read_text(encoding="utf-8")))
