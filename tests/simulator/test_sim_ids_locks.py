"""Ids drawn inside a write transaction never wait behind a serial reservation (which waits for the
database's writer): on SQLite that was a deadlock once replies were encoded before the commit."""

from __future__ import annotations

import threading
from datetime import datetime

from simulator.platform.ids import IdGenerator


def test_refmsgids_and_random_codes_do_not_wait_for_a_reservation() -> None:
    entered, release = threading.Event(), threading.Event()

    def slow_reserve(kind: str, count: int, base: int) -> int:
        entered.set()
        release.wait(10)  # another request's writer holds the database
        return base

    ids = IdGenerator(1, slow_reserve)
    reserving = threading.Thread(target=ids.serial, args=("setl",))
    reserving.start()
    assert entered.wait(5)
    drawn: list[str] = []
    drawer = threading.Thread(target=lambda: drawn.extend([ids.inf_refmsgid("610103", datetime(2026, 5, 10)),
                                                           ids.digits(22), ids.token(30)]))
    drawer.start()
    drawer.join(2)
    finished = not drawer.is_alive()
    release.set()
    reserving.join(5)
    drawer.join(5)
    assert finished and len(drawn) == 3
