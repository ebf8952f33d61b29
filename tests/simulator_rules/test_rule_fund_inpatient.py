"""The inpatient fund (docs/domain.md §2.7) of `simulator/domain/fund.py`, `plan_settlement` and the profiles,
against the formulas restated here in exact fractions (rule_oracle.py): per-admission deductible, the repeat
ratio for the year's later stays, the inpatient cap of the year."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rule_oracle import F, decimals, money, r2

from simulator.domain.chain import PayerContext
from simulator.domain.fund import InpatientYear, inpatient_fund, pooled_fund
from simulator.domain.models import CatalogueItem, FeeLine, Institution, Person
from simulator.domain.policy import FundRule, Policy, parse_policy
from simulator.domain.refusals import BadPolicy

ROOT = Path(__file__).resolve().parents[2]
ratios = decimals(4, 10_000)
repeat_ratios = st.one_of(st.sampled_from([Decimal("0.50"), Decimal("1"), Decimal("0")]), decimals(2, 100))
stays = st.integers(min_value=0, max_value=6)
# A profile's deductible × repeat ratio must be exact to the fen (the loader refuses others, see
# test_a_repeat_ratio_that_is_not_exact_to_the_fen_is_refused): whole-yuan deductibles with 2-place
# ratios are.
whole_yuan = st.integers(min_value=0, max_value=5_000).map(lambda y: Decimal(y).quantize(Decimal("0.01")))


@st.composite
def inpatient_rules(draw: st.DrawFn) -> FundRule:
    return FundRule(insutype=draw(st.sampled_from(("310", "390"))), psn_class="any", med_type="21", level="any",
                    deductible=draw(whole_yuan), ratio=draw(ratios), cap=draw(money),
                    repeat_deductible_ratio=draw(repeat_ratios))


def oracle(rule: FundRule, inscp: Decimal, fund_paid: Decimal, settled_stays: int) -> tuple[object, object]:
    """§2.7 restated: f = 1 for the year's first settled stay, the repeat ratio for each later one."""
    f = 1 if settled_stays == 0 else F(rule.repeat_deductible_ratio)
    act_pay_dedc = min(F(inscp), F(rule.deductible) * f)
    hifp = min(r2((F(inscp) - act_pay_dedc) * F(rule.ratio)), max(F(rule.cap) - F(fund_paid), 0))
    return act_pay_dedc, hifp


@given(inpatient_rules(), money, money, stays)
def test_the_stay_fund_pays_the_formula(rule: FundRule, inscp: Decimal, fund_paid: Decimal, settled: int) -> None:
    result = inpatient_fund(rule, inscp, InpatientYear(fund_paid, settled))
    assert (F(result.act_pay_dedc), F(result.hifp_pay)) == oracle(rule, inscp, fund_paid, settled)
    assert 0 <= result.hifp_pay <= inscp - result.act_pay_dedc


@given(inpatient_rules(), money, money, st.integers(min_value=1, max_value=6))
def test_every_later_stay_owes_the_same_share_and_never_more_than_the_first(
        rule: FundRule, inscp: Decimal, fund_paid: Decimal, settled: int) -> None:
    first = inpatient_fund(rule, inscp, InpatientYear(fund_paid, 0))
    later = inpatient_fund(rule, inscp, InpatientYear(fund_paid, settled))
    assert later == inpatient_fund(rule, inscp, InpatientYear(fund_paid, 1))
    assert later.act_pay_dedc <= first.act_pay_dedc and later.hifp_pay >= first.hifp_pay


@given(inpatient_rules(), money, money)
def test_a_first_stay_is_the_outpatient_formula_with_nothing_used(rule: FundRule, inscp: Decimal,
                                                                  fund_paid: Decimal) -> None:
    """With no stay settled yet, §2.7 is §2.3 with the year's deductible untouched and the inpatient fund paid."""
    assert inpatient_fund(rule, inscp, InpatientYear(fund_paid, 0)) == pooled_fund(rule, inscp, Decimal("0.00"),
                                                                                    fund_paid)


@given(money, money, stays)
def test_no_inpatient_rule_pays_nothing(inscp: Decimal, fund_paid: Decimal, settled: int) -> None:
    result = inpatient_fund(None, inscp, InpatientYear(fund_paid, settled))
    assert (result.act_pay_dedc, result.hifp_pay) == (0, 0)


