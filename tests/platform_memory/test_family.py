"""Family accounts on the memory store: drawdown bindings, the Gansu family pool, the wallet and the 06:00
bounce, guardianships — each rule and each refusal, no Flask, no database."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from desk import GANSU_SHOP, Desk, account, conserved, legs

from simulator.domain.refusals import (
    BindingExists,
    ExclusiveFamily,
    FaceCheckRequired,
    InsufficientBalance,
    ModelFamilyPool,
    NotCreator,
    NotReceiver,
    PoolDissolved,
    RankTaken,
    TooManyFunders,
    TransferNotPending,
    WalletDailyLimit,
    WalletNight,
    WalletPending,
)
from simulator.platform.family.bindings import BindingRequest
from simulator.platform.family.ops import FamilyOps
from simulator.platform.family.pool import MemberRequest
from simulator.platform.family.wallet import TransferRequest
from simulator.platform.service import Platform


def request(desk: Desk, funder: str, beneficiary: str, rank: int | None = None, face: bool = True) -> BindingRequest:
    return BindingRequest(desk.psn(funder), desk.psn(beneficiary), "sibling", rank, date(2026, 1, 1),
                          date(2026, 12, 31), face, face)


# drawdown bindings ---------------------------------------------------------------------------------
def test_a_binding_is_ranked_swapped_ended_and_the_chain_follows(platform: Platform, family: FamilyOps,
                                                                 desk: Desk) -> None:
    made = family.bindings.request_binding(request(desk, "sis", "kid"))
    assert (made["rank"], made["state"], made["in_force"]) == (1, "active", True)
    view = desk.pharmacy("kid", ("A001", "1", "10.00"), use_wallet=False)
    assert legs(view) == [("funder", 1, "10.00")] and account(platform, "sis") == "290.00"
    second = family.bindings.request_binding(request(desk, "f2", "kid"))
    assert second["rank"] == 2
    swapped = family.bindings.change_rank(second["binding_id"], 1, desk.psn("kid"))
    assert swapped["rank"] == 1 and family.bindings.binding_detail(made["binding_id"])["rank"] == 2
    assert legs(desk.pharmacy("kid", ("A001", "1", "10.00"), use_wallet=False))[0] == ("funder", 1, "10.00")
    assert account(platform, "f2") == "990.00"
    ended = family.bindings.end_binding(second["binding_id"], desk.psn("f2"))
    assert ended["state"] == "ended" and [h["action"] for h in ended["history"]] == [
        "requested", "rank_changed", "ended"]
    spent = family.bindings.beneficiaries_of(desk.psn("sis"))["spending"]
    assert [(s["entry"], s["amount"]) for s in spent] == [("settle", "10.00")] and conserved(platform)


def test_binding_refusals_change_nothing(platform: Platform, family: FamilyOps, desk: Desk) -> None:
    with pytest.raises(BindingExists):
        family.bindings.request_binding(request(desk, "f1", "pat"))
    with pytest.raises(TooManyFunders):
        family.bindings.request_binding(request(desk, "sis", "pat"))
    family.bindings.request_binding(request(desk, "sis", "kid", rank=1))
    with pytest.raises(RankTaken):
        family.bindings.request_binding(request(desk, "f2", "kid", rank=1))
    with pytest.raises(FaceCheckRequired):
        family.bindings.request_binding(request(desk, "f2", "kid", face=False))
    with pytest.raises(ModelFamilyPool):  # Gansu has the family pool, not bindings
        family.bindings.request_binding(request(desk, "gs", "gskid"))
    assert [b["rank"] for b in family.bindings.funders_of(desk.psn("kid"))["bindings"]] == [1]


def test_a_funder_whose_insurance_stops_funds_nobody(platform: Platform, family: FamilyOps, desk: Desk) -> None:
    out = family.bindings.set_insurance_status(desk.psn("f1"), "2")
    assert len(out["ended_bindings"]) == 1
    assert legs(desk.pharmacy("pat", ("A001", "1", "30.00")))[1] == ("funder", 2, "10.00")


# the Gansu family pool -----------------------------------------------------------------------------
def test_the_pool_is_funded_spent_and_dissolved_back_to_its_creator(platform: Platform, family: FamilyOps) -> None:
    desk = Desk(platform, GANSU_SHOP)
    gs = desk.psn("gs")
    pool = family.pool.create_pool(gs, True)["pool_id"]
    family.pool.add_member(MemberRequest(pool, desk.psn("gskid"), "parent", True, gs))
    with pytest.raises(InsufficientBalance):
        family.pool.allot(pool, Decimal("800.01"), gs)
    assert family.pool.allot(pool, Decimal("100.00"), gs)["balance"] == "100.00"
    assert account(platform, "gs") == "700.00"
    view = desk.pharmacy("gskid", ("A001", "1", "30.00"), use_wallet=False)
    assert legs(view) == [("pool", 1, "30.00")]
    with pytest.raises(NotCreator):
        family.pool.dissolve(pool, desk.psn("gskid"))
    assert family.pool.dissolve(pool, gs)["state"] == "dissolved" and account(platform, "gs") == "770.00"
    with pytest.raises(PoolDissolved):
        family.pool.allot(pool, Decimal("1.00"), gs)
    desk.revoke(view)  # the leg goes back to the (dissolved) pool; dissolving again sweeps it home
    assert family.pool.pool_detail(pool)["balance"] == "30.00"
    assert family.pool.dissolve(pool, gs)["balance"] == "0.00" and account(platform, "gs") == "800.00"
    second = family.pool.create_pool(gs, True)["pool_id"]  # the first is dissolved: gs may start again
    family.pool.add_member(MemberRequest(second, desk.psn("gskid"), "parent", True, gs))
    with pytest.raises(ExclusiveFamily):  # ... but hold one open family group only
        family.pool.create_pool(gs, True)
    assert conserved(platform)


# the wallet and its bounce -------------------------------------------------------------------------
def transfer(desk: Desk, sender: str, receiver: str, amount: str, source: str = "account") -> TransferRequest:
    return TransferRequest(desk.psn(sender), desk.psn(receiver), source, Decimal(amount), "parent", "face")


def test_a_transfer_is_in_transit_until_accepted(platform: Platform, family: FamilyOps, desk: Desk) -> None:
    sent = family.wallet.send_transfer(transfer(desk, "f2", "kid", "100.00"))
    assert account(platform, "f2") == "900.00" and platform.admin.conservation()["in_transit"] == "100.00"
    with pytest.raises(WalletPending):
        family.wallet.send_transfer(transfer(desk, "f2", "kid", "1.00"))
    with pytest.raises(NotReceiver):
        family.wallet.accept_transfer(sent["transfer_id"], desk.psn("f2"))
    accepted = family.wallet.accept_transfer(sent["transfer_id"], desk.psn("kid"))
    assert accepted["status"] == "accepted"
    assert platform.admin.balances()["wallets"][desk.psn("kid")] == "140.00" and conserved(platform)
    with pytest.raises(TransferNotPending):
        family.wallet.accept_transfer(sent["transfer_id"], desk.psn("kid"))


def test_an_unaccepted_transfer_bounces_home_at_six_the_next_morning(platform: Platform, family: FamilyOps,
                                                                     desk: Desk) -> None:
    sent = family.wallet.send_transfer(transfer(desk, "f2", "kid", "100.00"))
    assert sent["due_at"] == "2026-05-11 06:00:00"
    platform.clock.set(datetime(2026, 5, 11, 5, 59, 59), frozen=True)
    family.bounces.forget_bounce_schedule()
    assert family.bounces.process_due_bounces() == 0
    platform.clock.set(datetime(2026, 5, 11, 6, 0, 0), frozen=True)
    family.bounces.forget_bounce_schedule()
    assert family.bounces.process_due_bounces() == 1
    assert family.wallet.transfer_detail(sent["transfer_id"])["status"] == "bounced"
    assert account(platform, "f2") == "1000.00" and conserved(platform)
    assert family.bounces.process_due_bounces() == 0


def test_wallet_limits(platform: Platform, family: FamilyOps, desk: Desk) -> None:
    for _ in range(3):
        sent = family.wallet.send_transfer(transfer(desk, "f2", "kid", "1.00"))
        family.wallet.accept_transfer(sent["transfer_id"], desk.psn("kid"))
    with pytest.raises(WalletDailyLimit):
        family.wallet.send_transfer(transfer(desk, "f2", "kid", "1.00"))
    platform.clock.set(datetime(2026, 5, 10, 22, 0, 0), frozen=True)
    with pytest.raises(WalletNight):
        family.wallet.send_transfer(transfer(desk, "sis", "kid", "1.00"))
    assert account(platform, "f2") == "997.00" and conserved(platform)


def test_a_guardian_holds_a_minor_in_their_family_list(platform: Platform, family: FamilyOps, desk: Desk) -> None:
    shown = family.guardians.add_guardian(desk.psn("f2"), desk.psn("kid"), "parent")
    assert [m["psn_no"] for m in shown["minors"]] == [desk.psn("kid")] and shown["minors"][0]["age"] == 11
    guardian, minor = family.guardians.guarded(desk.psn("f2"), desk.psn("kid"))
    assert (guardian.psn_no, minor.psn_no) == (desk.psn("f2"), desk.psn("kid"))
