"""ONE contract for the platform's repositories (simulator/platform/repositories.py), run on the memory
store, a real SQLite file and a throwaway PostgreSQL database (the `store` fixture, conftest.py): what each
returns, in which order, what it refuses (Duplicate, BalanceChanged) and that a unit of work that raises leaves nothing behind. The fast
tests of the platform's rules run on the memory store; this suite is what keeps it honest. The catalogue, traceability-code, sales-upload and stay repositories
(issues 17 and 18) are held to it in test_repository_contract_daily.py."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from simulator.domain.models import Binding, Institution, Person, Pool, Wallet
from simulator.domain.records import (
    BindingEvent,
    EvoucherRecord,
    FeeLineRecord,
    FundsIn,
    GuardianshipRecord,
    LedgerEntry,
    MessageRecord,
    PoolEvent,
    SettlementRecord,
    SigninRecord,
    StoredFile,
    TokenRecord,
    TransferRecord,
    VisitRecord,
)
from simulator.domain.refusals import BalanceChanged, Duplicate


def person(n: int, balance: str | None = "100.00", **changes: Any) -> Person:
    base = Person(id=0, psn_no=f"PSN{n:04d}", name=f"人{n}", certno=f"61010319700101{n:04d}", gender="1",
                  birthday=date(1970, 1, 1), insutype="310" if balance is not None else "390", psn_type="1101",
                  insuplc="610103", status="1", balance=None if balance is None else Decimal(balance),
                  ytd_deductible_used=Decimal("0.00"), ytd_fund_paid=Decimal("0.00"), card_sn=f"A{n:08d}")
    return replace(base, **changes)


def people(store: Any, *persons: Person) -> dict[str, int]:
    with store.write() as uow:
        return uow.persons.add_all(list(persons))


def settlement(setl_id: str, msgid: str, person_id: int, **changes: Any) -> SettlementRecord:
    base = SettlementRecord(
        id=0, setl_id=setl_id, mdtrt_id=f"M{setl_id}", person_id=person_id, psn_no="PSN0001",
        fixmedins_code="P1", msgid=msgid, infno="2102", clr_type="41", med_type="41", insutype="310",
        clr_optins="610103", setl_time="2026-05-10 10:00:00", status="settled", medfee_fen=1000, fulamt_fen=0,
        overlmt_fen=0, preself_fen=0, inscp_fen=1000, dedc_fen=0, hifp_fen=0, psn_part_fen=1000, acct_fen=1000,
        mulaid_fen=0, wallet_fen=0, cash_fen=0, balc_fen=9000, revoke_setl_id=None, revoke_msgid=None,
        revoked_at=None)
    return replace(base, **changes)


# persons and balances ----------------------------------------------------------------------------
def test_persons_round_trip_by_every_key_and_by_ids_in_ascending_order(store: Any) -> None:
    ids = people(store, person(2), person(1, balance=None))
    with store.read() as uow:
        two = uow.persons.by_key("psn_no", "PSN0002")
        assert two == person(2, id=ids["PSN0002"])
        assert uow.persons.by_key("certno", person(1).certno).balance is None
        assert uow.persons.by_key("card_sn", "A00000001").psn_no == "PSN0001"
        assert uow.persons.by_key("psn_no", "nobody") is None
        assert list(uow.persons.by_ids([ids["PSN0002"], ids["PSN0001"], 999])) == sorted(ids.values())
        assert uow.persons.existing_certnos([person(1).certno, "x"]) == {person(1).certno}


def test_a_second_person_with_the_same_certno_is_a_duplicate_and_adds_nobody(store: Any) -> None:
    people(store, person(1))
    with pytest.raises(Duplicate), store.write() as uow:
        uow.persons.add_all([person(2), person(3, certno=person(1).certno)])
    with store.read() as uow:
        assert uow.persons.by_key("psn_no", "PSN0002") is None


def test_accumulators_status_and_moves_change_exactly_what_they_say(store: Any) -> None:
    pid = people(store, person(1))["PSN0001"]
    with store.write() as uow:
        uow.persons.add_to_accumulators(pid, 150, 275)
        uow.persons.set_status(pid, "2")
        uow.balances.move("account", pid, -2550)
    with store.read() as uow:
        found = uow.persons.by_ids([pid])[pid]
    assert (found.ytd_deductible_used, found.ytd_fund_paid) == (Decimal("1.50"), Decimal("2.75"))
    assert (found.status, found.balance) == ("2", Decimal("74.50"))


def test_a_move_below_zero_is_refused_and_the_unit_of_work_rolls_back(store: Any) -> None:
    pid = people(store, person(1, balance="10.00"))["PSN0001"]
    with pytest.raises(BalanceChanged), store.write() as uow:
        uow.balances.move("account", pid, -500)  # applied ...
        uow.messages.add(MessageRecord("MSG1", "2102", "P1", "PSN0001", "ok", None, "2026-05-10 10:00:00"))
        uow.balances.move("account", pid, -501)  # ... then refused: the whole unit of work goes
    with store.read() as uow:
        assert uow.persons.by_ids([pid])[pid].balance == Decimal("10.00")
        assert uow.messages.get("MSG1") is None


def test_pools_and_wallets_hold_balances_that_move(store: Any) -> None:
    ids = people(store, person(1), person(2), person(3))
    a, b, c = ids["PSN0001"], ids["PSN0002"], ids["PSN0003"]
    with store.write() as uow:
        row = uow.pools.add(Pool(0, "GJ1", a, Decimal("5.00")), [c, b])
        uow.wallets.add(Wallet(0, "QB1", b, Decimal("1.00"), "active"))
        uow.balances.move("pool", row, 250)
        wallet = uow.wallets.of_owner(b)
        assert wallet is not None
        uow.balances.move("wallet", wallet.id, -100)
        uow.balances.add_funds_in([FundsIn("topup", "pool", "GJ1", 250, "2026-05-10 10:00:00")])
    with store.read() as uow:
        assert uow.pools.by_id("GJ1") == Pool(row, "GJ1", a, Decimal("7.50"))
        assert uow.pools.of_member(c) == uow.pools.by_rows([row])[row]
        assert uow.pools.of_member(a) is None
        assert uow.pools.member_ids(row) == sorted([b, c])
        assert uow.pools.created_by(a) == [row]
        assert uow.wallets.of_owner(b).balance == Decimal("0.00")
        assert list(uow.wallets.by_rows([wallet.id])) == [wallet.id]
        assert uow.inspect.conservation()["topups"] == "2.50"
    with pytest.raises(BalanceChanged), store.write() as uow:
        uow.balances.move("wallet", wallet.id, -1)


def test_pool_members_and_log(store: Any) -> None:
    ids = people(store, person(1), person(2))
    with store.write() as uow:
        row = uow.pools.add(Pool(0, "GJ1", ids["PSN0001"], Decimal("0.00")), [])
        uow.pools.add_member(row, ids["PSN0002"])
        uow.pools.log(PoolEvent(row, "2026-05-10 10:00:00", "member_added", "PSN0002", "child"))
        uow.pools.log(PoolEvent(row, "2026-05-10 10:01:00", "allot", "PSN0001", amount_fen=300))
        assert not uow.pools.dissolved(row)
        uow.pools.remove_members(row, [ids["PSN0002"]])
        uow.pools.log(PoolEvent(row, "2026-05-10 10:02:00", "dissolved", "PSN0001", amount_fen=0))
    with store.read() as uow:
        assert uow.pools.member_ids(row) == []
        assert uow.pools.dissolved(row)
        assert [e.action for e in uow.pools.history(row)] == ["member_added", "allot", "dissolved"]
        assert uow.pools.history(row)[1] == PoolEvent(row, "2026-05-10 10:01:00", "allot", "PSN0001", None, 300)
    with pytest.raises(Duplicate), store.write() as uow:
        uow.pools.add(Pool(0, "GJ1", ids["PSN0002"], Decimal("0.00")), [])


# bindings ------------------------------------------------------------------------------------------
def test_bindings_by_rank_live_and_by_party(store: Any) -> None:
    ids = people(store, person(1), person(2), person(3))
    pat, f1, f2 = ids["PSN0001"], ids["PSN0002"], ids["PSN0003"]
    with store.write() as uow:
        second = uow.bindings.add(Binding(0, f2, pat, 2, "child", date(2026, 1, 1), None, "active"))
        first = uow.bindings.add(Binding(0, f1, pat, 1, "child", None, date(2026, 12, 31), "pending"))
        uow.bindings.add_all([Binding(0, f1, f2, 1, "sibling", None, None, "ended")])
        uow.bindings.log(BindingEvent(first, "2026-05-10 10:00:00", "requested", "PSN0002", "{}"))
        uow.bindings.log(BindingEvent(first, "2026-05-10 10:01:00", "approved", None, None))
    with store.read() as uow:
        assert [b.id for b in uow.bindings.of_beneficiary(pat)] == [first, second]
        assert uow.bindings.get(first) == Binding(first, f1, pat, 1, "child", None, date(2026, 12, 31), "pending")
        assert [b.id for b in uow.bindings.live_of(f2)] == []
        assert {b.id for b in uow.bindings.live_touching([f1])} == {first}
        assert [b.rank for b in uow.bindings.of_party("funder", f1)] == [1, 1]
        assert [b.id for b in uow.bindings.of_party("beneficiary", pat)] == [first, second]
        history = uow.bindings.history([first, second])
        assert [e.action for e in history[first]] == ["requested", "approved"] and history[second] == []
        assert history[first][0] == BindingEvent(first, "2026-05-10 10:00:00", "requested", "PSN0002", "{}")


def test_a_live_rank_is_unique_per_beneficiary_but_an_ended_one_is_free(store: Any) -> None:
    ids = people(store, person(1), person(2), person(3))
    pat, f1, f2 = ids["PSN0001"], ids["PSN0002"], ids["PSN0003"]
    with store.write() as uow:
        one = uow.bindings.add(Binding(0, f1, pat, 1, "child", None, None, "active"))
    with pytest.raises(Duplicate), store.write() as uow:
        uow.bindings.add(Binding(0, f2, pat, 1, "child", None, None, "pending"))
    with store.write() as uow:
        uow.bindings.save(replace(uow.bindings.get(one), state="ended"))
        two = uow.bindings.add(Binding(0, f2, pat, 1, "child", None, None, "active"))
        uow.bindings.save(replace(uow.bindings.get(two), rank=2))
    with store.read() as uow:
        assert [(b.rank, b.state) for b in uow.bindings.of_beneficiary(pat)] == [(1, "ended"), (2, "active")]


# transfers, guardianships --------------------------------------------------------------------------
def transfer(tid: str, sender: int, receiver: int, due: str, **changes: Any) -> TransferRecord:
    base = TransferRecord(0, tid, sender, receiver, "account", sender, 1, 1000, "child", "face", "pending",
                          "2026-05-10", "2026-05-10 10:00:00", due, None)
    return replace(base, **changes)


def test_transfers_pending_due_and_closed_once(store: Any) -> None:
    ids = people(store, person(1), person(2))
    a, b = ids["PSN0001"], ids["PSN0002"]
    with store.write() as uow:
        uow.transfers.add(transfer("ZZ2", a, b, "2026-05-11 06:00:00"))
        uow.transfers.add(transfer("ZZ1", b, a, "2026-05-11 05:00:00", source="wallet"))
        uow.transfers.add(transfer("ZZ3", a, b, "2026-05-12 06:00:00", status="accepted", day="2026-05-11"))
    with store.write() as uow:
        assert uow.transfers.get("ZZ1").source == "wallet" and uow.transfers.get("nope") is None
        assert uow.transfers.pending_sent_by(a).transfer_id == "ZZ2"
        assert uow.transfers.count_sent_on(a, "2026-05-10") == 1
        assert [x.transfer_id for x in uow.transfers.of_person(a)] == ["ZZ2", "ZZ1", "ZZ3"]
        assert uow.transfers.due("2026-05-11 06:00:00") == ["ZZ1", "ZZ2"]
        assert uow.transfers.next_due() == "2026-05-11 05:00:00"
        assert uow.transfers.close("ZZ1", "bounced", "2026-05-11 05:00:00") is True
        assert uow.transfers.close("ZZ1", "accepted", "2026-05-11 05:00:01") is False
    with store.read() as uow:
        closed = uow.transfers.get("ZZ1")
        assert (closed.status, closed.closed_at) == ("bounced", "2026-05-11 05:00:00")
        assert uow.transfers.next_due() == "2026-05-11 06:00:00"


def test_guardianships(store: Any) -> None:
    ids = people(store, person(1), person(2), person(3))
    g, m1, m2 = ids["PSN0001"], ids["PSN0002"], ids["PSN0003"]
    with store.write() as uow:
        uow.guardianships.add(GuardianshipRecord(0, g, m2, "parent", "2026-05-10 10:00:00"))
        uow.guardianships.add(GuardianshipRecord(0, g, m1, "grandparent", "2026-05-10 10:01:00"))
    with store.read() as uow:
        assert [x.minor_id for x in uow.guardianships.minors_of(g)] == [m2, m1]
        assert uow.guardianships.get(g, m1).relation == "grandparent" and uow.guardianships.get(m1, g) is None
    with pytest.raises(Duplicate), store.write() as uow:
        uow.guardianships.add(GuardianshipRecord(0, g, m1, "parent", "2026-05-10 10:02:00"))


# visits and fee lines -----------------------------------------------------------------------------
def test_visits_and_their_lines_settle_and_release(store: Any) -> None:
    pid = people(store, person(1))["PSN0001"]
    visit = VisitRecord(0, "MD1", pid, "H1", "outpatient", "310", "11", "registered", "2026-05-10 10:00:00",
                        "OTP1", None)
    with store.write() as uow:
        uow.visits.add(visit)
        uow.visits.add_lines([FeeLineRecord(0, "MD1", sn, batch, "A001", "药", "2", "1.50", 300, None)
                              for sn, batch in (("3", "B1"), ("1", "B1"), ("2", "B2"))])
    with store.write() as uow:
        stored = uow.visits.get("MD1", lock=True)
        assert stored == replace(visit, id=stored.id)
        uow.visits.save(replace(stored, status="cancelled", med_type="14", diseinfo="[]"))
        lines = uow.visits.lines_of("MD1")
        assert [x.feedetl_sn for x in lines] == ["3", "1", "2"]  # upload order
        uow.visits.settle_lines([lines[0].id, lines[1].id], "S1")
        uow.visits.delete_lines([lines[2].id])
    with store.write() as uow:
        assert (uow.visits.get("MD1").status, uow.visits.get("MD1").diseinfo) == ("cancelled", "[]")
        assert [x.setl_id for x in uow.visits.lines_of("MD1")] == ["S1", "S1"]
        uow.visits.release_lines("S1")
    with store.read() as uow:
        assert [(x.setl_id, x.revoked_setl_id) for x in uow.visits.lines_of("MD1")] == [(None, "S1")] * 2
        assert uow.visits.lines_of("MD1")[0] == FeeLineRecord(lines[0].id, "MD1", "3", "B1", "A001", "药", "2",
                                                             "1.50", 300, None, "S1")
    with pytest.raises(Duplicate), store.write() as uow:
        uow.visits.add_lines([FeeLineRecord(0, "MD1", "3", "B9", "A001", "药", "1", "1", 100, None)])


# settlements, ledger, messages ----------------------------------------------------------------------
def test_settlements_ledger_and_spending(store: Any) -> None:
    ids = people(store, person(1), person(2))
    pat, funder = ids["PSN0001"], ids["PSN0002"]
    with store.write() as uow:
        uow.settlements.add(settlement("S2", "MSG2", pat, setl_time="2026-05-09 23:00:00"))
        uow.settlements.add(settlement("S1", "MSG1", pat, mdtrt_id="MD9"))
        legs = [LedgerEntry(0, "S1", "settle", "funder", 1, funder, "PSN0002", None, None, None, None, "人2",
                            700, "MSG1", "2026-05-10 10:00:00"),
                LedgerEntry(0, "S1", "settle", "own", None, pat, "PSN0001", None, None, None, None, "人1",
                            300, "MSG1", "2026-05-10 10:00:00")]
        uow.settlements.add_entries(legs)
    with store.write() as uow:
        s1 = uow.settlements.get("S1", lock=True)
        assert s1 == settlement("S1", "MSG1", pat, mdtrt_id="MD9", id=s1.id)
        uow.settlements.save(replace(s1, status="revoked", revoke_setl_id="R1", revoke_msgid="MSG3",
                                     revoked_at="2026-05-11 09:00:00", medfee_fen=1))  # amounts are not saved
        entries = uow.settlements.entries_of("S1")
        assert [(e.source, e.amount_fen) for e in entries] == [("funder", 700), ("own", 300)]
        assert entries[0] == replace(legs[0], id=entries[0].id)
        uow.settlements.add_entries([replace(e, id=0, entry="revoke", amount_fen=-e.amount_fen) for e in entries])
    with store.read() as uow:
        revoked = uow.settlements.get("S1")
        assert (revoked.status, revoked.revoke_setl_id, revoked.medfee_fen) == ("revoked", "R1", 1000)
        assert [s.setl_id for s in uow.settlements.of_visit("MD9")] == ["S1"]
        assert [s.setl_id for s in uow.settlements.in_period("P1", "2026-05-10 00:00:00", "2026-05-10 23:59:59")] \
            == ["S1"]
        assert [s.setl_id for s in uow.settlements.in_period("P1", "2026-05-11 00:00:00", "2026-05-11 23:59:59")] \
            == ["S1"]  # revoked that day
        assert [s.setl_id for s in uow.settlements.in_period("P1", "2026-05-09 00:00:00", "2026-05-11 23:59:59")] \
            == ["S2", "S1"]
        spent = uow.settlements.spending_from("funder", "PSN0002")
        assert [(x.entry, x.amount_fen, x.patient_psn_no, x.patient_name) for x in spent] == [
            ("settle", 700, "PSN0001", "人1"), ("revoke", -700, "PSN0001", "人1")]
        assert uow.settlements.spending_from("pool", "PSN0002") == []
    with pytest.raises(Duplicate), store.write() as uow:
        uow.settlements.add(settlement("S3", "MSG1", pat))  # one settlement per msgid


def test_messages_are_claimed_once(store: Any) -> None:
    with store.write() as uow:
        uow.messages.add(MessageRecord("M1", "2102", "P1", "PSN1", "ok", "S1", "2026-05-10 10:00:00"))
        uow.messages.add(MessageRecord("M2", "2102", "P1", None, "dead", None, "2026-05-10 10:00:00"))
        uow.messages.set_status("M1", "reversed")
    with store.read() as uow:
        assert uow.messages.get("M1", lock=True) == MessageRecord("M1", "2102", "P1", "PSN1", "reversed", "S1",
                                                                  "2026-05-10 10:00:00")
        assert uow.messages.get("M2").psn_no is None and uow.messages.get("M3") is None
    with pytest.raises(Duplicate), store.write() as uow:
        uow.messages.add(MessageRecord("M2", "2103", "P1", None, "ok", None, "2026-05-10 10:00:00"))


# reference, sign-ins, codes, files -----------------------------------------------------------------
def test_reference_data_is_upserted(store: Any) -> None:
    with store.write() as uow:
        uow.reference.save_institution(Institution("P1", "药房", "pharmacy", "610103", "1", True, "shaanxi"))
        uow.reference.save_institution(Institution("P1", "药房二", "pharmacy", "610103", "1", False, "shaanxi"))
        uow.reference.save_policy("zz", '{"name": "zz"}')
        uow.reference.save_policy("aa", '{"name": "aa"}')
        uow.reference.set_handles("person", {"pat": "PSN1", "f1": "PSN2"})
        uow.reference.set_handles("person", {"pat": "PSN9"})
    with store.read() as uow:
        assert uow.reference.institution("P1") == Institution("P1", "药房二", "pharmacy", "610103", "1", False,
                                                              "shaanxi")
        assert uow.reference.institution("nope") is None
        assert uow.reference.policy_bodies() == ['{"name": "aa"}', '{"name": "zz"}']
        assert uow.reference.handles("person") == {"pat": "PSN9", "f1": "PSN2"}
        assert uow.reference.handles("pool") == {}


def test_signins_one_per_operator_and_day(store: Any) -> None:
    with store.write() as uow:
        uow.signins.add(SigninRecord("SN1", "P1", "op", "2026-05-10", "2026-05-10 08:00:00", False))
        uow.signins.set_signed_out("SN1", True)
    with store.read() as uow:
        assert uow.signins.get("SN1") == SigninRecord("SN1", "P1", "op", "2026-05-10", "2026-05-10 08:00:00", True)
        assert uow.signins.of_day("P1", "op", "2026-05-10").sign_no == "SN1"
        assert uow.signins.of_day("P1", "op", "2026-05-11") is None and uow.signins.get("SN2") is None
    with pytest.raises(Duplicate), store.write() as uow:
        uow.signins.add(SigninRecord("SN2", "P1", "op", "2026-05-10", "2026-05-10 09:00:00", False))


def test_evouchers_are_single_use_and_tokens_found(store: Any) -> None:
    pid = people(store, person(1))["PSN0001"]
    with store.write() as uow:
        uow.codes.add_evoucher(EvoucherRecord("1" * 28, pid, "2026-05-10 10:01:00"))
        uow.codes.add_token(TokenRecord("610103ecTOKEN", pid, "2026-05-10 10:30:00"))
    with store.write() as uow:
        assert uow.codes.evoucher("1" * 28) == EvoucherRecord("1" * 28, pid, "2026-05-10 10:01:00", None)
        assert uow.codes.use_evoucher("1" * 28, "2026-05-10 10:00:30") is True
        assert uow.codes.use_evoucher("1" * 28, "2026-05-10 10:00:31") is False
        assert uow.codes.use_evoucher("2" * 28, "2026-05-10 10:00:31") is False
    with store.read() as uow:
        assert uow.codes.evoucher("1" * 28).used_at == "2026-05-10 10:00:30"
        assert uow.codes.token("610103ecTOKEN") == TokenRecord("610103ecTOKEN", pid, "2026-05-10 10:30:00")
        assert uow.codes.token("nope") is None and uow.codes.evoucher("2" * 28) is None


def test_files_keep_their_bytes(store: Any) -> None:
    with store.write() as uow:
        uow.files.add(StoredFile("F1", "P1", "detail.zip", b"\x00PK\xff", "2026-05-10 10:00:00"))
    with store.read() as uow:
        assert uow.files.get("F1") == StoredFile("F1", "P1", "detail.zip", b"\x00PK\xff", "2026-05-10 10:00:00")
        assert uow.files.get("F2") is None
    with pytest.raises(Duplicate), store.write() as uow:
        uow.files.add(StoredFile("F1", "P2", "x", b"", "2026-05-10 10:00:00"))


def test_reset_empties_every_aggregate(store: Any) -> None:
    pid = people(store, person(1))["PSN0001"]
    with store.write() as uow:
        uow.messages.add(MessageRecord("M1", "2102", "P1", "PSN1", "ok", None, "2026-05-10 10:00:00"))
        uow.balances.add_funds_in([FundsIn("load", "account", "PSN0001", 10000, "2026-05-10 10:00:00")])
    store.reset()
    with store.read() as uow:
        assert uow.persons.by_ids([pid]) == {} and uow.messages.get("M1") is None
        assert uow.inspect.conservation()["loaded"] == "0.00"
    # Ids are the store's: SQLite and memory start again from 1 after a reset, PostgreSQL's sequences go on.
    again = people(store, person(1))["PSN0001"]
    with store.read() as uow:
        assert again > 0 and uow.persons.by_key("psn_no", "PSN0001").id == again
