"""The sign-in cache: one 9001 per operator per day, its sign_no kept in the shared state file (and, for
the calls of this process, in memory).

A sign_no the platform refuses is forgotten (only if it is still the cached one, so a terminal that
already renewed it is not undone by another) and the next call signs in again.
"""

from __future__ import annotations

from dataclasses import dataclass

from pos_plugin.platform.state import StateStore


@dataclass(frozen=True)
class SignIn:
    """The 9001 result: the sign_no to put in every envelope of the day."""

    opter: str
    day: str
    sign_no: str
    sign_time: str


class SignInCache:
    """Per (institution, operator) the last sign-in, valid for its day."""

    def __init__(self, db: StateStore, fixmedins_code: str) -> None:
        self.db = db
        self.fixmedins_code = fixmedins_code
        # The sign-in this process last read or wrote, per operator: every platform call needs it, and a
        # file read per call was an eighth of the till's statements. Another terminal renewing the sign_no
        # is no harm: the platform refuses the old one, `forget` drops it here too, and the file is read.
        self._known: dict[str, SignIn] = {}

    def get(self, opter: str, day: str) -> SignIn | None:
        known = self._known.get(opter)
        if known is not None and known.day == day:
            return known
        rows = self.db.read(
            "SELECT opter, day, sign_no, sign_time FROM sign_in WHERE fixmedins_code = ? AND opter = ? AND day = ?",
            (self.fixmedins_code, opter, day),
        )
        if not rows:
            return None
        self._known[opter] = SignIn(**dict(rows[0]))
        return self._known[opter]

    def put(self, sign_in: SignIn) -> None:
        self._known.pop(sign_in.opter, None)  # kept only once written
        with self.db.immediate() as conn:
            conn.execute(
                "INSERT INTO sign_in (fixmedins_code, opter, day, sign_no, sign_time) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (fixmedins_code, opter) DO UPDATE SET day = excluded.day, "
                "sign_no = excluded.sign_no, sign_time = excluded.sign_time",
                (self.fixmedins_code, sign_in.opter, sign_in.day, sign_in.sign_no, sign_in.sign_time),
            )
        self._known[sign_in.opter] = sign_in

    def forget(self, opter: str, sign_no: str) -> None:
        """Drop a refused sign_no, unless another terminal already replaced it (then the file has the new one)."""
        self._known.pop(opter, None)
        with self.db.immediate() as conn:
            conn.execute(
                "DELETE FROM sign_in WHERE fixmedins_code = ? AND opter = ? AND sign_no = ?",
                (self.fixmedins_code, opter, sign_no),
            )
