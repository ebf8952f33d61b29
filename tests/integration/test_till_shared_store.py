"""Tills of several PCs on one PostgreSQL store (`--state-db`, docs/till-store.md), against a throwaway
PostgreSQL server and the simulator as a separate process: msgids stay unique under concurrent tills, the
books are one, a terminal runs in one process at a time, and recovery resolves another terminal's lost
reply only while that terminal is down."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pos_plugin.agent.idempotency import IdempotencyStore
from pos_plugin.checkout.identify import Credential, identify
from pos_plugin.checkout.sale import Order
from pos_plugin.config import Terminal, TerminalSettings, open_terminal
from pos_plugin.domain.cart import cart_line_from_mapping
from pos_plugin.errors import InputError, JournalError
from pos_plugin.journal import PENDING, REVERSED, Journal
from pos_plugin.lab.sim_admin import SimulatorAdmin
from pos_plugin.platform.msgid import MsgidSequence
from pos_plugin.platform.state import open_state
from tools.bench.world import AREA, PHARMACY, bench_world

pytestmark = pytest.mark.postgres
LINE = {"code": "A001", "name": "阿莫西林胶囊", "qty": "1", "price": "12.50", "class": "A"}


@pytest.fixture
def store(pg_server: Any, request: pytest.FixtureRequest) -> str:
    return str(pg_server.create_database(f"till_{request.node.name[:40]}".lower()))


@pytest.fixture
def world(admin: SimulatorAdmin) -> dict[str, Any]:
    body = bench_world(3)
    admin.load_world(body)
    return body


@pytest.fixture
def terminals(sim_url: str, store: str, tmp_path: Path) -> Iterator[dict[str, Terminal]]:
    opened: dict[str, Terminal] = {}

    def open_one(name: str) -> Terminal:
        opened[name] = open_terminal(TerminalSettings(sim_url, PHARMACY, "西安康平大药房", AREA, "shaanxi",
                                                      tmp_path / name, name, state_db=store))
        return opened[name]

    yield {"open": open_one}  # type: ignore[dict-item]
    for terminal in opened.values():
        try:
            terminal.close()
        except Exception:  # noqa: BLE001 - closed by the test already
            pass


def test_msgids_stay_unique_and_increasing_under_concurrent_tills(store: str) -> None:
    drawn: dict[int, list[str]] = {}

    def till(n: int) -> None:  # each till its own connection, as on its own PC
        db = open_state(store)
        sequence = MsgidSequence(db, PHARMACY)
        drawn[n] = [sequence.next() for _ in range(60)]
        db.close()

    threads = [threading.Thread(target=till, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    everyone = [msgid for n in range(4) for msgid in drawn[n]]
    assert len(everyone) == 240 and len(set(everyone)) == 240
    assert all(ids == sorted(ids) for ids in drawn.values())


def test_the_one_statement_draw_is_next_position_on_postgresql(store: str) -> None:
    from datetime import datetime

    from pos_plugin.platform.msgid import next_position
    db = open_state(store)
    try:
        for stored, now in ((None, "20260420183000"), (("20260420183000", 17), "20260420183001"),
                            (("20260420183000", 17), "20260420182959"), (("20260420183000", 9999), "20260420183000")):
            db.write_one("DELETE FROM msgid_seq RETURNING stamp")
            if stored is not None:
                db.write_one("INSERT INTO msgid_seq (fixmedins_code, stamp, seq) VALUES (?, ?, ?) RETURNING seq",
                             (PHARMACY, *stored))
            drawn = MsgidSequence(db, PHARMACY, lambda now=now: datetime.strptime(now, "%Y%m%d%H%M%S")).next()
            stamp, seq = next_position(now, *(stored or (None, 0)))
            assert drawn == f"{PHARMACY}{stamp}{seq:04d}", (stored, now)
    finally:
        db.close()


def test_a_terminal_keeps_its_msgids_journal_and_sale_book_on_one_connection(terminals: Any) -> None:
    terminal = terminals["open"]("T1")
    assert terminal.client.msgids.db is terminal.journal.db is terminal.sales.db
    # the visit, stay and upload books stay in this PC's SQLite file, one connection for the three
    local = terminal.visits.db
    assert local is terminal.stays.db is terminal.till.uploads.db and local is not terminal.journal.db
    assert local.path.name == "journal.sqlite"


def test_two_tills_share_one_set_of_books(terminals: Any, world: dict[str, Any]) -> None:
    t1, t2 = terminals["open"]("T1"), terminals["open"]("T2")
    booked = []
    for terminal, person in ((t1, world["people"][0]), (t2, world["people"][1])):
        patient = identify(terminal.client, Credential("id_card", person["certno"]))
        booked.append(terminal.till.checkout(patient, Order((cart_line_from_mapping(LINE),)), lambda quote: True))
    # either till reads the other's sale, and the journal holds both rows under their terminals
    assert t1.sales.get(booked[1].sale_id).state == "settled"
    assert t2.sales.get(booked[0].sale_id).state == "settled"
    rows = t1.journal.entries()
    assert {(e.terminal, e.setl_id) for e in rows if e.infno == "2102"} == {
        ("T1", booked[0].sale_id), ("T2", booked[1].sale_id)}
    t2.till.revoke(booked[0].sale_id)  # a sale rung up at T1 revoked at T2
    assert t1.sales.get(booked[0].sale_id).state == "revoked"


def test_a_terminal_runs_in_one_process_at_a_time(store: str) -> None:
    first = Journal(store, terminal="T1")
    with pytest.raises(JournalError) as refused:
        Journal(store, terminal="T1")
    assert "T1" in refused.value.message
    Journal(store, terminal="T2").close()
    first.close()
    Journal(store, terminal="T1").close()  # the lease went with the first process's connection


def _lost_reply(terminal: Terminal) -> str:
    """A 2102 journaled as sent whose reply never came (the till died before the platform saw it)."""
    msgid = terminal.client.msgids.next()
    terminal.journal.before_send(msgid, "2102", "P-unknown", {"insuplc_admdvs": AREA, "input": {"data": {}}})
    return msgid


def test_recovery_resolves_another_tills_lost_reply_only_while_that_till_is_down(
        terminals: Any, world: dict[str, Any]) -> None:
    t1, t2 = terminals["open"]("T1"), terminals["open"]("T2")
    identify(t2.client, Credential("id_card", world["people"][0]["certno"]))  # T2 signed in and working
    msgid = _lost_reply(t2)
    assert [r.msgid for r in t1.till.recover().resolutions] == []  # T2 runs: its row is its own business
    assert t1.journal.get(msgid).state == PENDING
    t2.close()  # T2 is down (a closed process, like one killed: its connection and lease are gone)
    resolved = t1.till.recover().resolutions
    assert [(r.msgid, r.outcome) for r in resolved] == [(msgid, "reversed")]
    assert t1.journal.get(msgid).state == REVERSED
    again = terminals["open"]("T2")  # T2 comes back: nothing left to do, the lease is free again
    assert again.journal.unresolved() == []


def test_a_file_path_is_not_a_state_db_url(sim_url: str, tmp_path: Path) -> None:
    with pytest.raises(InputError):
        open_terminal(TerminalSettings(sim_url, PHARMACY, "西安康平大药房", AREA, "shaanxi", tmp_path, "T1",
                                       state_db=str(tmp_path / "books.sqlite")))


def test_idempotency_keys_live_in_the_shared_store(store: str) -> None:
    first, second = IdempotencyStore(store), IdempotencyStore(store)
    first.put("k1", "req", 201, {"sale_id": "S1"})
    second.put("k1", "other", 500, {})  # a repeat of the key changes nothing
    stored = second.get("k1")
    assert stored is not None and (stored.request, stored.status, stored.answer) == ("req", 201, {"sale_id": "S1"})
    first.close()
    second.close()
