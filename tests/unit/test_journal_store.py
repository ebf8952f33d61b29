"""The journal's state machine and day-end totals, on a real SQLite file."""

import json
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pos_plugin.errors import JournalError, PlatformTimeout, PlatformUnreachable
from pos_plugin.journal import (
    CONFIRMED,
    DONE,
    FAILED,
    PENDING,
    REVERSED,
    UNKNOWN,
    Journal,
    revokes_between,
    settlements_between,
    totals_between,
)

NOW = datetime(2026, 4, 20, 18, 30, 0)


@pytest.fixture
def journal(tmp_path):
    j = Journal(tmp_path / "journal.sqlite", terminal="T1", clock=lambda: NOW)
    yield j
    j.close()


def env(infno="2102", data=None, insuplc="610103"):
    input_ = {"data": data} if data is not None else {"druginfo": {"psn_no": "P1", "medfee_sumamt": Decimal("10.00")}}
    return {"infno": infno, "insuplc_admdvs": insuplc, "input": input_}


def setl_output(setl_id, medfee, fund, acct, cash, *, insutype="310", clr_type="41", setl_time="2026-04-20 18:30:01",
                revoke=False):
    names = ("psn_pay", "cash_payamt") if revoke else ("psn_part_amt", "psn_cash_pay")
    return {"setlinfo": {
        "setl_id": setl_id, "mdtrt_id": "M" + setl_id, "psn_no": "P1", "insutype": insutype, "clr_type": clr_type,
        "clr_optins": "610100", "setl_time": setl_time, "medfee_sumamt": Decimal(medfee),
        "fund_pay_sumamt": Decimal(fund), "acct_pay": Decimal(acct), names[0]: Decimal(medfee) - Decimal(fund),
        names[1]: Decimal(cash), "wallet_pay": Decimal("0.00"), "acct_mulaid_pay": Decimal("0.00"),
    }}


def settle(journal, msgid, *args, **kwargs):
    journal.before_send(msgid, "2102", "P1", env())
    journal.after_reply(msgid, setl_output(*args, **kwargs))


def test_a_row_is_pending_before_sending_with_the_request_as_sent(journal):
    journal.before_send("m1", "2102", "P1", env())
    row = journal.get("m1")
    assert row.state == PENDING and row.terminal == "T1" and row.insuplc == "610103"
    assert row.request["input"]["druginfo"]["medfee_sumamt"] == "10.00"  # stored as on the wire
    assert [e.msgid for e in journal.unresolved()] == ["m1"]


def test_answered_row_keeps_setl_id_and_exact_amounts(journal):
    settle(journal, "m1", "S1", "155.80", "0.00", "155.80", "0.00")
    row = journal.get("m1")
    assert row.state == DONE and row.setl_id == "S1" and row.mdtrt_id == "MS1"
    assert row.amounts["medfee_sumamt"] == Decimal("155.80") and row.amounts["psn_part_amt"] == Decimal("155.80")
    assert journal.unresolved() == []


def test_refused_and_unknown_transitions(journal):
    journal.before_send("m1", "2102", "P1", env())
    journal.after_refusal("m1", PlatformUnreachable())
    journal.before_send("m2", "2102", "P1", env())
    journal.after_unknown("m2", PlatformTimeout())
    assert journal.get("m1").state == FAILED and journal.get("m1").error.startswith("ERR_UNREACHABLE")
    assert journal.get("m2").state == UNKNOWN
    assert [e.msgid for e in journal.unresolved()] == ["m2"]


def test_reversing_is_idempotent_and_only_from_unresolved(journal):
    journal.before_send("m1", "2102", "P1", env())
    journal.after_unknown("m1", PlatformTimeout())
    journal.mark_reversed("m1")
    journal.mark_reversed("m1")  # harmless twice
    assert journal.get("m1").state == REVERSED
    settle(journal, "m2", "S2", "1.00", "0.00", "1.00", "0.00")
    with pytest.raises(JournalError):
        journal.mark_reversed("m2")  # an answered settlement is never marked reversed
    assert journal.get("m2").state == DONE


def test_an_outcome_cannot_be_recorded_twice(journal):
    settle(journal, "m1", "S1", "1.00", "0.00", "1.00", "0.00")
    with pytest.raises(JournalError):
        journal.after_unknown("m1", PlatformTimeout())
    with pytest.raises(JournalError):
        journal.before_send("m1", "2102", "P1", env())  # a msgid is journaled once
    assert journal.get("m1").state == DONE


