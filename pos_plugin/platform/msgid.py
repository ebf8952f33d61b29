"""The msgid sequence: `fixmedins_code` + ``yyyyMMddHHmmss`` + 4-digit sequence, never repeated.

The last (stamp, seq) drawn is stored per institution in the shared state file and advanced inside
``BEGIN IMMEDIATE``, so two terminals, two threads or a restarted process never draw the same msgid.
Msgids are strictly increasing: a new second restarts the sequence at 0001; a clock that stands still
or goes backwards keeps the stored stamp and counts on; after 9999 the stamp moves one second ahead.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from pos_plugin.platform.state import StateStore
from pos_plugin.platform.wire import MSGID_STAMP, msgid_stamp

MAX_SEQ = 9999


class MsgidSequence:
    """Draws unique msgids for one institution from a shared SQLite file."""

    def __init__(self, db: StateStore, fixmedins_code: str, clock: Callable[[], datetime] = datetime.now) -> None:
        self.db = db
        self.fixmedins_code = fixmedins_code
        self.clock = clock

    def next(self) -> str:
        """Draw the next msgid (one short write transaction)."""
        now_stamp = msgid_stamp(self.clock())
        with self.db.immediate() as conn:
            row = conn.execute(
                "SELECT stamp, seq FROM msgid_seq WHERE fixmedins_code = ?", (self.fixmedins_code,)
            ).fetchone()
            stamp, seq = next_position(now_stamp, row["stamp"] if row else None, row["seq"] if row else 0)
            conn.execute(
                "INSERT INTO msgid_seq (fixmedins_code, stamp, seq) VALUES (?, ?, ?) "
                "ON CONFLICT (fixmedins_code) DO UPDATE SET stamp = excluded.stamp, seq = excluded.seq",
                (self.fixmedins_code, stamp, seq),
            )
        return f"{self.fixmedins_code}{stamp}{seq:04d}"


def next_position(now_stamp: str, last_stamp: str | None, last_seq: int) -> tuple[str, int]:
    """The (stamp, seq) after (last_stamp, last_seq) given the clock's stamp; pure, strictly increasing."""
    if last_stamp is None or now_stamp > last_stamp:
        return now_stamp, 1
    if last_seq < MAX_SEQ:
        return last_stamp, last_seq + 1
    following = datetime.strptime(last_stamp, MSGID_STAMP) + timedelta(seconds=1)
    return msgid_stamp(following), 1
