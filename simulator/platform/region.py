"""Which region's family rules apply to a person (docs/domain.md §3 table), read from the policy profiles.

A person's region is their insured place's province (first 2 digits). The rules come from a loaded
policy whose `province` matches, else a fixture profile for that province, else `national-default`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulator.platform.errors import RequestRejected
from simulator.platform.profiles import load_profile, profile_names

NEAR_RELATIVES = ("spouse", "parent", "child", "sibling", "grandparent", "grandchild")
DATES = ("optional", "required")
# docs/domain.md §3 "dates" row: Shaanxi bindings carry a start and an end. The shared profile files have
# no key for it yet, so a profile without `mutual_aid.dates` falls back to this table (by name).
_DATES_BY_PROFILE = {"shaanxi": "required"}
NATIONAL = "national-default"


@dataclass(frozen=True)
class AidRules:
    """A region's family mutual-aid and wallet rules (one policy profile's `mutual_aid` + wallet flag)."""

    name: str
    province: str | None
    model: str  # drawdown | family_pool
    relations: tuple[str, ...]
    max_funders: int
    exclusive: bool
    scope: str  # pooling_region | province | national
    review_required: bool
    face_check_age: int
    max_family_size: int
    wallet_enabled: bool
    dates: str  # optional | required

    @property
    def creator_only_ends(self) -> bool:
        """Gansu's family pool: only the creator may remove a member (§3 "who may end it")."""
        return self.model == "family_pool"


def parse_rules(body: dict[str, Any]) -> AidRules:
    """A policy profile (fixtures/policies/*.json shape) -> its family rules."""
    try:
        aid = body["mutual_aid"]
        name = str(body["name"])
        rules = AidRules(
            name=name, province=None if body.get("province") is None else str(body["province"]),
            model=str(aid["model"]), relations=tuple(str(r) for r in aid.get("relations", NEAR_RELATIVES)),
            max_funders=int(aid.get("max_funders", 2)), exclusive=bool(aid.get("exclusive", False)),
            scope=str(aid.get("scope", "province")), review_required=bool(aid.get("review_required", False)),
            face_check_age=int(aid.get("face_check_age", 16)), max_family_size=int(aid.get("max_family_size", 7)),
            wallet_enabled=bool(body.get("wallet_enabled", True)),
            dates=str(aid.get("dates") or _DATES_BY_PROFILE.get(name, "optional")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise RequestRejected("ERR_BAD_POLICY", f"政策文件格式错误：缺少或错误的字段 {exc}") from None
    if rules.dates not in DATES:
        raise RequestRejected("ERR_BAD_POLICY", f"政策 {name} 的 dates 取值无效（optional/required）")
    return rules


class RegionBook:
    """Resolves region rules: loaded policies first (a tester's inline profile wins), then fixtures."""

    def __init__(self, fixtures: Path) -> None:
        self._fixture_bodies = tuple(load_profile(name, fixtures) for name in profile_names(fixtures))

    def rules_for(self, insuplc: str, loaded: list[dict[str, Any]]) -> AidRules:
        """The rules of the province of `insuplc` (6-digit insured place)."""
        province = insuplc[:2]
        for bodies in (loaded, self._fixture_bodies):
            for body in bodies:
                if str(body.get("province")) == province:
                    return parse_rules(body)
        for bodies in (loaded, self._fixture_bodies):
            for body in bodies:
                if body.get("name") == NATIONAL:
                    return parse_rules(body)
        raise RequestRejected("ERR_POLICY_UNKNOWN", f"参保地 {insuplc} 没有可用的政策（缺少 {NATIONAL}）")