PATIENT = Person(id=1, psn_no="P1", name="王", certno="610103195801011234", gender="1", birthday=date(1958, 1, 1),
                 insutype="310", psn_type="1201", insuplc="610103", status="1", balance=Decimal("100.00"),
                 ytd_deductible_used=Decimal("0.00"), ytd_fund_paid=Decimal("0.00"), card_sn="A00000001")
HOSPITAL = Institution(code="H1", name="医院", kind="hospital", admdvs="610103", level="2", wallet_enabled=True,
                       policy="p")


@given(inpatient_rules(), st.lists(st.integers(min_value=1, max_value=2_000_000), min_size=1, max_size=5),
       money, stays, st.booleans())
def test_a_stay_plan_keeps_every_invariant(rule: FundRule, prices_fen: list[int], fund_paid: Decimal, settled: int,
                                           use_account: bool) -> None:
    from simulator.domain.plan import plan_settlement

    rule = FundRule("310", "retired", "21", "2", rule.deductible, rule.ratio, rule.cap, rule.repeat_deductible_ratio)
    policy = Policy(name="p", province=None, model="drawdown", scope="province", relations=(), max_funders=2,
                    exclusive=False, review_required=False, face_check_age=16, max_family_size=7, dates="optional",
                    account_pays_ownpay=True, wallet_enabled=True, fund=(rule,))
    ctx = PayerContext(PATIENT, HOSPITAL, policy, (), None, None, None)
    lines = [FeeLine(str(n), "A1", "甲类", Decimal(1), Decimal(f).scaleb(-2), Decimal(f).scaleb(-2))
             for n, f in enumerate(prices_fen)]
    catalogue = {"A1": CatalogueItem("A1", "甲类", "01", Decimal(0), None)}
    plan = plan_settlement(ctx, lines, catalogue, "21", use_account, False, date(2026, 6, 1),
                           InpatientYear(fund_paid, settled))
    assert (F(plan.fund.act_pay_dedc), F(plan.fund.hifp_pay)) == oracle(rule, plan.totals.inscp, fund_paid, settled)
    assert plan.medfee_sumamt == plan.fund_pay_sumamt + plan.acct_pay + plan.wallet_pay + plan.psn_cash_pay
    assert plan.acct_pay == (min(PATIENT.balance or 0, plan.psn_part_amt) if use_account else 0)


def test_a_worked_second_stay() -> None:
    """§2.7 by hand (Shaanxi, retired, level 2): 2,000.00 in scope, a second stay owes 250.00 of 500.00,
    the fund round2(1,750.00 × 0.91) = 1,592.50, well inside the 150,000.00 cap."""
    profile = parse_policy(json.loads((ROOT / "fixtures/policies/shaanxi.json").read_text(encoding="utf-8")))
    rule = profile.fund_rule("310", "retired", "21", "2")
    assert rule is not None and (rule.deductible, rule.repeat_deductible_ratio) == (Decimal("500.00"), Decimal("0.50"))
    result = inpatient_fund(rule, Decimal("2000.00"), InpatientYear(Decimal("3000.00"), 1))
    assert (result.act_pay_dedc, result.hifp_pay) == (Decimal("250.00"), Decimal("1592.50"))


@pytest.mark.parametrize("name", ["shaanxi", "gansu", "guangdong", "national-default"])
def test_every_profile_has_inpatient_rows_per_class_and_level(name: str) -> None:
    profile = parse_policy(json.loads((ROOT / f"fixtures/policies/{name}.json").read_text(encoding="utf-8")))
    for insutype, cls in (("310", "retired"), ("310", "employed"), ("390", "resident")):
        for level in "123":
            rule = profile.fund_rule(insutype, cls, "21", level)
            assert rule is not None and rule.med_type == "21", (insutype, cls, level)


@pytest.mark.parametrize("ratio", ["0.333", "0.50", "1.5", "-0.5", "x"])
def test_a_repeat_ratio_that_is_not_exact_to_the_fen_is_refused(ratio: str) -> None:
    body = {"name": "bad", "mutual_aid": {"model": "drawdown"}, "fund": [
        {"insutype": "310", "psn_class": "any", "med_type": "21", "level": "any", "deductible": "301.01",
         "ratio": "0.90", "cap": "1000.00", "repeat_deductible_ratio": ratio}]}
    with pytest.raises(BadPolicy):
        parse_policy(body)
