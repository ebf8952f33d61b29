"""The sign-in cache on a real SQLite state file: read from the file once per process and day, and a sign_no
renewed by another terminal is picked up as soon as the platform refuses the old one."""

from __future__ import annotations

from pathlib import Path

from pos_plugin.platform.signin import SignIn, SignInCache
from pos_plugin.platform.state import StateDb

DAY = "2026-04-20"


def _selects(db: StateDb) -> list[str]:
    seen: list[str] = []
    db._conn.set_trace_callback(lambda sql: seen.append(sql) if sql.startswith("SELECT") else None)
    return seen


def test_the_file_is_read_once_then_the_sign_in_is_known(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    SignInCache(StateDb(path), "P1").put(SignIn("0001", DAY, "S1", "t"))
    db = StateDb(path)
    cache = SignInCache(db, "P1")
    selects = _selects(db)
    assert [cache.get("0001", DAY) for _ in range(3)] == [SignIn("0001", DAY, "S1", "t")] * 3
    assert len(selects) == 1
    assert cache.get("0001", "2026-04-21") is None and len(selects) == 2  # another day: the file again


def test_a_sign_no_renewed_by_another_terminal_is_read_after_the_refusal(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    mine, other = SignInCache(StateDb(path), "P1"), SignInCache(StateDb(path), "P1")
    mine.put(SignIn("0001", DAY, "S1", "t"))
    assert other.get("0001", DAY) == SignIn("0001", DAY, "S1", "t")
    other.forget("0001", "S1")  # the platform refused S1 at the other terminal, which signed in again
    other.put(SignIn("0001", DAY, "S2", "t2"))
    assert mine.get("0001", DAY) is not None  # still the one it knows, until the platform refuses it
    mine.forget("0001", "S1")  # refused here too: the file holds S2, which forget leaves alone
    assert mine.get("0001", DAY) == SignIn("0001", DAY, "S2", "t2")


def test_forget_drops_the_known_sign_in(tmp_path: Path) -> None:
    cache = SignInCache(StateDb(tmp_path / "state.sqlite"), "P1")
    cache.put(SignIn("0001", DAY, "S1", "t"))
    cache.forget("0001", "S1")
    assert cache.get("0001", DAY) is None
