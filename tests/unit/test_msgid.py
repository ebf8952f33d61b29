"""The msgid sequence never repeats: across restarts, threads and two terminal processes sharing a file."""

import subprocess
import sys
import threading
from datetime import datetime, timedelta
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from pos_plugin.platform.msgid import MsgidSequence, next_position
from pos_plugin.platform.state import StateDb

CODE = "P61010300017"
FROZEN = datetime(2026, 4, 20, 18, 30, 0)
ROOT = Path(__file__).resolve().parents[2]


def sequence(path, clock=lambda: FROZEN):
    return MsgidSequence(StateDb(path), CODE, clock)


def test_format_is_code_stamp_and_four_digit_sequence(tmp_path):
    msgid = sequence(tmp_path / "s.sqlite").next()
    assert msgid == "P61010300017" + "20260420183000" + "0001"
    assert len(msgid) == 30


def test_sequence_restarts_each_second_and_counts_within_one():
    assert next_position("20260420183001", "20260420183000", 17) == ("20260420183001", 1)
    assert next_position("20260420183000", "20260420183000", 17) == ("20260420183000", 18)
    assert next_position("20260420183000", None, 0) == ("20260420183000", 1)


def test_a_clock_going_backwards_never_reuses_a_msgid():
    assert next_position("20260420182959", "20260420183000", 5) == ("20260420183000", 6)


def test_after_9999_in_one_second_the_stamp_moves_ahead():
    assert next_position("20260420183000", "20260420183000", 9999) == ("20260420183001", 1)
    assert next_position("20261231235959", "20261231235959", 9999) == ("20270101000000", 1)


@given(st.lists(st.integers(min_value=-5, max_value=5), min_size=1, max_size=200))
def test_msgids_strictly_increase_whatever_the_clock_does(steps):
    clock, position, seen = FROZEN, (None, 0), []
    for step in steps:
        clock += timedelta(seconds=step)
        stamp, seq = next_position(clock.strftime("%Y%m%d%H%M%S"), *position)
        position = (stamp, seq)
        seen.append(f"{stamp}{seq:04d}")
    assert seen == sorted(set(seen))


def test_unique_across_a_restart(tmp_path):
    path = tmp_path / "state.sqlite"
    first = sequence(path)
    before = [first.next() for _ in range(3)]
    first.db.close()
    after = [sequence(path).next() for _ in range(3)]  # a new process would open the file the same way
    assert before[-1] < after[0]
    assert len(set(before + after)) == 6
    assert after[0].endswith("0004")


