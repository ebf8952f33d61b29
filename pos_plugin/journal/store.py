"""The journal: a SQLite file recording every money-moving request BEFORE it is sent, and its outcome.

States of a row (one row per msgid):

    pending ──reply──▶ done          the platform answered success (setl_id recorded)
       │    ─refused─▶ failed        infcode -1, or the request never left: nothing moved
       │    ─lost───▶ unknown        timeout / dropped / unreadable reply: maybe committed
       └─(crash: stays pending)
    pending|unknown ──2601 answered──▶ reversed   the platform undid it or marked the msgid dead
    pending|unknown ──5203 found it──▶ confirmed  it committed; counted like done

`pending` and `unknown` rows are the ones recovery must resolve; nothing else is ever re-sent.
Requests and replies are stored with names and ID/card numbers masked (pos_plugin.pii): the journal
keeps the ids and amounts recovery and reconciliation need, no more; `purge` drops closed rows.
The sale book (`sales`, pos_plugin.journal.sales) lives in the same file: an answered revoke marks its
sale revoked in the same transaction, and an answered settlement with no sale-book row is what
`Till.recover` books after a crash.
The journal implements `pos_plugin.platform.MoneyRecorder`, so the client writes it itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from pos_plugin.errors import JournalError, PosError
from pos_plugin.journal.sales import SALES_SCHEMA
from pos_plugin.pii import mask_record, mask_text
from pos_plugin.platform.state import StateStore, on_store
from pos_plugin.platform.wire import to_wire

PENDING, DONE, FAILED, UNKNOWN, REVERSED, CONFIRMED = "pending", "done", "failed", "unknown", "reversed", "confirmed"
UNRESOLVED = (PENDING, UNKNOWN)
SETTLES = ("2102", "2207", "2304")
REVOKES = ("2103", "2208", "2305")
SALE_SETTLES = ("2102", "2207")  # the sale book's settlements (a stay's 2304 is booked in the stay book)
SALE_REVOKES = ("2103", "2208")
# setlinfo amounts kept per row for day-end reconciliation (revokes use psn_pay/cash_payamt names).
AMOUNTS = ("medfee_sumamt", "fund_pay_sumamt", "psn_part_amt", "acct_pay", "acct_mulaid_pay", "wallet_pay",
           "psn_cash_pay")
_ALIASES = {"psn_part_amt": "psn_pay", "psn_cash_pay": "cash_payamt"}

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS journal (
    msgid TEXT PRIMARY KEY,
    infno TEXT NOT NULL,
    terminal TEXT NOT NULL,
    psn_no TEXT NOT NULL,
    insuplc TEXT NOT NULL,
    request TEXT NOT NULL,              -- the envelope as sent (JSON)
    state TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    orig_setl_id TEXT,                  -- for revokes: the settlement revoked
    setl_id TEXT, mdtrt_id TEXT, insutype TEXT, clr_type TEXT, clr_optins TEXT, setl_time TEXT,
    {", ".join(f"{name} TEXT" for name in AMOUNTS)},
    reply TEXT,                         -- output JSON of a successful reply
    error TEXT,                         -- the last error seen (code: message)
    reversal_sent INTEGER NOT NULL DEFAULT 0  -- a 2601 was sent for it: only an answered 2601 resolves it
);
CREATE INDEX IF NOT EXISTS journal_state ON journal (state);
CREATE INDEX IF NOT EXISTS journal_setl_time ON journal (setl_time);
""" + SALES_SCHEMA
CLOSED = (DONE, FAILED, REVERSED, CONFIRMED)


@dataclass(frozen=True)
class Entry:
    """One journal row, amounts as Decimal."""

    msgid: str
    infno: str
    terminal: str
    psn_no: str
    insuplc: str
    state: str
    created_at: str
    updated_at: str
    request: dict[str, Any]
    orig_setl_id: str | None
    setl_id: str | None
    mdtrt_id: str | None
    insutype: str | None
    clr_type: str | None
    clr_optins: str | None
    setl_time: str | None
    amounts: dict[str, Decimal]
    error: str | None
    reversal_sent: bool = False
    reply: dict[str, Any] = field(default_factory=dict)  # the answered output (names and ID numbers masked)


