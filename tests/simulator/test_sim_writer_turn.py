"""A request's write transaction on SQLite takes the writers' turn (store/engine.py `WriterQueue`) for as long
as it is open, committed or rolled back: the other writers queue on the turn (handed over at once) instead
of sleeping in SQLite's busy handler. The turn is an flock(2) of `<db>.writers`, so another process sees it."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from simulator.store.store import Store


def _taken_elsewhere(db: Path) -> bool:
    """True when the writers' turn is held (a second open file cannot lock it, as another process could not)."""
    fd = os.open(f"{db}.writers", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def test_a_request_transaction_holds_the_turn_until_it_commits(tmp_path: Path) -> None:
    db = tmp_path / "platform.sqlite"
    store = Store(f"sqlite:///{db}")
    try:
        assert not _taken_elsewhere(db)
        with store.deferred_commit() as pending:
            assert not _taken_elsewhere(db)  # nothing written yet: no turn taken
            with store.write() as uow:
                uow.conn.exec_driver_sql("SELECT 1")
            assert _taken_elsewhere(db)  # the request's transaction stays open, and so does its turn
            pending.commit()
            assert not _taken_elsewhere(db)
    finally:
        store.dispose()


def test_a_request_transaction_gives_the_turn_back_when_it_rolls_back(tmp_path: Path) -> None:
    db = tmp_path / "platform.sqlite"
    store = Store(f"sqlite:///{db}")
    try:
        try:
            with store.deferred_commit():
                with store.write() as uow:
                    uow.conn.exec_driver_sql("SELECT 1")
                assert _taken_elsewhere(db)
                raise LookupError("the handler refused")
        except LookupError:
            pass
        assert not _taken_elsewhere(db)
        with store.write() as uow:  # the next writer gets in
            assert uow.conn.exec_driver_sql("SELECT 2").scalar() == 2
    finally:
        store.dispose()
