"""`exp_content.payplan` (docs/protocol.md §4): the legs the POS expects; settle only on an exact match."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from simulator.domain.chain import SOURCES, Leg
from simulator.domain.money import ZERO, fmt, parse_amount
from simulator.domain.refusals import BadExpContent, BadPayplan, PayplanMismatch

SOURCE_NAMES = {"own": "本人账户", "funder": "共济人账户", "pool": "家庭共济账户", "wallet": "医保钱包"}


@dataclass(frozen=True)
class PlannedLeg:
    """One leg as the POS planned it; `rank`/`psn_no`/`pool_id` are compared only when given."""

    source: str
    amount: Decimal
    rank: int | None = None
    psn_no: str | None = None
    pool_id: str | None = None


@dataclass(frozen=True)
class ExpContent:
    """The parsed `exp_content` of a settlement request."""

    payplan: tuple[PlannedLeg, ...] | None
    use_wallet: bool


def parse_exp_content(raw: object) -> ExpContent:
    """`exp_content` may be an object, a JSON string, empty or absent."""
    if raw is None or raw == "":
        return ExpContent(None, True)
    if isinstance(raw, str):
        try:
            raw = json.loads(raw, parse_float=Decimal)  # numbers as Decimal, like the envelope itself
        except ValueError:
            raise BadExpContent(detail="exp_content 不是合法的 JSON") from None
    if not isinstance(raw, dict):
        raise BadExpContent(detail="exp_content 必须是 JSON 对象")
    use_wallet = str(raw.get("use_wallet", "1"))
    if use_wallet not in ("0", "1"):
        raise BadExpContent(detail="exp_content.use_wallet 只能是 \"0\" 或 \"1\"")
    plan = raw.get("payplan")
    legs = None if plan is None else _parse_payplan(plan)
    return ExpContent(legs, use_wallet == "1")


def _parse_payplan(plan: object) -> tuple[PlannedLeg, ...]:
    if not isinstance(plan, list):
        raise BadPayplan(detail="exp_content.payplan 必须是数组")
    return tuple(_parse_leg(index, leg) for index, leg in enumerate(plan, start=1))


def _parse_leg(index: int, leg: Any) -> PlannedLeg:
    if not isinstance(leg, dict) or leg.get("source") not in SOURCES or "amount" not in leg:
        raise BadPayplan(detail=f"支付计划第 {index} 段格式错误（需要 source 与 amount）")
    rank = leg.get("rank")
    if rank is not None and (isinstance(rank, bool) or not str(rank).isdigit()):
        raise BadPayplan(detail=f"支付计划第 {index} 段的 rank 格式错误")
    return PlannedLeg(
        source=str(leg["source"]),
        amount=parse_amount(leg["amount"], f"payplan[{index}].amount"),
        rank=None if rank is None else int(str(rank)),
        psn_no=None if leg.get("psn_no") in (None, "") else str(leg["psn_no"]),
        pool_id=None if leg.get("pool_id") in (None, "") else str(leg["pool_id"]),
    )


def _differs(planned: PlannedLeg, leg: Leg) -> bool:
    return (
        planned.source != leg.source
        or planned.amount != leg.amount
        or (planned.rank is not None and planned.rank != leg.rank)
        or (planned.psn_no is not None and planned.psn_no != leg.psn_no)
        or (planned.pool_id is not None and planned.pool_id != leg.pool_id)
    )


def describe(source: str, rank: int | None, psn_no: str | None, amount: Decimal) -> str:
    rank_text = f"顺位{rank} " if rank is not None and source == "funder" else ""
    who = f"{psn_no} " if psn_no else ""
    return f"{SOURCE_NAMES.get(source, source)} {rank_text}{who}{fmt(amount)}元"


def check_payplan(planned: tuple[PlannedLeg, ...], legs: tuple[Leg, ...]) -> None:
    """Refuse (naming the first differing leg) unless the platform's legs are exactly `planned`."""
    wanted = [leg for leg in planned if leg.amount != ZERO]
    for index in range(max(len(wanted), len(legs))):
        mine = legs[index] if index < len(legs) else None
        theirs = wanted[index] if index < len(wanted) else None
        if mine is not None and theirs is not None and not _differs(theirs, mine):
            continue
        expected = "无" if theirs is None else describe(theirs.source, theirs.rank, theirs.psn_no, theirs.amount)
        actual = "无" if mine is None else describe(mine.source, mine.rank, mine.psn_no, mine.amount)
        raise PayplanMismatch(segment=index + 1, expected=expected, actual=actual)
