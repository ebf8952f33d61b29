"""The msgid sequence: `fixmedins_code` + ``yyyyMMddHHmmss`` + 4-digit sequence, never repeated.

The last (stamp, seq) drawn is stored per institution in the terminal's store and advanced by one atomic
statement (under SQLite's file write lock, or the shared store's write lock), or inside the write transaction
that journals a money request, so two terminals, two threads or a restarted process never draw the same msgid.
Msgids are strictly increasing: a new second restarts the sequence at 0001; a clock that stands still
or goes backwards keeps the stored stamp and counts on; after 9999 the stamp moves one second ahead.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pos_plugin.platform.state import StateStore, legacy_rows
from pos_plugin.platform.wire import MSGID_STAMP, msgid_stamp

MAX_SEQ = 9999


# The common draw in one statement: a later second restarts at 1, else the stored second counts on. It does
# nothing (returns no row) at seq 9999 within a second: then `next_position` moves the stamp a second ahead.
DRAW = ("INSERT INTO msgid_seq (fixmedins_code, stamp, seq) VALUES (?, ?, 1) ON CONFLICT (fixmedins_code) DO UPDATE "
        "SET seq = CASE WHEN excluded.stamp > msgid_seq.stamp THEN 1 ELSE msgid_seq.seq + 1 END, "
        "stamp = CASE WHEN excluded.stamp > msgid_seq.stamp THEN excluded.stamp ELSE msgid_seq.stamp END "
        f"WHERE excluded.stamp > msgid_seq.stamp OR msgid_seq.seq < {MAX_SEQ} RETURNING stamp, seq")


class MsgidSequence:
    """Draws unique msgids for one institution from a shared SQLite file (or the shared PostgreSQL store)."""

    def __init__(self, db: StateStore, fixmedins_code: str, clock: Callable[[], datetime] = datetime.now) -> None:
        self.db = db
        self.fixmedins_code = fixmedins_code
        self.clock = clock

    def next(self, conn: Any = None, *, durable: bool = True) -> str:
        """Draw the next msgid: one statement that commits alone, or inside the caller's write transaction
        `conn` on this store (the journal draws a money request's msgid in the transaction that records it).
        `durable=False` (a query's msgid) commits the draw without waiting for the disk: safe against kill -9,
        and after a power cut the clock has moved past any draw it lost (docs/till-store.md §2)."""
        now_stamp = msgid_stamp(self.clock())
        params = (self.fixmedins_code, now_stamp)
        rows = list(conn.execute(DRAW, params)) if conn is not None else self.db.write_one(DRAW, params, durable=durable)
        if rows:
            stamp, seq = rows[0]["stamp"], rows[0]["seq"]
        elif conn is not None:
            stamp, seq = self._carry(conn, now_stamp)
        else:
            with self.db.immediate() as own:
                stamp, seq = self._carry(own, now_stamp)
        if not durable and stamp != now_stamp:  # the stored stamp was ahead of the clock: a power cut could lose a
            # position the clock after a restart has not passed yet, so this draw is made durable after all
            self.db.write_one("UPDATE msgid_seq SET seq = seq WHERE fixmedins_code = ? RETURNING seq",
                              (self.fixmedins_code,))
        return f"{self.fixmedins_code}{stamp}{int(seq):04d}"

    def _carry(self, conn: Any, now_stamp: str) -> tuple[str, int]:
        """The draw after seq 9999 (or any draw `DRAW` declined), computed here inside a write transaction."""
        row = conn.execute(
            "SELECT stamp, seq FROM msgid_seq WHERE fixmedins_code = ?", (self.fixmedins_code,)
        ).fetchone()
        stamp, seq = next_position(now_stamp, row["stamp"] if row else None, row["seq"] if row else 0)
        conn.execute(
            "INSERT INTO msgid_seq (fixmedins_code, stamp, seq) VALUES (?, ?, ?) "
            "ON CONFLICT (fixmedins_code) DO UPDATE SET stamp = excluded.stamp, seq = excluded.seq",
            (self.fixmedins_code, stamp, seq),
        )
        return stamp, seq

    def adopt(self, legacy: Path) -> None:
        """Continue after the sequence an older version kept in its own file (`terminal-state.sqlite`): the
        later of the two positions wins, so no msgid drawn there is drawn again here. Sign-ins are not carried
        (a terminal signs in again)."""
        rows = legacy_rows(legacy, "SELECT fixmedins_code, stamp, seq FROM msgid_seq", table="msgid_seq")
        for code, stamp, seq in rows:
            self.db.write_one(
                "INSERT INTO msgid_seq (fixmedins_code, stamp, seq) VALUES (?, ?, ?) ON CONFLICT (fixmedins_code) "
                "DO UPDATE SET stamp = excluded.stamp, seq = excluded.seq WHERE excluded.stamp > msgid_seq.stamp "
                "OR (excluded.stamp = msgid_seq.stamp AND excluded.seq > msgid_seq.seq) RETURNING seq",
                (code, stamp, seq))


def next_position(now_stamp: str, last_stamp: str | None, last_seq: int) -> tuple[str, int]:
    """The (stamp, seq) after (last_stamp, last_seq) given the clock's stamp; pure, strictly increasing."""
    if last_stamp is None or now_stamp > last_stamp:
        return now_stamp, 1
    if last_seq < MAX_SEQ:
        return last_stamp, last_seq + 1
    following = datetime.strptime(last_stamp, MSGID_STAMP) + timedelta(seconds=1)
    return msgid_stamp(following), 1
