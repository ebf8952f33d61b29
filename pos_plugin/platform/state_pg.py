"""The till's shared store on PostgreSQL (`--state-db postgresql://…`): the only module that imports psycopg.

Tills on several PCs of one institution keep one set of books in one database: the msgid sequence, the
sign-in cache, the journal, the sale book and the agent's idempotency keys (the same tables and SQL as
the SQLite file, `?` placeholders translated). Writes are serialized like SQLite's ``BEGIN IMMEDIATE``:
every write transaction first takes one transaction-level advisory lock, so two tills never draw the
same msgid or interleave a journal row.

A terminal's lease (`hold_terminal`) is a session-level advisory lock held by the process that runs the
terminal; PostgreSQL drops it when that process's connection ends, kill -9 and power cut included. A
till may resolve another terminal's lost replies only while it holds that terminal's lease, that is
only when no process is running that terminal (docs/till-store.md).
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pos_plugin.errors import JournalError

WRITE_LOCK = "yibao-till-store"  # the one advisory lock every write transaction takes
POSTGRES_MISSING = "使用 PostgreSQL 共享账本需要 psycopg：pip install 'yibao-pos[postgres]'"
_BEGIN = f"BEGIN; SELECT pg_advisory_xact_lock(hashtext('{WRITE_LOCK}'))"
_SQLITE_ONLY = {"(datetime('now'))": "(to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'))"}


def is_url(location: object) -> bool:
    return isinstance(location, str) and location.startswith(("postgresql://", "postgres://"))


def _sql(text: str, params: tuple[object, ...]) -> tuple[str, tuple[object, ...] | None]:
    """SQLite's `?` placeholders as psycopg's `%s` (the till's SQL has no other `?`); without parameters
    the text goes as it is (a `LIKE 'LOCAL-%'` needs no escaping then)."""
    if not params:
        return text, None
    return text.replace("%", "%%").replace("?", "%s"), params


class PgConnection:
    """The connection inside one write transaction: `execute` as sqlite3's (rowcount, fetchone, rows)."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def execute(self, sql: str, params: tuple[object, ...] = ()) -> Any:
        return self._conn.execute(*_sql(sql, params))


class PgStateDb:
    """One PostgreSQL connection per object; safe across threads (a lock) and tills (an advisory lock)."""

    def __init__(self, url: str, *, schema: str, busy_timeout_s: float = 30.0) -> None:
        try:
            psycopg = importlib.import_module("psycopg")
            rows = importlib.import_module("psycopg.rows")
        except ImportError as exc:
            raise JournalError(POSTGRES_MISSING) from exc
        self.path = url.split("@")[-1]  # for messages: host/database, never the password
        self._error = psycopg.Error
        self._lock = threading.Lock()
        try:
            self._conn = psycopg.connect(url, autocommit=True, row_factory=rows.dict_row,
                                         connect_timeout=max(1, int(busy_timeout_s)))
            self._conn.execute(f"SET lock_timeout = '{int(busy_timeout_s * 1000)}ms'")
        except psycopg.Error as exc:
            raise JournalError(f"无法连接共享账本数据库 {self.path}: {exc}") from exc
        self.ensure(schema)

    def ensure(self, schema: str) -> None:
        """Create what `schema` adds (a component sharing this store brings its own tables)."""
        for old, new in _SQLITE_ONLY.items():
            schema = schema.replace(old, new)
        with self.immediate() as conn:
            for statement in (s.strip() for s in schema.split(";")):
                if statement and not all(line.strip().startswith("--") for line in statement.splitlines()):
                    conn.execute(statement)

    def write_one(self, sql: str, params: tuple[object, ...] = (), *, durable: bool = True) -> list[Any]:
        """One statement as its own write transaction (under the store's write lock, as every write): the rows
        it returns (RETURNING). Always durable here: the store is shared by tills that restart independently."""
        with self.immediate() as conn:
            return list(conn.execute(sql, params))

    @contextmanager
    def immediate(self) -> Iterator[PgConnection]:
        """One write transaction, taken before reading so concurrent writers (every till) queue up."""
        with self._lock:
            try:
                self._conn.execute(_BEGIN)  # one round trip: BEGIN and the lock
            except self._error as exc:
                self._rollback()
                raise JournalError(f"共享账本数据库被锁定或不可用 {self.path}: {exc}") from exc
            try:
                yield PgConnection(self._conn)
                self._conn.execute("COMMIT")
            except self._error as exc:
                self._rollback()
                raise JournalError(f"写入共享账本数据库失败 {self.path}: {exc}") from exc
            except BaseException:
                self._rollback()
                raise

    def read(self, sql: str, params: tuple[object, ...] = ()) -> list[Any]:
        with self._lock:
            try:
                return list(self._conn.execute(*_sql(sql, params)))
            except self._error as exc:
                raise JournalError(f"读取共享账本数据库失败 {self.path}: {exc}") from exc

    def columns(self, table: str, conn: PgConnection | None = None) -> set[str]:
        """The column names of `table` (through `conn` inside a write transaction)."""
        sql, params = "SELECT column_name FROM information_schema.columns WHERE table_name = ?", (table,)
        rows = conn.execute(sql, params) if conn is not None else self.read(sql, params)
        return {row["column_name"] for row in rows}

    shared = True  # tills on several PCs: a terminal's lease says whether a process runs it

    def hold_terminal(self, terminal: str) -> bool:
        """Take `terminal`'s lease for the life of this connection; False while another process holds it."""
        rows = self.read("SELECT pg_try_advisory_lock(hashtext(?)) AS held", (f"yibao-terminal:{terminal}",))
        return bool(rows[0]["held"])

    def release_terminal(self, terminal: str) -> None:
        self.read("SELECT pg_advisory_unlock(hashtext(?)) AS released", (f"yibao-terminal:{terminal}",))

    def close(self) -> None:
        """Give the leases back before closing: the server drops a closed session's locks only when its
        backend has finished exiting, so without this another till could still find them held."""
        with self._lock:
            try:
                self._conn.execute("SELECT pg_advisory_unlock_all()")
            except self._error:
                pass  # a broken connection: its backend is gone or going, and its locks with it
            self._conn.close()

    def _rollback(self) -> None:
        try:
            self._conn.execute("ROLLBACK")
        except self._error:
            pass
