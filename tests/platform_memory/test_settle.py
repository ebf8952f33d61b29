"""2101/2102 pre-settlement and settlement on the memory store: the payer chain, the payplan the till
confirmed, and every refusal changing nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from desk import Desk, account, conserved, legs

from simulator.domain.payplan import PlannedLeg
from simulator.domain.refusals import MedfeeMismatch, MsgidReused, PayplanMismatch, PersonUnknown
from simulator.platform.service import Platform


def test_a_settlement_draws_own_account_then_rank_1_and_writes_its_ledger(platform: Platform, desk: Desk) -> None:
    view = desk.pharmacy("pat", ("A001", "2", "28.40"))
    assert legs(view) == [("own", None, "20.00"), ("funder", 1, "36.80")]
    assert (view.amounts["acct_pay"], view.amounts["acct_mulaid_pay"]) == (Decimal("56.80"), Decimal("36.80"))
    assert (account(platform, "pat"), account(platform, "f1"), account(platform, "f2")) == ("0.00", "13.20", "1000.00")
    ledger = platform.admin.ledger(view.setl_id, None)
    assert [(e["entry"], e["source"], e["amount"]) for e in ledger] == [("settle", "own", "20.00"),
                                                                       ("settle", "funder", "36.80")]
    assert conserved(platform)


def test_rank_2_pays_when_rank_1_runs_out(platform: Platform, desk: Desk) -> None:
    view = desk.pharmacy("pat", ("A001", "4", "28.40"))  # 113.60 = 20 own + 50 rank 1 + 43.60 rank 2
    assert legs(view) == [("own", None, "20.00"), ("funder", 1, "50.00"), ("funder", 2, "43.60")]
    assert account(platform, "f2") == "956.40"
    assert conserved(platform)


def test_the_wallet_then_cash_pay_for_a_resident_without_an_account(platform: Platform, desk: Desk) -> None:
    view = desk.pharmacy("kid", ("A001", "2", "28.40"))
    assert legs(view) == [("wallet", None, "40.00")]
    assert view.amounts["psn_cash_pay"] == Decimal("16.80")
    assert platform.admin.balances()["wallets"][desk.psn("kid")] == "0.00"
    assert conserved(platform)


def test_declining_the_account_leaves_every_balance_and_pays_cash(platform: Platform, desk: Desk) -> None:
    view = desk.pharmacy("pat", ("A001", "1", "10.00"), use_account=False)
    assert legs(view) == [] and view.amounts["psn_cash_pay"] == Decimal("10.00")
    assert account(platform, "pat") == "20.00"


def test_a_pre_settlement_computes_the_same_plan_and_moves_nothing(platform: Platform, desk: Desk) -> None:
    before = platform.admin.balances()
    quote = desk.pharmacy("pat", ("A001", "2", "28.40"), commit=False)
    assert legs(quote) == [("own", None, "20.00"), ("funder", 1, "36.80")] and quote.setl_id is None
    assert platform.admin.balances() == before and platform.admin.settlements(None) == []


def test_the_confirmed_payplan_is_settled_exactly_or_refused(platform: Platform, desk: Desk) -> None:
    f1 = desk.psn("f1")
    ok = (PlannedLeg("own", Decimal("20.00")), PlannedLeg("funder", Decimal("36.80"), 1, f1))
    assert legs(desk.pharmacy("pat", ("A001", "2", "28.40"), payplan=ok))[1] == ("funder", 1, "36.80")
    before = platform.admin.balances()
    stale = (PlannedLeg("own", Decimal("20.00")), PlannedLeg("funder", Decimal("8.40"), 1, f1))
    with pytest.raises(PayplanMismatch):  # the balances moved since the quote: own is now 0
        desk.pharmacy("pat", ("A001", "1", "28.40"), payplan=stale)
    assert platform.admin.balances() == before and len(platform.admin.settlements(None)) == 1
    assert conserved(platform)


def test_a_wrong_total_or_an_unknown_person_is_refused_and_changes_nothing(platform: Platform, desk: Desk) -> None:
    with pytest.raises(MedfeeMismatch):
        desk.pharmacy("pat", ("A001", "2", "28.40"), medfee=Decimal("56.79"))
    inp = desk.settle_input("pat", desk.lines(("A001", "1", "1.00")))
    with pytest.raises(PersonUnknown):
        platform.settlement.pharmacy(desk.meta("2102"), type(inp)(**{**inp.__dict__, "psn_no": "nobody"}), True)
    assert account(platform, "pat") == "20.00" and platform.admin.settlements(None) == []


def test_a_msgid_answered_once_is_never_accepted_again(platform: Platform, desk: Desk) -> None:
    meta = desk.meta("2102")
    inp = desk.settle_input("pat", desk.lines(("A001", "1", "5.00")))
    platform.settlement.pharmacy(meta, inp, True)
    with pytest.raises(MsgidReused):
        platform.settlement.pharmacy(meta, inp, True)
    assert account(platform, "pat") == "15.00"
