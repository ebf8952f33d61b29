"""A settlement computed end to end (§2.2–2.5) before anything is written: the functional core."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from simulator.domain.chain import Leg, PayerContext, eligible_amount, payer_chain
from simulator.domain.fund import FundResult, pooled_fund
from simulator.domain.models import CatalogueItem, FeeLine, person_class
from simulator.domain.money import ZERO
from simulator.domain.refusals import NotInsured
from simulator.domain.split import LineSplit, SplitTotals, split_line, sum_splits

STATUS_NAMES = {"2": "暂停参保", "4": "终止参保"}


@dataclass(frozen=True)
class SettlementPlan:
    """The platform's answer for one bill: line splits, fund, legs and cash."""

    splits: tuple[LineSplit, ...]
    totals: SplitTotals
    fund: FundResult
    psn_part_amt: Decimal
    legs: tuple[Leg, ...]
    acct_pay: Decimal
    acct_mulaid_pay: Decimal
    wallet_pay: Decimal
    psn_cash_pay: Decimal
    warnings: tuple[str, ...] = ()  # catalogue warnings (a code split as 丙 for want of a valid entry)
    traced: frozenset[str] = frozenset()  # codes whose every box must carry its traceability code

    @property
    def medfee_sumamt(self) -> Decimal:
        return self.totals.medfee

    @property
    def fund_pay_sumamt(self) -> Decimal:
        return self.fund.hifp_pay

    def own_pay(self) -> Decimal:
        return sum((leg.amount for leg in self.legs if leg.source == "own"), ZERO)


def require_insured(ctx: PayerContext) -> None:
    """A patient whose insurance is not normal (status ≠ 1) cannot settle at all."""
    status = ctx.patient.status
    if status != "1":
        name = STATUS_NAMES.get(status, f"状态 {status}")
        raise NotInsured(status=name, what="进行医保结算")


def plan_settlement(ctx: PayerContext, lines: Sequence[FeeLine], catalogue: Mapping[str, CatalogueItem],
                    med_type: str, use_account: bool, use_wallet: bool, today: date) -> SettlementPlan:
    """Compute the whole settlement from values read now; pure, so pre-settle and settle agree."""
    require_insured(ctx)
    patient = ctx.patient
    splits = tuple(split_line(line, catalogue.get(line.code)) for line in lines)
    totals = sum_splits(splits)
    rule = ctx.policy.fund_rule(patient.insutype, person_class(patient.insutype, patient.psn_type),
                                med_type, ctx.institution.level)
    fund = pooled_fund(rule, totals.inscp, patient.ytd_deductible_used, patient.ytd_fund_paid)
    psn_part = totals.medfee - fund.hifp_pay
    eligible = eligible_amount(ctx.policy, psn_part, totals.fulamt, totals.overlmt)
    legs = payer_chain(ctx, eligible, use_account, use_wallet, today)
    acct = sum((leg.amount for leg in legs if leg.source != "wallet"), ZERO)
    mulaid = sum((leg.amount for leg in legs if leg.source in ("funder", "pool")), ZERO)
    wallet = sum((leg.amount for leg in legs if leg.source == "wallet"), ZERO)
    plan = SettlementPlan(splits, totals, fund, psn_part, legs, acct, mulaid, wallet, psn_part - acct - wallet)
    _check_invariants(plan)
    return plan


def _check_invariants(plan: SettlementPlan) -> None:
    total = plan.fund_pay_sumamt + plan.acct_pay + plan.wallet_pay + plan.psn_cash_pay
    if total != plan.medfee_sumamt or plan.psn_cash_pay < ZERO or any(leg.amount <= ZERO for leg in plan.legs):
        raise AssertionError(f"settlement invariant broken: {plan}")
    for split in plan.splits:
        if split.fulamt + split.overlmt + split.preself + split.inscp != split.line.amt:
            raise AssertionError(f"line split invariant broken: {split}")
