"""A region's policy profile (fixtures/policies/*.json): one record, one parser, one set of defaults.

The same record serves the settlement (fund rules, `account_pays_ownpay`, the family model and
`scope`, `wallet_enabled`) and the family accounts (relations, funders, review, face check, dates):
a profile read twice with two sets of defaults could answer the same question two ways.
Defaults are docs/domain.md §3's national-default column: near relatives, 2 funders, scope
`province`, no review, face check from 16, families of at most 7, wallet on.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from simulator.domain.refusals import BadPolicy

SCOPES = ("pooling_region", "province", "national")
MODELS = ("drawdown", "family_pool")
DATES = ("optional", "required")
NEAR_RELATIVES = ("spouse", "parent", "child", "sibling", "grandparent", "grandchild")
# docs/domain.md §3 "dates" row: Shaanxi bindings carry a start and an end. The shared profile files have
# no key for it yet, so a profile without `mutual_aid.dates` falls back to this table (by name).
_DATES_BY_PROFILE = {"shaanxi": "required"}


@dataclass(frozen=True)
class FundRule:
    """One pooled-fund rule; the first matching rule of the policy applies."""

    insutype: str
    psn_class: str
    med_type: str
    level: str
    deductible: Decimal
    ratio: Decimal
    cap: Decimal
    repeat_deductible_ratio: Decimal = Decimal(1)  # inpatient rows (med_type 21): deductible share of a later stay

    def matches(self, insutype: str, psn_class: str, med_type: str, level: str) -> bool:
        return (
            self.insutype == insutype
            and self.psn_class in ("any", psn_class)
            and self.med_type == med_type
            and self.level in ("any", level)
        )


@dataclass(frozen=True)
class Policy:
    """A region's rules as the platform applies them (settlement and family accounts alike)."""

    name: str
    province: str | None  # the 2-digit province the profile governs; None: no province (national default)
    model: str  # drawdown | family_pool
    scope: str  # pooling_region | province | national
    relations: tuple[str, ...]
    max_funders: int
    exclusive: bool
    review_required: bool
    face_check_age: int
    max_family_size: int
    dates: str  # optional | required
    account_pays_ownpay: bool
    wallet_enabled: bool
    fund: tuple[FundRule, ...]

    def fund_rule(self, insutype: str, psn_class: str, med_type: str, level: str) -> FundRule | None:
        for rule in self.fund:
            if rule.matches(insutype, psn_class, med_type, level):
                return rule
        return None

    @property
    def creator_only_ends(self) -> bool:
        """Gansu's family pool: only the creator may remove a member (§3 "who may end it")."""
        return self.model == "family_pool"


def _dec(raw: Any, what: str) -> Decimal:
    try:
        return Decimal(str(raw))
    except Exception:
        raise BadPolicy(detail=f"政策参数 {what} 格式错误：{raw!r}") from None


def parse_policy(body: dict[str, Any]) -> Policy:
    """A policy JSON object -> Policy (refuses unknown models/scopes/dates and malformed numbers)."""
    try:
        aid = body["mutual_aid"]
        name = str(body["name"])
        province = body.get("province")
        policy = Policy(
            name=name,
            province=None if province in (None, "") else str(province),
            model=str(aid["model"]),
            scope=str(aid.get("scope", "province")),
            relations=tuple(str(r) for r in aid.get("relations", NEAR_RELATIVES)),
            max_funders=int(aid.get("max_funders", 2)),
            exclusive=bool(aid.get("exclusive", False)),
            review_required=bool(aid.get("review_required", False)),
            face_check_age=int(aid.get("face_check_age", 16)),
            max_family_size=int(aid.get("max_family_size", 7)),
            dates=str(aid.get("dates") or _DATES_BY_PROFILE.get(name, "optional")),
            account_pays_ownpay=bool(body.get("account_pays_ownpay", True)),
            wallet_enabled=bool(body.get("wallet_enabled", True)),
            fund=tuple(_fund_rule(rule) for rule in body.get("fund", ())),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise BadPolicy(detail=f"政策文件格式错误：缺少或错误的字段 {exc}") from None
    if policy.model not in MODELS or policy.scope not in SCOPES:
        raise BadPolicy(detail=f"政策 {policy.name} 的共济模式或范围无效")
    if policy.dates not in DATES:
        raise BadPolicy(detail=f"政策 {name} 的 dates 取值无效（optional/required）")
    return policy


def _fund_rule(rule: dict[str, Any]) -> FundRule:
    parsed = FundRule(
        insutype=str(rule["insutype"]),
        psn_class=str(rule["psn_class"]),
        med_type=str(rule["med_type"]),
        level=str(rule["level"]),
        deductible=_dec(rule["deductible"], "deductible"),
        ratio=_dec(rule["ratio"], "ratio"),
        cap=_dec(rule["cap"], "cap"),
        repeat_deductible_ratio=_dec(rule.get("repeat_deductible_ratio", "1"), "repeat_deductible_ratio"),
    )
    repeat = parsed.repeat_deductible_ratio
    # docs/domain.md §2.7: a later stay owes `deductible × repeat_deductible_ratio`, unrounded; so the ratio
    # must keep that amount exact to the fen (0.50 of 300.00 does; 0.333 would not).
    if not Decimal(0) <= repeat <= Decimal(1) or (parsed.deductible * repeat) != (parsed.deductible * repeat).quantize(
            Decimal("0.01")):
        raise BadPolicy(detail=f"政策参数 repeat_deductible_ratio {repeat} 无效（0–1，且起付线×比例须精确到分）")
    return parsed


def in_scope(scope: str, *areas: str) -> bool:
    """Are all admin-division codes inside one `scope` (same 6 digits / same province / anywhere)?"""
    if scope == "national":
        return True
    width = 6 if scope == "pooling_region" else 2
    return len({area[:width] for area in areas}) <= 1