def test_unique_across_threads_drawing_at_once(tmp_path):
    path = tmp_path / "state.sqlite"
    drawn: list[str] = []
    lock = threading.Lock()

    def terminal() -> None:
        seq = sequence(path)  # each thread its own connection, like separate terminals
        mine = [seq.next() for _ in range(100)]
        with lock:
            drawn.extend(mine)

    threads = [threading.Thread(target=terminal) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(drawn) == 400 and len(set(drawn)) == 400


DRAW = """
import sys
from datetime import datetime
from pos_plugin.platform.msgid import MsgidSequence
from pos_plugin.platform.state import StateDb
seq = MsgidSequence(StateDb(sys.argv[1]), "P61010300017", lambda: datetime(2026, 4, 20, 18, 30, 0))
sys.stdin.readline()  # start together
print("\\n".join(seq.next() for _ in range(int(sys.argv[2]))))
"""


def test_unique_across_two_terminal_processes_sharing_the_file(tmp_path):
    path = tmp_path / "shared.sqlite"
    procs = [
        subprocess.Popen([sys.executable, "-c", DRAW, str(path), "300"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, text=True, cwd=ROOT)
        for _ in range(2)
    ]
    outputs = [p.communicate("go\n", timeout=60)[0].split() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    drawn = outputs[0] + outputs[1]
    assert len(drawn) == 600 and len(set(drawn)) == 600
    assert sorted(drawn)[-1].endswith("0600")  # one frozen second: 1..600 with no gap or repeat


# --- the one-statement draw (msgid.DRAW) and the draw inside the journal's transaction -----------------
DRAW_CASES = [  # (stored position or None, the clock's stamp)
    (None, "20260420183000"),
    (("20260420183000", 17), "20260420183001"),   # a later second restarts at 1
    (("20260420183000", 17), "20260420183000"),   # the same second counts on
    (("20260420183000", 17), "20260420182959"),   # a clock gone back keeps the stored second
    (("20260420183000", 9998), "20260420183000"),
    (("20260420183000", 9999), "20260420183000"),  # past 9999 the stamp moves a second ahead
    (("20261231235959", 9999), "20261231235959"),
    (("20260420183000", 9999), "20260420183005"),
]


def _position(db, stored):
    if stored is not None:
        with db.immediate() as conn:
            conn.execute("INSERT INTO msgid_seq (fixmedins_code, stamp, seq) VALUES (?, ?, ?)", (CODE, *stored))


def test_the_one_statement_draw_is_next_position_on_sqlite(tmp_path):
    for index, (stored, now) in enumerate(DRAW_CASES):
        db = StateDb(tmp_path / f"draw-{index}.sqlite")
        _position(db, stored)
        drawn = MsgidSequence(db, CODE, lambda now=now: datetime.strptime(now, "%Y%m%d%H%M%S")).next()
        stamp, seq = next_position(now, *(stored or (None, 0)))
        assert drawn == f"{CODE}{stamp}{seq:04d}", (stored, now)
        assert tuple(db.read("SELECT stamp, seq FROM msgid_seq")[0]) == (stamp, seq)


def test_a_draw_inside_a_transaction_that_fails_is_not_drawn(tmp_path):
    db = StateDb(tmp_path / "s.sqlite")
    msgids = MsgidSequence(db, CODE, lambda: FROZEN)
    try:
        with db.immediate() as conn:
            assert msgids.next(conn).endswith("0001")
            raise RuntimeError("the journal row could not be written")
    except RuntimeError:
        pass
    assert msgids.next().endswith("0001")  # rolled back with the row: the msgid was never used


def test_a_terminal_continues_after_the_sequence_an_older_version_kept_in_its_own_file(tmp_path):
    legacy = tmp_path / "terminal-state.sqlite"
    old = StateDb(legacy)
    _position(old, ("20260420183000", 41))
    old.close()
    later = MsgidSequence(StateDb(tmp_path / "journal.sqlite"), CODE, lambda: FROZEN)
    later.adopt(legacy)
    assert later.next() == f"{CODE}202604201830000042"
    later.adopt(legacy)  # the later of the two wins: adopting again never goes back
    assert later.next() == f"{CODE}202604201830000043"
    later.adopt(tmp_path / "missing.sqlite")  # nothing to adopt
    empty = tmp_path / "empty.sqlite"
    import sqlite3
    sqlite3.connect(empty).close()
    later.adopt(empty)
    assert later.next() == f"{CODE}202604201830000044"


# --- a query's draw commits without waiting for the disk (docs/till-store.md §2) ------------------------------
QUERY_DRAWS = """
import sys
from datetime import datetime
from pos_plugin.platform.msgid import MsgidSequence
from pos_plugin.platform.state import StateDb
seq = MsgidSequence(StateDb(sys.argv[1]), "P61010300017", lambda: datetime(2026, 4, 20, 18, 30, 0))
while True:
    print(seq.next(durable=False), flush=True)  # printed once its draw is committed
"""


def test_a_query_draw_is_never_drawn_again_after_kill_9(tmp_path):
    path = tmp_path / "journal.sqlite"
    StateDb(path).close()
    proc = subprocess.Popen([sys.executable, "-c", QUERY_DRAWS, str(path)], stdout=subprocess.PIPE, text=True,
                            cwd=ROOT)
    assert proc.stdout is not None
    printed = [proc.stdout.readline().strip() for _ in range(300)]
    proc.kill()  # SIGKILL while it draws on: a commit that returned is in the WAL, whatever the disk did
    proc.wait(10)
    after = sequence(path).next()
    assert len(set(printed)) == 300 and printed == sorted(printed)
    assert after > printed[-1]


def test_a_query_draw_skips_the_sync_unless_the_stored_stamp_is_ahead_of_the_clock(tmp_path):
    seq = sequence(tmp_path / "s.sqlite")
    seen: list[str] = []
    seq.db.trace(seen.append)
    first = seq.next(durable=False)
    assert [s.split()[0] for s in seen] == ["PRAGMA", "INSERT", "PRAGMA"]  # NORMAL for the draw, then FULL again
    seen.clear()
    seq.next()  # a money request's draw outside a journal: durable, no PRAGMA
    assert [s.split()[0] for s in seen] == ["INSERT"]
    seen.clear()
    seq.clock = lambda: FROZEN - timedelta(seconds=5)  # the clock went back: the stored second is ahead of it
    behind = seq.next(durable=False)
    assert [s.split()[0] for s in seen] == ["PRAGMA", "INSERT", "PRAGMA", "UPDATE"]  # then made durable
    assert first < behind and behind.endswith("0003")
    seq.db.trace(None)
    assert seq.db.read("PRAGMA synchronous")[0][0] == 2  # FULL for every other write of the connection
