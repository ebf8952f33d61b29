"""The payer chain (docs/domain.md §2.4–2.5): who pays the patient's personal burden, in what order.

own personal account → funders by rank (or the family pool) → wallet → cash. Each usable source
takes `min(its available money, remaining eligible)`. Pure: no clock, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from pos_plugin.domain.errors import InvariantViolation
from pos_plugin.domain.money import ZERO

Source = Literal["own", "funder", "pool", "wallet"]


@dataclass(frozen=True)
class Funder:
    """A binding where the patient is the beneficiary, as 1101 `mulaidinfo[]` reports it."""

    rank: int
    psn_no: str
    available: Decimal
    usable: bool
    name: str = ""
    reason: str | None = None


@dataclass(frozen=True)
class FamilyPool:
    """Gansu family mutual-aid account the patient is a member of."""

    pool_id: str
    balance: Decimal
    usable: bool


@dataclass(frozen=True)
class PatientFunds:
    """The patient's money as the platform reports it; `own_usable` = insutype 310 and status normal."""

    psn_no: str
    own_balance: Decimal = ZERO
    own_usable: bool = False
    funders: tuple[Funder, ...] = ()
    pool: FamilyPool | None = None
    wallet_balance: Decimal = ZERO
    wallet_usable: bool = False
    name: str = ""


@dataclass(frozen=True)
class Burden:
    """The personal-burden figures of a (pre-)settlement that decide what accounts may pay."""

    psn_part_amt: Decimal
    fulamt_ownpay_amt: Decimal = ZERO
    overlmt_selfpay: Decimal = ZERO


@dataclass(frozen=True)
class Choices:
    """The patient's consent: `use_account=False` is acct_used_flag 0; the wallet has its own flag."""

    use_account: bool = True
    use_wallet: bool = True


@dataclass(frozen=True)
class Leg:
    source: Source
    amount: Decimal
    psn_no: str | None = None
    rank: int | None = None
    pool_id: str | None = None
    name: str = ""


@dataclass(frozen=True)
class PayerPlan:
    """Non-zero legs in chain order plus the reported totals."""

    legs: tuple[Leg, ...]
    eligible: Decimal
    acct_pay: Decimal
    acct_mulaid_pay: Decimal
    wallet_pay: Decimal
    psn_cash_pay: Decimal


@dataclass(frozen=True)
class _Slot:
    """One usable source of money in chain order, with what it could give."""

    source: Source
    available: Decimal
    psn_no: str | None = None
    rank: int | None = None
    pool_id: str | None = None
    name: str = ""


def eligible_amount(burden: Burden, *, account_pays_ownpay: bool) -> Decimal:
    """What accounts and the wallet may pay (docs/domain.md §2.4)."""
    if account_pays_ownpay:
        return burden.psn_part_amt
    return max(ZERO, burden.psn_part_amt - burden.fulamt_ownpay_amt - burden.overlmt_selfpay)


def plan_payer_chain(
    funds: PatientFunds, burden: Burden, *, account_pays_ownpay: bool, choices: Choices = Choices()
) -> PayerPlan:
    """Drain the chain in order and report the legs and totals; the §2.5 invariants are checked."""
    _require_non_negative(funds, burden)
    eligible = eligible_amount(burden, account_pays_ownpay=account_pays_ownpay)
    slots = usable_slots(funds, choices)
    remaining = eligible
    legs: list[Leg] = []
    for slot in slots:
        take = min(slot.available, remaining)
        if take > 0:
            legs.append(Leg(slot.source, take, slot.psn_no, slot.rank, slot.pool_id, slot.name))
            remaining -= take
    plan = _totals(tuple(legs), burden, eligible)
    check_plan(plan, slots, burden)
    return plan


