"""One test per rule of docs/domain.md §2.4–2.5."""

from decimal import Decimal as D

import pytest

from pos_plugin.domain.errors import InvariantViolation
from pos_plugin.domain.payer_chain import (
    Burden,
    Choices,
    FamilyPool,
    Funder,
    Leg,
    PatientFunds,
    PayerPlan,
    check_plan,
    plan_payer_chain,
    usable_slots,
)


def legs(plan):
    return [(leg.source, leg.rank, leg.amount) for leg in plan.legs]


def test_worked_example_own_then_rank1_then_rank2():
    funds = PatientFunds("wang", D("35.20"), True, (
        Funder(1, "daughter", D("180.00"), True), Funder(2, "son", D("2000.00"), True)))
    plan = plan_payer_chain(funds, Burden(D("288.26"), D("64.00"), D("14.00")), account_pays_ownpay=True)
    assert legs(plan) == [("own", None, D("35.20")), ("funder", 1, D("180.00")), ("funder", 2, D("73.06"))]
    assert (plan.acct_pay, plan.acct_mulaid_pay, plan.wallet_pay, plan.psn_cash_pay) == (
        D("288.26"), D("253.06"), D("0.00"), D("0.00"))


def test_own_account_only():
    funds = PatientFunds("zhao", D("1500.00"), True, (Funder(1, "wife", D("700.00"), True),))
    plan = plan_payer_chain(funds, Burden(D("155.80")), account_pays_ownpay=True)
    assert legs(plan) == [("own", None, D("155.80"))]
    assert plan.acct_mulaid_pay == D("0")
    assert plan.psn_cash_pay == D("0.00")


def test_declined_account_pays_cash_and_moves_no_account():
    funds = PatientFunds("sun", D("800.00"), True, (Funder(1, "dad", D("900.00"), True),))
    plan = plan_payer_chain(funds, Burden(D("36.43")), account_pays_ownpay=True,
                            choices=Choices(use_account=False))
    assert plan.legs == ()
    assert plan.psn_cash_pay == D("36.43")


def test_declined_account_still_allows_the_wallet():
    funds = PatientFunds("kid", wallet_balance=D("10.00"), wallet_usable=True,
                         pool=FamilyPool("pool", D("50.00"), True))
    plan = plan_payer_chain(funds, Burden(D("30.00")), account_pays_ownpay=True,
                            choices=Choices(use_account=False))
    assert legs(plan) == [("wallet", None, D("10.00"))]
    assert plan.psn_cash_pay == D("20.00")


def test_own_pay_items_excluded_by_policy():
    funds = PatientFunds("lin", funders=(Funder(1, "mother", D("3000.00"), False, reason="scope"),
                                         Funder(2, "husband", D("95.50"), True)))
    plan = plan_payer_chain(funds, Burden(D("126.45"), D("48.00"), D("0.00")), account_pays_ownpay=False)
    assert legs(plan) == [("funder", 2, D("78.45"))]
    assert plan.eligible == D("78.45")
    assert plan.psn_cash_pay == D("48.00")


def test_own_pay_exclusion_never_goes_negative():
    funds = PatientFunds("p", D("100.00"), True)
    plan = plan_payer_chain(funds, Burden(D("10.00"), D("8.00"), D("5.00")), account_pays_ownpay=False)
    assert plan.eligible == D("0")
    assert plan.legs == () and plan.psn_cash_pay == D("10.00")


def test_inactive_rank_is_skipped_and_later_leg_keeps_its_rank():
    funds = PatientFunds("li", funders=(Funder(1, "mom", D("500.00"), False, reason="expired"),
                                        Funder(2, "grandpa", D("4200.00"), True)))
    plan = plan_payer_chain(funds, Burden(D("114.60")), account_pays_ownpay=True)
    assert legs(plan) == [("funder", 2, D("114.60"))]


def test_funders_are_drained_by_rank_not_by_list_order():
    funds = PatientFunds("p", funders=(Funder(2, "second", D("50.00"), True), Funder(1, "first", D("20.00"), True)))
    plan = plan_payer_chain(funds, Burden(D("30.00")), account_pays_ownpay=True)
    assert legs(plan) == [("funder", 1, D("20.00")), ("funder", 2, D("10.00"))]


def test_own_account_not_used_when_insurance_not_normal():
    funds = PatientFunds("p", D("100.00"), own_usable=False, funders=(Funder(1, "f", D("100.00"), True),))
    plan = plan_payer_chain(funds, Burden(D("30.00")), account_pays_ownpay=True)
    assert legs(plan) == [("funder", 1, D("30.00"))]


def test_pool_model_pays_then_wallet_then_cash():
    funds = PatientFunds("kid", pool=FamilyPool("ma-family", D("150.00"), True),
                         wallet_balance=D("200.00"), wallet_usable=True)
    plan = plan_payer_chain(funds, Burden(D("366.10"), D("268.00")), account_pays_ownpay=True)
    assert [(leg.source, leg.pool_id, leg.amount) for leg in plan.legs] == [
        ("pool", "ma-family", D("150.00")), ("wallet", None, D("200.00"))]
    assert (plan.acct_pay, plan.acct_mulaid_pay, plan.wallet_pay, plan.psn_cash_pay) == (
        D("150.00"), D("150.00"), D("200.00"), D("16.10"))