def test_confirmed_counts_like_done(journal):
    journal.before_send("m1", "2102", "P1", env())
    journal.after_unknown("m1", PlatformTimeout())
    journal.mark_confirmed("m1", setl_output("S1", "5.00", "0.00", "5.00", "0.00"))
    assert journal.get("m1").state == CONFIRMED
    assert [e.msgid for e in settlements_between(journal, date(2026, 4, 20), date(2026, 4, 20))] == ["m1"]


def test_unresolved_is_per_terminal(tmp_path):
    path = tmp_path / "shared.sqlite"
    a, b = Journal(path, terminal="A"), Journal(path, terminal="B")
    a.before_send("m1", "2102", "P1", env())
    assert b.unresolved() == [] and [e.msgid for e in b.unresolved(all_terminals=True)] == ["m1"]
    assert [e.msgid for e in Journal(path, terminal="A").unresolved()] == ["m1"]  # survives a restart


def test_unknown_msgid_is_a_journal_error(journal):
    with pytest.raises(JournalError) as err:
        journal.get("nope")
    assert "nope" in err.value.message


def test_day_totals_per_insutype_and_clr_type_with_revokes_inherited(journal):
    settle(journal, "m1", "S1", "100.00", "60.00", "40.00", "0.00")
    settle(journal, "m2", "S2", "50.50", "0.00", "20.00", "30.50")
    settle(journal, "m3", "S3", "12.00", "0.00", "0.00", "12.00", insutype="390", clr_type="11")
    settle(journal, "m4", "S4", "9.99", "0.00", "9.99", "0.00", setl_time="2026-04-21 08:00:00")
    journal.before_send("m5", "2103", "P1", env("2103", {"setl_id": "S2", "mdtrt_id": "MS2", "psn_no": "P1"}))
    revoke = setl_output("R2", "-50.50", "0.00", "-20.00", "-30.50", revoke=True)
    del revoke["setlinfo"]["insutype"], revoke["setlinfo"]["clr_type"], revoke["setlinfo"]["clr_optins"]
    journal.after_reply("m5", revoke)
    journal.before_send("m6", "2102", "P1", env())
    journal.after_unknown("m6", PlatformTimeout())  # unknown rows never count

    day = date(2026, 4, 20)
    totals = {(t.insutype, t.clr_type): t for t in totals_between(journal, day, day)}
    pharmacy = totals[("310", "41")]
    assert pharmacy.settled_cnt == 2 and pharmacy.revoked_cnt == 1 and pharmacy.net_cnt == 1
    assert pharmacy.settled["medfee_sumamt"] == Decimal("150.50")
    assert pharmacy.revoked["medfee_sumamt"] == Decimal("-50.50") and pharmacy.revoked["psn_cash_pay"] == Decimal("-30.50")
    assert pharmacy.net("acct_pay") == Decimal("40.00") and pharmacy.net("fund_pay_sumamt") == Decimal("60.00")
    assert totals[("390", "11")].settled["psn_cash_pay"] == Decimal("12.00")
    assert set(totals) == {("310", "41"), ("390", "11")}
    assert [e.msgid for e in revokes_between(journal, day, day)] == ["m5"]
    assert [e.msgid for e in settlements_between(journal, date(2026, 4, 21), date(2026, 4, 21))] == ["m4"]


def test_file_is_plain_sqlite_readable_by_other_tools(journal, tmp_path):
    import sqlite3

    settle(journal, "m1", "S1", "1.00", "0.00", "1.00", "0.00")
    with sqlite3.connect(tmp_path / "journal.sqlite") as conn:
        state, reply = conn.execute("SELECT state, reply FROM journal").fetchone()
    assert state == "done" and json.loads(reply)["setlinfo"]["medfee_sumamt"] == "1.00"


EVENTS = ("reply", "refusal", "unknown", "reversed", "confirmed")
# From each state, the events the journal accepts and where they lead; anything else is refused.
ALLOWED = {
    PENDING: {"reply": DONE, "refusal": FAILED, "unknown": UNKNOWN, "reversed": REVERSED, "confirmed": CONFIRMED},
    UNKNOWN: {"reversed": REVERSED, "confirmed": CONFIRMED},
    REVERSED: {"reversed": REVERSED},
    CONFIRMED: {"confirmed": CONFIRMED},
    DONE: {},
    FAILED: {},
}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(EVENTS), max_size=6))
def test_state_machine_accepts_exactly_the_documented_transitions(tmp_path_factory, events):
    j = Journal(tmp_path_factory.mktemp("sm") / "journal.sqlite", clock=lambda: NOW)
    j.before_send("m", "2102", "P1", env())
    state = PENDING
    for event in events:
        target = ALLOWED[state].get(event)
        apply = {
            "reply": lambda: j.after_reply("m", setl_output("S", "1.00", "0.00", "1.00", "0.00")),
            "refusal": lambda: j.after_refusal("m", PlatformUnreachable()),
            "unknown": lambda: j.after_unknown("m", PlatformTimeout()),
            "reversed": lambda: j.mark_reversed("m"),
            "confirmed": lambda: j.mark_confirmed("m", setl_output("S", "1.00", "0.00", "1.00", "0.00")),
        }[event]
        if target is None:
            with pytest.raises(JournalError):
                apply()
        else:
            apply()
            state = target
        assert j.get("m").state == state
        assert [e.msgid for e in j.unresolved()] == (["m"] if state in (PENDING, UNKNOWN) else [])
    j.close()