def usable_slots(funds: PatientFunds, choices: Choices) -> tuple[_Slot, ...]:
    """The sources that may pay here today, in chain order (inactive ranks are skipped, numbers kept)."""
    slots: list[_Slot] = []
    if choices.use_account:
        if funds.own_usable:
            slots.append(_Slot("own", funds.own_balance, funds.psn_no, name=funds.name))
        if funds.pool is not None and funds.pool.usable:  # the family-pool model: the pool instead of funders
            slots.append(_Slot("pool", funds.pool.balance, pool_id=funds.pool.pool_id))
        else:  # an unusable pool row (another region's model, empty, out of scope) never hides the funders
            for funder in sorted(funds.funders, key=lambda f: f.rank):
                if funder.usable:
                    slots.append(_Slot("funder", funder.available, funder.psn_no, funder.rank, name=funder.name))
    if choices.use_wallet and funds.wallet_usable:
        slots.append(_Slot("wallet", funds.wallet_balance, funds.psn_no, name=funds.name))
    return tuple(slots)


def _totals(legs: tuple[Leg, ...], burden: Burden, eligible: Decimal) -> PayerPlan:
    acct = sum((leg.amount for leg in legs if leg.source in ("own", "funder", "pool")), ZERO)
    mulaid = sum((leg.amount for leg in legs if leg.source in ("funder", "pool")), ZERO)
    wallet = sum((leg.amount for leg in legs if leg.source == "wallet"), ZERO)
    return PayerPlan(legs, eligible, acct, mulaid, wallet, burden.psn_part_amt - acct - wallet)


def check_plan(plan: PayerPlan, slots: tuple[_Slot, ...], burden: Burden) -> None:
    """The §2.5 invariants, exact to the fen. A violation is a bug: it raises InvariantViolation."""
    if plan.acct_pay + plan.wallet_pay + plan.psn_cash_pay != burden.psn_part_amt:
        raise InvariantViolation("个人负担 ≠ 账户 + 钱包 + 现金")
    if not ZERO <= plan.acct_mulaid_pay <= plan.acct_pay:
        raise InvariantViolation("共济支付超出账户支付")
    if plan.acct_pay + plan.wallet_pay > plan.eligible:
        raise InvariantViolation("账户与钱包支付超过可支付范围")
    if any(leg.amount <= 0 for leg in plan.legs) or plan.psn_cash_pay < 0:
        raise InvariantViolation("出现零额或负额支付段")
    by_slot = _amounts_by_slot(plan.legs, slots)
    for taken, slot in zip(by_slot, slots, strict=True):
        if taken > slot.available:
            raise InvariantViolation(f"{slot.source} 支付超过可用余额")
    _check_drain_order(by_slot, slots, plan)


def _amounts_by_slot(legs: tuple[Leg, ...], slots: tuple[_Slot, ...]) -> list[Decimal]:
    amounts = [ZERO] * len(slots)
    position = 0
    for leg in legs:
        while position < len(slots) and not _same_source(leg, slots[position]):
            position += 1
        if position == len(slots):
            raise InvariantViolation(f"支付段不在可用链上或顺序错误: {leg.source}")
        amounts[position] = leg.amount
        position += 1
    return amounts


def _same_source(leg: Leg, slot: _Slot) -> bool:
    return (leg.source, leg.psn_no, leg.rank, leg.pool_id) == (slot.source, slot.psn_no, slot.rank, slot.pool_id)


def _check_drain_order(by_slot: list[Decimal], slots: tuple[_Slot, ...], plan: PayerPlan) -> None:
    """A later leg (or cash within eligibility) is non-zero only if every earlier usable leg is exhausted."""
    for later in range(len(slots)):
        if by_slot[later] > 0 and any(by_slot[e] < slots[e].available for e in range(later)):
            raise InvariantViolation(f"第 {later + 1} 段在前序账户未用尽时支付")
    unpaid_eligible = plan.eligible - plan.acct_pay - plan.wallet_pay
    if unpaid_eligible > 0 and any(t < s.available for t, s in zip(by_slot, slots, strict=True)):
        raise InvariantViolation("可支付部分转为现金，但仍有账户未用尽")


def _require_non_negative(funds: PatientFunds, burden: Burden) -> None:
    figures = [burden.psn_part_amt, burden.fulamt_ownpay_amt, burden.overlmt_selfpay,
               funds.own_balance, funds.wallet_balance]
    figures += [f.available for f in funds.funders]
    if funds.pool is not None:
        figures.append(funds.pool.balance)
    if any(value < 0 for value in figures):
        raise InvariantViolation("余额或负担金额为负")