class Journal:
    """The durable record of money-moving requests for one terminal (`terminal` names it)."""

    def __init__(self, path: str | Path | StateStore, *, terminal: str = "default",
                 clock: Callable[[], datetime] = datetime.now) -> None:
        """`path`: the SQLite file, or a postgresql:// URL of the store the tills of several PCs share, or a store
        already open (the terminal's one store, shared with its msgid sequence and sale book). On the shared
        store this process takes the terminal's lease (docs/till-store.md): one process per terminal."""
        self.db = on_store(path, _SCHEMA)
        self._kinds: dict[str, str] = {}  # infno of each request this process journaled, until it is answered
        _add_column(self.db, "reversal_sent INTEGER NOT NULL DEFAULT 0")  # a journal written before it existed
        self.terminal = terminal
        self.clock = clock
        if self.db.shared and not self.db.hold_terminal(terminal):
            self.db.close()
            raise JournalError(f"终端 {terminal} 正在另一进程（或另一台电脑）上运行：同一终端编号同时只能开一个")

    @contextmanager
    def leased(self, terminal: str) -> Iterator[bool]:
        """True while this process holds `terminal`'s lease: no process runs that terminal, so its lost
        replies may be resolved here. Always False on a SQLite file (it cannot know)."""
        held = terminal != self.terminal and self.db.hold_terminal(terminal)
        try:
            yield held
        finally:
            if held:
                self.db.release_terminal(terminal)

    def other_terminals_unresolved(self) -> list[str]:
        """Terminals other than this one with unresolved rows (shared store only: a file's are its own)."""
        if not self.db.shared:
            return []
        rows = self.db.read("SELECT DISTINCT terminal FROM journal WHERE state IN (?, ?) AND terminal <> ? "
                            "ORDER BY terminal", (*UNRESOLVED, self.terminal))
        return [row["terminal"] for row in rows]

    # --- MoneyRecorder -------------------------------------------------------------------------
    def before_send(self, msgid: str, infno: str, psn_no: str, envelope: Mapping[str, Any]) -> None:
        """Write the row (state pending) before the request leaves; a failure here stops the send."""
        with self._write() as conn:
            self._insert_pending(conn, msgid, infno, psn_no, envelope)

    def reserve(self, infno: str, psn_no: str, draw: Callable[[Any], str],
                envelope_for: Callable[[str], Mapping[str, Any]]) -> tuple[str, Mapping[str, Any]]:
        """Draw the msgid (`draw(conn)`, the msgid sequence on this store) and write its pending row in one
        transaction, before the request leaves: one commit where there were two, and no msgid is ever drawn
        without its row or journaled without being drawn."""
        with self._write() as conn:
            msgid = draw(conn)
            envelope = envelope_for(msgid)
            self._insert_pending(conn, msgid, infno, psn_no, envelope)
        return msgid, envelope

    def _insert_pending(self, conn: Any, msgid: str, infno: str, psn_no: str, envelope: Mapping[str, Any]) -> None:
        data = envelope.get("input", {}).get("data") or {}
        now = self._now()
        conn.execute(
            "INSERT INTO journal (msgid, infno, terminal, psn_no, insuplc, request, state, created_at, "
            "updated_at, orig_setl_id, mdtrt_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (msgid, infno, self.terminal, psn_no, str(envelope.get("insuplc_admdvs") or ""),
             json.dumps(mask_record(to_wire(envelope)), ensure_ascii=False), PENDING, now, now,
             data.get("setl_id") if infno in REVOKES else None, data.get("mdtrt_id")),
        )
        self._kinds[msgid] = infno

    def after_reply(self, msgid: str, output: Mapping[str, Any]) -> None:
        self._record_result(msgid, output, DONE, expect=(PENDING,))

    def after_refusal(self, msgid: str, error: PosError) -> None:
        self._set_state(msgid, FAILED, str(error), expect=(PENDING,))

    def after_unknown(self, msgid: str, error: PosError) -> None:
        self._set_state(msgid, UNKNOWN, str(error), expect=(PENDING,))

    # --- recovery ------------------------------------------------------------------------------
    def mark_reversed(self, msgid: str, note: str = "") -> None:
        self._set_state(msgid, REVERSED, note or None, expect=UNRESOLVED + (REVERSED,))

    def mark_confirmed(self, msgid: str, output: Mapping[str, Any]) -> None:
        self._record_result(msgid, output, CONFIRMED, expect=UNRESOLVED + (CONFIRMED,))

    def note_error(self, msgid: str, error: str) -> None:
        """Remember why a recovery attempt failed (the row stays unresolved)."""
        with self._write() as conn:
            conn.execute("UPDATE journal SET error = ?, updated_at = ? WHERE msgid = ?",
                         (mask_text(error), self._now(), msgid))

    def note_reversal_sent(self, msgid: str) -> None:
        """Written before a 2601 leaves: from then on only an answered 2601 resolves the row (a status
        query proves nothing while the 2601 may still land)."""
        with self._write() as conn:
            conn.execute("UPDATE journal SET reversal_sent = 1, updated_at = ? WHERE msgid = ?", (self._now(), msgid))

    def purge(self, older_than: datetime) -> int:
        """Drop closed rows (done, failed, reversed, confirmed) last changed before `older_than`; unresolved
        rows are never dropped. Returns how many rows went."""
        marks = ", ".join("?" for _ in CLOSED)
        with self._write() as conn:
            return int(conn.execute(f"DELETE FROM journal WHERE state IN ({marks}) AND updated_at < ?",
                                    (*CLOSED, older_than.isoformat(timespec="seconds"))).rowcount)

    def unbooked_settlements(self) -> list[Entry]:
        """Answered sale settlements (2102/2207) of this terminal still in effect (no answered revoke) that the
        sale book lacks: a crash after the reply and before the sale was booked."""
        return self._in_effect(SALE_SETTLES, "AND NOT EXISTS (SELECT 1 FROM sales s WHERE s.setl_id = j.setl_id) ")

    def answered(self, infnos: tuple[str, ...], *, institution: str = "") -> list[Entry]:
        """This terminal's answered (done, or confirmed through 5203) rows of `infnos`, oldest first; with
        `institution` (its fixmedins_code, the head of its msgids) only that institution's (one state directory
        may hold the journals of several)."""
        marks = ", ".join("?" for _ in infnos)
        rows = self.db.read(f"SELECT * FROM journal WHERE terminal = ? AND infno IN ({marks}) AND state IN (?, ?) "
                            "ORDER BY msgid", (self.terminal, *infnos, DONE, CONFIRMED))
        return [_entry(row) for row in rows if row["msgid"].startswith(institution)]

    def stay_settlements_in_effect(self) -> list[Entry]:
        """Answered stay settlements (2304) of this terminal with no answered revoke (the stay book checks
        which of them it lacks)."""
        return self._in_effect(("2304",), "")

    def _in_effect(self, infnos: tuple[str, ...], also: str) -> list[Entry]:
        settles, revokes = ", ".join("?" for _ in infnos), ", ".join("?" for _ in REVOKES)
        rows = self.db.read(
            f"SELECT * FROM journal j WHERE j.terminal = ? AND j.infno IN ({settles}) AND j.state IN (?, ?) "
            f"AND j.setl_id IS NOT NULL {also}"
            f"AND NOT EXISTS (SELECT 1 FROM journal r WHERE r.orig_setl_id = j.setl_id AND r.infno IN ({revokes}) "
            "AND r.state IN (?, ?)) ORDER BY j.msgid", (self.terminal, *infnos, DONE, CONFIRMED, *REVOKES, DONE, CONFIRMED))
        return [_entry(row) for row in rows]

    def revoke_in_effect(self, setl_id: str, *, institution: str) -> Entry | None:
        """The answered (done or confirmed) revoke of a settlement, if the journal holds one.

        Only `institution`'s revokes count (its fixmedins_code, the head of its msgids), and only one sent after the institution's latest answered settlement carrying `setl_id`: one state directory
        holds the journals of every institution the machine's tills settle for, and a platform that was reset (the
        simulator reloading a world) hands out a setl_id again — an old revoke of another settlement under the same
        id must not stop this one."""
        revokes = ", ".join("?" for _ in REVOKES)
        rows = self.db.read(f"SELECT * FROM journal WHERE orig_setl_id = ? AND infno IN ({revokes}) AND state IN (?, ?)"
                            " ORDER BY msgid", (setl_id, *REVOKES, DONE, CONFIRMED))
        settles = ", ".join("?" for _ in SETTLES)
        settled = [row["msgid"] for row in self.db.read(
            f"SELECT msgid FROM journal WHERE setl_id = ? AND infno IN ({settles}) AND state IN (?, ?)",
            (setl_id, *SETTLES, DONE, CONFIRMED)) if row["msgid"].startswith(institution)]
        latest = max(settled, default="")
        rows = [row for row in rows if row["msgid"].startswith(institution) and row["msgid"] > latest]
        return _entry(rows[-1]) if rows else None

    # --- reading -------------------------------------------------------------------------------
    def get(self, msgid: str) -> Entry:
        rows = self.db.read("SELECT * FROM journal WHERE msgid = ?", (msgid,))
        if not rows:
            raise JournalError(f"交易日志中没有流水号 {msgid}")
        return _entry(rows[0])

    def unresolved(self, *, all_terminals: bool = False, terminal: str | None = None) -> list[Entry]:
        """Rows whose outcome is not known yet (pending or unknown), oldest first: this terminal's, or
        `terminal`'s, or every terminal's."""
        sql = "SELECT * FROM journal WHERE state IN (?, ?)"
        params: tuple[object, ...] = UNRESOLVED
        if not all_terminals:
            sql, params = sql + " AND terminal = ?", params + (terminal or self.terminal,)
        return [_entry(row) for row in self.db.read(sql + " ORDER BY msgid", params)]

    def entries(self, *, states: tuple[str, ...] = (DONE, CONFIRMED)) -> list[Entry]:
        marks = ", ".join("?" for _ in states)
        return [_entry(r) for r in self.db.read(f"SELECT * FROM journal WHERE state IN ({marks}) ORDER BY msgid", states)]

    def close(self) -> None:
        self.db.close()

    # --- internals -----------------------------------------------------------------------------
    def _record_result(self, msgid: str, output: Mapping[str, Any], state: str, *, expect: tuple[str, ...]) -> None:
        """The answer on the row; an answered revoke marks its sale revoked in the same transaction. A
        settlement this process journaled is one statement that commits alone (nothing else to change)."""
        info = output.get("setlinfo") or {}
        marks = ", ".join("?" for _ in expect)
        values = [_text(info.get(name, info.get(_ALIASES.get(name, "")))) for name in AMOUNTS]
        sql = (f"UPDATE journal SET state = ?, updated_at = ?, reply = ?, setl_id = ?, "
               f"mdtrt_id = COALESCE(?, mdtrt_id), insutype = ?, clr_type = ?, clr_optins = ?, setl_time = ?, "
               f"{', '.join(f'{name} = ?' for name in AMOUNTS)} WHERE msgid = ? AND state IN ({marks}) "
               "RETURNING infno, orig_setl_id")
        params = (state, self._now(), json.dumps(mask_record(to_wire(output)), ensure_ascii=False),
                  _text(info.get("setl_id")), _text(info.get("mdtrt_id")), _text(info.get("insutype")),
                  _text(info.get("clr_type")), _text(info.get("clr_optins")), _text(info.get("setl_time")), *values,
                  msgid, *expect)
        kind = self._kinds.pop(msgid, None)
        if kind is not None and kind not in REVOKES:
            if not self.db.write_one(sql, params):
                raise JournalError(f"交易日志状态冲突：流水号 {msgid} 不能记为 {state}")
            return
        with self._write() as conn:
            rows = list(conn.execute(sql, params))
            if len(rows) != 1:
                raise JournalError(f"交易日志状态冲突：流水号 {msgid} 不能记为 {state}")
            if rows[0]["infno"] in REVOKES and rows[0]["orig_setl_id"]:  # the sale book follows an answered revoke
                conn.execute("UPDATE sales SET state = 'revoked' WHERE setl_id = ?", (rows[0]["orig_setl_id"],))

    def _set_state(self, msgid: str, state: str, error: str | None, *, expect: tuple[str, ...]) -> None:
        self._kinds.pop(msgid, None)
        marks = ", ".join("?" for _ in expect)
        with self._write() as conn:
            updated = conn.execute(
                f"UPDATE journal SET state = ?, error = COALESCE(?, error), updated_at = ? "
                f"WHERE msgid = ? AND state IN ({marks})",
                (state, None if error is None else mask_text(error), self._now(), msgid, *expect),
            ).rowcount
            if updated != 1:
                raise JournalError(f"交易日志状态冲突：流水号 {msgid} 不能记为 {state}")

    def _write(self) -> Any:
        return self.db.immediate()

    def _now(self) -> str:
        return self.clock().isoformat(timespec="seconds")


