"""The pooled fund (docs/domain.md §2.3) of `simulator/platform/fund.py` and `Policy.fund_rule`."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st
from rule_oracle import F, decimals, money, r2

from simulator.platform.fund import pooled_fund
from simulator.platform.models import person_class
from simulator.platform.policy import FundRule, Policy

ratios = decimals(4, 10_000)
INSUTYPES, CLASSES, MED_TYPES, LEVELS = ("310", "390"), ("employed", "retired", "resident"), ("11", "14", "41"), \
    ("1", "2", "3")


@st.composite
def rules(draw: st.DrawFn) -> FundRule:
    return FundRule(
        insutype=draw(st.sampled_from(INSUTYPES)),
        psn_class=draw(st.sampled_from((*CLASSES, "any"))),
        med_type=draw(st.sampled_from(MED_TYPES)),
        level=draw(st.sampled_from((*LEVELS, "any"))),
        deductible=draw(money), ratio=draw(ratios), cap=draw(money),
    )


@given(rules(), money, money, money)
def test_fund_pays_the_formula(rule: FundRule, inscp: Decimal, ytd_dedc: Decimal, ytd_paid: Decimal) -> None:
    result = pooled_fund(rule, inscp, ytd_dedc, ytd_paid)
    dedc_left = max(F(rule.deductible) - F(ytd_dedc), 0)
    act_pay_dedc = min(F(inscp), dedc_left)
    hifp = min(r2((F(inscp) - act_pay_dedc) * F(rule.ratio)), max(F(rule.cap) - F(ytd_paid), 0))
    assert (F(result.act_pay_dedc), F(result.hifp_pay)) == (act_pay_dedc, hifp)
    assert 0 <= result.hifp_pay <= inscp - result.act_pay_dedc  # a ratio ≤ 1 never pays more than is left


@given(money, money, money)
def test_no_rule_pays_nothing(inscp: Decimal, ytd_dedc: Decimal, ytd_paid: Decimal) -> None:
    result = pooled_fund(None, inscp, ytd_dedc, ytd_paid)
    assert (result.act_pay_dedc, result.hifp_pay) == (0, 0)


def _matches(rule: FundRule, insutype: str, psn_class: str, med_type: str, level: str) -> bool:
    return (rule.insutype == insutype and rule.psn_class in ("any", psn_class) and rule.med_type == med_type
            and rule.level in ("any", level))


@given(st.sampled_from(INSUTYPES), st.sampled_from(CLASSES), st.sampled_from(MED_TYPES), st.sampled_from(LEVELS),
       st.data())
def test_the_first_matching_rule_applies(insutype: str, psn_class: str, med_type: str, level: str,
                                         data: st.DataObject) -> None:
    def near(wanted: str, choices: tuple[str, ...]) -> st.SearchStrategy[str]:
        """Mostly the asked-for value (or `any`), so that several rules match and order matters."""
        return st.sampled_from([wanted, wanted, *choices])

    rule = st.builds(FundRule, near(insutype, INSUTYPES), near(psn_class, (*CLASSES, "any")),
                     near(med_type, MED_TYPES), near(level, (*LEVELS, "any")), money, ratios, money)
    fund = data.draw(st.lists(rule, max_size=6))
    policy = Policy(name="p", province=None, model="drawdown", scope="province", relations=(), max_funders=2,
                    exclusive=False, review_required=False, face_check_age=16, max_family_size=7, dates="optional",
                    account_pays_ownpay=True, wallet_enabled=True, fund=tuple(fund))
    first = next((rule for rule in fund if _matches(rule, insutype, psn_class, med_type, level)), None)
    assert policy.fund_rule(insutype, psn_class, med_type, level) is first


@given(st.sampled_from(INSUTYPES),
       st.sampled_from(["1101", "1201", "1300", "1500"]) | st.text("0123456789", min_size=4, max_size=4))
def test_person_class(insutype: str, psn_type: str) -> None:
    expected = ("resident" if insutype != "310" else "employed" if psn_type[:2] == "11"
                else "retired" if psn_type[:2] == "12" or psn_type == "1300" else "other")
    assert person_class(insutype, psn_type) == expected


def test_a_worked_fund() -> None:
    """§2.3 by hand: 200 in scope, 50 of a 300 deductible left, 75 %, 100 of the cap left."""
    rule = FundRule("310", "any", "11", "any", Decimal("300"), Decimal("0.75"), Decimal("5000"))
    result = pooled_fund(rule, Decimal("200.00"), Decimal("250.00"), Decimal("4900.00"))
    assert (result.act_pay_dedc, result.hifp_pay) == (Decimal("50.00"), Decimal("100.00"))
