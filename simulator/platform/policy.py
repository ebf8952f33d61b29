"""Regional policy (fixtures/policies/*.json): mutual-aid model and scope, wallet, pooled-fund rules."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from simulator.platform.errors import RequestRejected

SCOPES = ("pooling_region", "province", "national")
MODELS = ("drawdown", "family_pool")


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

    def matches(self, insutype: str, psn_class: str, med_type: str, level: str) -> bool:
        return (
            self.insutype == insutype
            and self.psn_class in ("any", psn_class)
            and self.med_type == med_type
            and self.level in ("any", level)
        )


@dataclass(frozen=True)
class Policy:
    """A region's rules as the platform applies them."""

    name: str
    model: str
    scope: str
    relations: tuple[str, ...]
    max_funders: int
    account_pays_ownpay: bool
    wallet_enabled: bool
    fund: tuple[FundRule, ...]

    def fund_rule(self, insutype: str, psn_class: str, med_type: str, level: str) -> FundRule | None:
        for rule in self.fund:
            if rule.matches(insutype, psn_class, med_type, level):
                return rule
        return None


def _dec(raw: Any, what: str) -> Decimal:
    try:
        return Decimal(str(raw))
    except Exception:
        raise RequestRejected("ERR_BAD_POLICY", f"政策参数 {what} 格式错误：{raw!r}") from None


def parse_policy(body: dict[str, Any]) -> Policy:
    """A policy JSON object -> Policy (refuses unknown models/scopes and malformed numbers)."""
    try:
        aid = body["mutual_aid"]
        policy = Policy(
            name=str(body["name"]),
            model=str(aid["model"]),
            scope=str(aid["scope"]),
            relations=tuple(str(r) for r in aid.get("relations", ())),
            max_funders=int(aid.get("max_funders", 2)),
            account_pays_ownpay=bool(body.get("account_pays_ownpay", True)),
            wallet_enabled=bool(body.get("wallet_enabled", True)),
            fund=tuple(_fund_rule(rule) for rule in body.get("fund", ())),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise RequestRejected("ERR_BAD_POLICY", f"政策文件格式错误：缺少或错误的字段 {exc}") from None
    if policy.model not in MODELS or policy.scope not in SCOPES:
        raise RequestRejected("ERR_BAD_POLICY", f"政策 {policy.name} 的共济模式或范围无效")
    return policy


def _fund_rule(rule: dict[str, Any]) -> FundRule:
    return FundRule(
        insutype=str(rule["insutype"]),
        psn_class=str(rule["psn_class"]),
        med_type=str(rule["med_type"]),
        level=str(rule["level"]),
        deductible=_dec(rule["deductible"], "deductible"),
        ratio=_dec(rule["ratio"], "ratio"),
        cap=_dec(rule["cap"], "cap"),
    )


def in_scope(scope: str, *areas: str) -> bool:
    """Are all admin-division codes inside one `scope` (same 6 digits / same province / anywhere)?"""
    if scope == "national":
        return True
    width = 6 if scope == "pooling_region" else 2
    return len({area[:width] for area in areas}) <= 1
