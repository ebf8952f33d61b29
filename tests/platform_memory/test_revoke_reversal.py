"""2103 revoke, 2601 reversal of an unknown outcome and 5203 query on the memory store: every leg goes
back where the ledger says it came from, and only once."""

from __future__ import annotations

import pytest
from desk import Desk, account, conserved, legs

from simulator.domain.refusals import (
    AlreadyRevoked,
    MsgidReversed,
    NotReversible,
    SettlementUnknown,
    WrongRevoke,
)
from simulator.platform.family.ops import FamilyOps
from simulator.platform.service import Platform


def test_a_revoke_puts_every_leg_back_and_only_once(platform: Platform, desk: Desk) -> None:
    before = platform.admin.balances()
    view = desk.pharmacy("pat", ("A001", "4", "28.40"))
    back = desk.revoke(view)
    assert legs(back) == [("own", None, "-20.00"), ("funder", 1, "-50.00"), ("funder", 2, "-43.60")]
    assert (back.status, back.init_setl_id) == ("revoked", view.setl_id) and back.setl_id != view.setl_id
    assert platform.admin.balances() == before
    with pytest.raises(AlreadyRevoked):
        desk.revoke(view)
    assert platform.admin.balances() == before and conserved(platform)
    entries = [(e["entry"], e["amount"]) for e in platform.admin.ledger(view.setl_id, None)]
    assert entries[3:] == [("revoke", "-20.00"), ("revoke", "-50.00"), ("revoke", "-43.60")]


def test_a_revoke_returns_a_leg_to_a_binding_that_has_ended_since(platform: Platform, family: FamilyOps,
                                                                  desk: Desk) -> None:
    view = desk.pharmacy("pat", ("A001", "2", "28.40"))
    rank_1 = family.bindings.funders_of(desk.psn("pat"))["bindings"][0]
    assert family.bindings.end_binding(rank_1["binding_id"], desk.psn("f1"))["state"] == "ended"
    desk.revoke(view)
    assert account(platform, "f1") == "50.00" and conserved(platform)


def test_the_wrong_revoke_code_or_institution_is_refused(platform: Platform, desk: Desk) -> None:
    view = desk.pharmacy("pat", ("A001", "1", "5.00"))
    with pytest.raises(WrongRevoke):
        desk.revoke(view, infno="2208")
    with pytest.raises(SettlementUnknown):
        Desk(platform, "H61010300001").revoke(view)
    assert account(platform, "pat") == "15.00"


def test_a_reversal_undoes_a_settlement_whose_reply_was_lost(platform: Platform, desk: Desk) -> None:
    before = platform.admin.balances()
    lost = desk.meta("2102")
    platform.settlement.pharmacy(lost, desk.settle_input("pat", desk.lines(("A001", "2", "28.40"))), True)
    pat = desk.psn("pat")
    assert platform.revocation.reverse(desk.meta("2601"), pat, lost.msgid, "2102") == "reversed"
    assert platform.admin.balances() == before
    assert platform.revocation.reverse(desk.meta("2601"), pat, lost.msgid, "2102") == "already_reversed"
    assert platform.admin.settlements(None)[0]["status"] == "reversed" and conserved(platform)


def test_a_reversal_of_a_request_that_never_arrived_kills_its_msgid(platform: Platform, desk: Desk) -> None:
    never = desk.meta("2102")
    pat = desk.psn("pat")
    assert platform.revocation.reverse(desk.meta("2601"), pat, never.msgid, "2102") == "marked_dead"
    with pytest.raises(MsgidReversed):
        platform.settlement.pharmacy(never, desk.settle_input("pat", desk.lines(("A001", "1", "5.00"))), True)
    assert account(platform, "pat") == "20.00"


def test_reversing_a_lost_revoke_charges_the_sale_again(platform: Platform, desk: Desk) -> None:
    view = desk.pharmacy("pat", ("A001", "2", "28.40"))
    charged = platform.admin.balances()
    lost = desk.meta("2103")
    assert view.setl_id is not None
    platform.revocation.revoke(lost, view.setl_id, view.mdtrt_id, view.patient.psn_no)
    assert platform.revocation.reverse(desk.meta("2601"), view.patient.psn_no, lost.msgid, "2103") == "reversed"
    assert platform.admin.balances() == charged
    found = platform.revocation.query(desk.meta("5203"), view.patient.psn_no, view.setl_id, view.mdtrt_id)
    assert found.status == "settled" and found.revocation is None and conserved(platform)


def test_a_revoke_whose_settlement_was_reversed_cannot_be_reversed(platform: Platform, desk: Desk) -> None:
    settle = desk.meta("2102")
    view = platform.settlement.pharmacy(settle, desk.settle_input("pat", desk.lines(("A001", "1", "5.00"))), True)
    revoke = desk.meta("2103")
    assert view.setl_id is not None
    platform.revocation.revoke(revoke, view.setl_id, view.mdtrt_id, view.patient.psn_no)
    pat = view.patient.psn_no
    assert platform.revocation.reverse(desk.meta("2601"), pat, settle.msgid, "2102") == "reversed"
    with pytest.raises(NotReversible):
        platform.revocation.reverse(desk.meta("2601"), pat, revoke.msgid, "2103")
    assert account(platform, "pat") == "20.00" and conserved(platform)


def test_the_query_shows_a_revocation(platform: Platform, desk: Desk) -> None:
    view = desk.pharmacy("pat", ("A001", "1", "5.00"))
    back = desk.revoke(view)
    assert view.setl_id is not None
    found = platform.revocation.query(desk.meta("5203"), view.patient.psn_no, view.setl_id, "")
    assert found.status == "revoked" and found.revocation is not None and found.revocation[0] == back.setl_id
    assert legs(found) == [("own", None, "5.00")]