def _text(value: object) -> str | None:
    if value is None or value == "":
        return None
    return f"{value:f}" if isinstance(value, Decimal) else str(value)


def _entry(row: Any) -> Entry:
    return Entry(
        msgid=row["msgid"], infno=row["infno"], terminal=row["terminal"], psn_no=row["psn_no"],
        insuplc=row["insuplc"], state=row["state"], created_at=row["created_at"], updated_at=row["updated_at"],
        request=json.loads(row["request"]), orig_setl_id=row["orig_setl_id"], setl_id=row["setl_id"],
        mdtrt_id=row["mdtrt_id"], insutype=row["insutype"], clr_type=row["clr_type"], clr_optins=row["clr_optins"],
        setl_time=row["setl_time"], error=row["error"],
        amounts={name: Decimal(row[name]) for name in AMOUNTS if row[name] is not None},
        reversal_sent=bool(row["reversal_sent"]), reply=json.loads(row["reply"]) if row["reply"] else {},
    )


def _add_column(db: StateStore, column: str) -> None:
    """Add a column to `journal` if a file written by an older version lacks it."""
    name = column.split()[0]
    if name in db.columns("journal"):
        return
    with db.immediate() as conn:  # checked again under the write lock: another process may have added it
        if name not in db.columns("journal", conn):
            conn.execute(f"ALTER TABLE journal ADD COLUMN {column}")