def test_unusable_pool_is_skipped():
    funds = PatientFunds("kid", pool=FamilyPool("p", D("150.00"), False))
    plan = plan_payer_chain(funds, Burden(D("10.00")), account_pays_ownpay=True)
    assert plan.legs == () and plan.psn_cash_pay == D("10.00")


def test_wallet_comes_after_funders():
    funds = PatientFunds("p", D("5.00"), True, (Funder(1, "f", D("10.00"), True),),
                         wallet_balance=D("100.00"), wallet_usable=True)
    plan = plan_payer_chain(funds, Burden(D("40.00")), account_pays_ownpay=True)
    assert legs(plan) == [("own", None, D("5.00")), ("funder", 1, D("10.00")), ("wallet", None, D("25.00"))]
    assert plan.acct_pay == D("15.00") and plan.wallet_pay == D("25.00")


def test_wallet_declined():
    funds = PatientFunds("p", wallet_balance=D("100.00"), wallet_usable=True)
    plan = plan_payer_chain(funds, Burden(D("40.00")), account_pays_ownpay=True, choices=Choices(use_wallet=False))
    assert plan.legs == () and plan.psn_cash_pay == D("40.00")


def test_wallet_obeys_the_same_eligibility_as_accounts():
    funds = PatientFunds("p", wallet_balance=D("100.00"), wallet_usable=True)
    plan = plan_payer_chain(funds, Burden(D("40.00"), D("30.00")), account_pays_ownpay=False)
    assert legs(plan) == [("wallet", None, D("10.00"))]
    assert plan.psn_cash_pay == D("30.00")


def test_zero_balances_everywhere_means_cash():
    funds = PatientFunds("p", D("0.00"), True, (Funder(1, "f", D("0.00"), True),), FamilyPool("x", D("0"), True),
                         D("0.00"), True)
    plan = plan_payer_chain(funds, Burden(D("12.34")), account_pays_ownpay=True)
    assert plan.legs == () and plan.psn_cash_pay == D("12.34")


def test_no_insurable_lines_means_nothing_to_pay():
    funds = PatientFunds("p", D("50.00"), True, wallet_balance=D("5.00"), wallet_usable=True)
    plan = plan_payer_chain(funds, Burden(D("0.00")), account_pays_ownpay=True)
    assert plan.legs == ()
    assert (plan.acct_pay, plan.wallet_pay, plan.psn_cash_pay) == (D("0"), D("0"), D("0.00"))


def test_negative_input_is_refused_as_an_invariant_breach():
    with pytest.raises(InvariantViolation):
        plan_payer_chain(PatientFunds("p", D("-1.00"), True), Burden(D("1.00")), account_pays_ownpay=True)


def _check(plan_legs, funds, burden, eligible=None):
    acct = sum((leg.amount for leg in plan_legs if leg.source != "wallet"), D(0))
    mulaid = sum((leg.amount for leg in plan_legs if leg.source in ("funder", "pool")), D(0))
    wallet = sum((leg.amount for leg in plan_legs if leg.source == "wallet"), D(0))
    plan = PayerPlan(tuple(plan_legs), burden.psn_part_amt if eligible is None else eligible, acct, mulaid,
                     wallet, burden.psn_part_amt - acct - wallet)
    check_plan(plan, usable_slots(funds, Choices()), burden)


def test_invariant_check_catches_a_later_leg_before_an_earlier_one_is_exhausted():
    funds = PatientFunds("p", D("50.00"), True, (Funder(1, "f", D("50.00"), True),))
    with pytest.raises(InvariantViolation):
        _check([Leg("own", D("10.00"), "p"), Leg("funder", D("20.00"), "f", 1)], funds, Burden(D("30.00")))


def test_invariant_check_catches_overdraft_and_unknown_source():
    funds = PatientFunds("p", D("5.00"), True)
    with pytest.raises(InvariantViolation):
        _check([Leg("own", D("6.00"), "p")], funds, Burden(D("6.00")))
    with pytest.raises(InvariantViolation):
        _check([Leg("wallet", D("1.00"), "p")], funds, Burden(D("6.00")))


def test_invariant_check_catches_cash_while_money_was_left():
    funds = PatientFunds("p", D("50.00"), True)
    with pytest.raises(InvariantViolation):
        _check([], funds, Burden(D("6.00")))


def test_invariant_check_catches_paying_beyond_eligibility():
    funds = PatientFunds("p", D("50.00"), True)
    with pytest.raises(InvariantViolation):
        _check([Leg("own", D("6.00"), "p")], funds, Burden(D("6.00"), D("6.00")), eligible=D("0"))