# --- one store: the msgid drawn in the transaction that journals the request -------------------------------
def _one_store(tmp_path):
    from pos_plugin.platform.msgid import MsgidSequence
    from pos_plugin.platform.state import STATE_SCHEMA, StateDb
    store = StateDb(tmp_path / "journal.sqlite", schema=STATE_SCHEMA)
    return store, Journal(store, terminal="T1", clock=lambda: NOW), MsgidSequence(store, "P61010300017", lambda: NOW)


def test_reserve_draws_the_msgid_and_writes_its_row_in_one_commit(tmp_path):
    store, journal, msgids = _one_store(tmp_path)
    seen: list[str] = []
    store.trace(seen.append)
    msgid, envelope = journal.reserve("2102", "P1", msgids.next, lambda m: {**env(), "msgid": m})
    store.trace(None)
    assert msgid == "P61010300017202604201830000001" and envelope["msgid"] == msgid
    assert journal.get(msgid).state == PENDING and journal.get(msgid).request["msgid"] == msgid
    assert [s.split()[0] for s in seen] == ["BEGIN", "INSERT", "INSERT", "COMMIT"]  # draw, row, one commit
    store.close()


def test_a_row_that_cannot_be_written_leaves_its_msgid_undrawn(tmp_path):
    from pos_plugin.errors import InputError
    store, journal, msgids = _one_store(tmp_path)
    with pytest.raises(InputError):  # a float amount: the row is refused, so the request is never sent
        journal.reserve("2102", "P1", msgids.next, lambda m: {**env(data={"medfee_sumamt": 1.5}), "msgid": m})
    assert journal.unresolved() == []
    assert msgids.next().endswith("0001")  # rolled back with the row
    store.close()


def test_an_answered_settlement_is_one_statement_and_an_answered_revoke_still_moves_the_sale_book(tmp_path):
    store, journal, msgids = _one_store(tmp_path)
    settle, _ = journal.reserve("2102", "P1", msgids.next, lambda m: env())
    seen: list[str] = []
    store.trace(seen.append)
    journal.after_reply(settle, setl_output("S1", "10.00", "5.00", "5.00", "0.00"))
    store.trace(None)
    assert [s.split()[0] for s in seen] == ["UPDATE"] and journal.get(settle).state == DONE
    with store.immediate() as conn:
        conn.execute("INSERT INTO sales (setl_id, flow, med_type, psn_no, insuplc, mdtrt_id, use_account, use_wallet,"
                     " lines, receipt, state) VALUES ('S1', 'pharmacy', '41', 'P1', '610103', 'M1', 1, 1, '[]', '',"
                     " 'settled')")
    revoke, _ = journal.reserve("2103", "P1", msgids.next, lambda m: env("2103", {"setl_id": "S1", "psn_no": "P1"}))
    journal.after_reply(revoke, setl_output("S1R", "-10.00", "-5.00", "-5.00", "0.00", revoke=True))
    assert store.read("SELECT state FROM sales WHERE setl_id = 'S1'")[0]["state"] == "revoked"
    store.close()


def test_a_terminal_opens_one_store_and_continues_an_older_versions_msgid_file(tmp_path):
    from pos_plugin.config import TerminalSettings, open_terminal
    from pos_plugin.platform.state import StateDb
    old = StateDb(tmp_path / "terminal-state.sqlite")
    with old.immediate() as conn:  # what a version before issue 19 left: its sequence far in the future
        conn.execute("INSERT INTO msgid_seq (fixmedins_code, stamp, seq) VALUES ('P61010300017', '20991231235959', 7)")
    old.close()
    terminal = open_terminal(TerminalSettings("http://127.0.0.1:9", "P61010300017", "西安康平大药房", "610103",
                                              "shaanxi", tmp_path))
    try:
        assert terminal.client.msgids.db is terminal.journal.db is terminal.sales.db
        # the visit, stay and upload books are in the same file, on the same connection
        assert terminal.visits.db is terminal.stays.db is terminal.till.uploads.db is terminal.journal.db
        assert terminal.client.msgids.next() == "P61010300017209912312359590008"
    finally:
        terminal.close()
