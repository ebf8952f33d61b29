"""The payer chain (docs/domain.md §2.4–2.5): own account, funders by rank or the family pool, wallet, cash."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from simulator.domain.models import Binding, Institution, Person, Pool, Wallet
from simulator.domain.money import ZERO
from simulator.domain.policy import Policy, in_scope
from simulator.domain.records import LedgerSource

SOURCES = ("own", "funder", "pool", "wallet")
_STATE_REASONS = {"pending": "共济关系待审核，尚未生效", "ended": "共济关系已终止",
                  "rejected": "共济关系审核未通过"}


@dataclass(frozen=True)
class FunderLink:
    """A binding together with its funder as read now."""

    binding: Binding
    funder: Person


@dataclass(frozen=True)
class PayerContext:
    """Everything the chain looks at, read (and on a settlement: locked) in one transaction. `policy` is the
    patient's insured region's (docs/domain.md §1); `institution` is the place of treatment."""

    patient: Person
    institution: Institution
    policy: Policy
    funders: tuple[FunderLink, ...]
    pool: Pool | None
    pool_creator: Person | None
    wallet: Wallet | None


@dataclass(frozen=True)
class Leg:
    """One non-zero payment leg. `psn_no`/`name` say whose money (a pool leg names its creator)."""

    source: LedgerSource
    rank: int | None
    psn_no: str
    name: str
    amount: Decimal
    person_id: int | None = None
    pool_row: int | None = None
    pool_id: str | None = None
    wallet_row: int | None = None
    wallet_id: str | None = None


def own_refusal(patient: Person) -> str | None:
    """Why the patient's own account cannot pay (None: it can)."""
    if patient.insutype != "310" or patient.balance is None:
        return "非职工医保参保人，无个人账户"
    if patient.status != "1":
        return "参保状态异常，个人账户不可用"
    return None


def _scope_reason(policy: Policy) -> str:
    where = {"pooling_region": "同一统筹区", "province": "同一省份"}.get(policy.scope, "范围")
    return f"共济人参保地、使用人参保地与就医机构所在地不在{where}内"


def binding_state_refusal(binding: Binding, funder: Person, patient_id: int, today: date) -> str | None:
    """Why a binding is not in force today wherever the patient is (state, dates, funder's insurance)."""
    if binding.state != "active":
        return _STATE_REASONS.get(binding.state, f"共济关系状态异常（{binding.state}）")
    if binding.start is not None and today < binding.start:
        return f"共济关系尚未生效（{binding.start.isoformat()} 起）"
    if binding.end is not None and today > binding.end:
        return f"共济关系已过期（{binding.end.isoformat()} 止）"
    if funder.id == patient_id:
        return "不能为本人共济"
    if funder.insutype != "310" or funder.balance is None:
        return "共济人非职工医保参保人"
    if funder.status != "1":
        return "共济人参保状态异常，共济自动终止"
    return None


def binding_refusal(link: FunderLink, ctx: PayerContext, today: date) -> str | None:
    """Why a binding would not pay here today (None: it is active and usable)."""
    binding, funder, policy = link.binding, link.funder, ctx.policy
    if policy.model != "drawdown":
        return f"参保地政策（{policy.name}）采用家庭共济账户模式，不支持直接使用共济人个人账户"
    reason = binding_state_refusal(binding, funder, ctx.patient.id, today)
    if reason is not None:
        return reason
    if not in_scope(policy.scope, funder.insuplc, ctx.patient.insuplc, ctx.institution.admdvs):
        return _scope_reason(policy)
    return None


def pool_refusal(ctx: PayerContext) -> str | None:
    """Why the patient's family pool would not pay here (None: usable)."""
    if ctx.pool is None or ctx.pool_creator is None:
        return "未加入家庭共济账户"
    if ctx.policy.model != "family_pool":
        return f"参保地政策（{ctx.policy.name}）未采用家庭共济账户模式"
    creator = ctx.pool_creator
    if not in_scope(ctx.policy.scope, creator.insuplc, ctx.patient.insuplc, ctx.institution.admdvs):
        return _scope_reason(ctx.policy)
    return None


def wallet_refusal(ctx: PayerContext) -> str | None:
    """Why the patient's wallet would not pay here (None: usable)."""
    if ctx.wallet is None:
        return "未开通医保钱包"
    if ctx.wallet.status != "active":
        return f"医保钱包状态异常（{ctx.wallet.status}）"
    if not ctx.policy.wallet_enabled:
        return f"参保地政策（{ctx.policy.name}）未开通医保钱包支付"
    if not ctx.institution.wallet_enabled:
        return "本机构未开通医保钱包支付"
    return None


def eligible_amount(policy: Policy, psn_part: Decimal, fulamt: Decimal, overlmt: Decimal) -> Decimal:
    """What accounts and wallet may pay of the personal burden (§2.4)."""
    if policy.account_pays_ownpay:
        return psn_part
    return max(ZERO, psn_part - fulamt - overlmt)


def _draw(legs: list[Leg], remaining: Decimal, available: Decimal, template: Leg) -> Decimal:
    """Append `template` with amount min(available, remaining) if non-zero; return what remains."""
    amount = min(available, remaining)
    if amount > ZERO:
        legs.append(replace(template, amount=amount))
    return remaining - amount


def payer_chain(ctx: PayerContext, eligible: Decimal, use_account: bool, use_wallet: bool,
                today: date) -> tuple[Leg, ...]:
    """Drain own → funders by rank (or pool) → wallet; each takes min(available, remaining)."""
    legs: list[Leg] = []
    remaining = eligible
    patient = ctx.patient
    if use_account:
        if own_refusal(patient) is None and patient.balance is not None:
            remaining = _draw(legs, remaining, patient.balance, Leg(
                "own", None, patient.psn_no, patient.name, ZERO, person_id=patient.id))
        if ctx.policy.model == "drawdown":
            for link in ctx.funders:
                funder = link.funder
                if binding_refusal(link, ctx, today) is None and funder.balance is not None:
                    remaining = _draw(legs, remaining, funder.balance, Leg(
                        "funder", link.binding.rank, funder.psn_no, funder.name, ZERO, person_id=funder.id))
        elif pool_refusal(ctx) is None and ctx.pool is not None and ctx.pool_creator is not None:
            creator = ctx.pool_creator
            remaining = _draw(legs, remaining, ctx.pool.balance, Leg(
                "pool", 1, creator.psn_no, creator.name, ZERO, pool_row=ctx.pool.id, pool_id=ctx.pool.pool_id))
    if use_wallet and wallet_refusal(ctx) is None and ctx.wallet is not None:
        _draw(legs, remaining, ctx.wallet.balance, Leg(
            "wallet", None, patient.psn_no, patient.name, ZERO,
            wallet_row=ctx.wallet.id, wallet_id=ctx.wallet.wallet_id))
    return tuple(legs)
