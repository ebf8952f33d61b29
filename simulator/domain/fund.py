"""The pooled fund (docs/domain.md §2.3): deductible, ratio, annual cap; first matching policy rule."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from simulator.domain.money import ZERO, round2
from simulator.domain.policy import FundRule


@dataclass(frozen=True)
class FundResult:
    """What the pooled fund pays (`hifp_pay`) and how much of the deductible this bill uses."""

    act_pay_dedc: Decimal
    hifp_pay: Decimal


def pooled_fund(rule: FundRule | None, inscp: Decimal, ytd_deductible_used: Decimal,
                ytd_fund_paid: Decimal) -> FundResult:
    """Apply one rule to the in-scope total given the person's year-to-date accumulators."""
    if rule is None:
        return FundResult(ZERO, ZERO)
    dedc_left = max(ZERO, rule.deductible - ytd_deductible_used)
    act_pay_dedc = min(inscp, dedc_left)
    cap_left = max(ZERO, rule.cap - ytd_fund_paid)
    hifp_pay = min(round2((inscp - act_pay_dedc) * rule.ratio), cap_left)
    return FundResult(act_pay_dedc, hifp_pay)


@dataclass(frozen=True)
class InpatientYear:
    """A person's inpatient accumulators for one calendar year (docs/domain.md §2.7): the fund paid for
    settled stays and how many stays were settled (a revoked stay counts in neither)."""

    fund_paid: Decimal
    stays: int


def inpatient_fund(rule: FundRule | None, inscp: Decimal, year: InpatientYear) -> FundResult:
    """One stay's fund (§2.7): the deductible is owed per admission — in full for the year's first settled
    stay, times `repeat_deductible_ratio` for each later one — and the cap is the inpatient cap of the year."""
    if rule is None:
        return FundResult(ZERO, ZERO)
    dedc_left = rule.deductible if year.stays == 0 else rule.deductible * rule.repeat_deductible_ratio
    act_pay_dedc = min(inscp, dedc_left)
    cap_left = max(ZERO, rule.cap - year.fund_paid)
    hifp_pay = min(round2((inscp - act_pay_dedc) * rule.ratio), cap_left)
    return FundResult(act_pay_dedc, hifp_pay)
