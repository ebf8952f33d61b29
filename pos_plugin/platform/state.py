"""The client's durable state: one SQLite file an institution's terminals share, or one PostgreSQL
database the tills of several PCs share (`open_state` with a postgresql:// URL, state_pg.py).

It holds the msgid sequence (`msgid_seq`) and the sign-in cache (`sign_in`). Every change runs in
``BEGIN IMMEDIATE`` so two terminals (processes) or two threads never read the same counter value.
The file must live on a local disk of the machine the terminals share (SQLite's WAL needs that); tills
on different PCs share a PostgreSQL store instead.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any, Protocol

from pos_plugin.errors import JournalError
from pos_plugin.platform.state_pg import PgStateDb, is_url

_SCHEMA = """
CREATE TABLE IF NOT EXISTS msgid_seq (
    fixmedins_code TEXT PRIMARY KEY,
    stamp TEXT NOT NULL,            -- yyyyMMddHHmmss of the last msgid drawn
    seq INTEGER NOT NULL            -- its 4-digit sequence number (1..9999)
);
CREATE TABLE IF NOT EXISTS sign_in (
    fixmedins_code TEXT NOT NULL,
    opter TEXT NOT NULL,
    day TEXT NOT NULL,              -- yyyy-mm-dd (the terminal's date)
    sign_no TEXT NOT NULL,
    sign_time TEXT NOT NULL,
    PRIMARY KEY (fixmedins_code, opter)
);
"""


def _when_unlocked(step: Callable[[], object], timeout_s: float) -> None:
    """Run a setup step that SQLite's busy handler does not cover (switching to WAL while another
    connection opens the same new file), retrying briefly while the file is locked."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            step()
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.005)


class StateDb:
    """A SQLite file opened once per object; safe across threads (a lock) and processes (IMMEDIATE)."""

    def __init__(self, path: str | Path, *, schema: str = _SCHEMA, busy_timeout_s: float = 30.0) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(
                str(self.path), timeout=busy_timeout_s, isolation_level=None, check_same_thread=False
            )
            self._conn.row_factory = sqlite3.Row
            _when_unlocked(lambda: self._conn.execute("PRAGMA journal_mode=WAL"), busy_timeout_s)
            self._conn.execute("PRAGMA synchronous=FULL")
            _when_unlocked(lambda: self._conn.executescript(schema), busy_timeout_s)
        except (sqlite3.Error, OSError) as exc:
            raise JournalError(f"无法打开本地状态文件 {self.path}: {exc}") from exc

    def ensure(self, schema: str) -> None:
        """Create what `schema` adds (a component sharing this store brings its own tables)."""
        with self._lock:
            try:
                _when_unlocked(lambda: self._conn.executescript(schema), 30.0)
            except sqlite3.Error as exc:
                raise JournalError(f"无法打开本地状态文件 {self.path}: {exc}") from exc

    def write_one(self, sql: str, params: tuple[object, ...] = (), *, durable: bool = True) -> list[sqlite3.Row]:
        """One statement that is its own transaction (SQLite commits it alone, under the file's write lock):
        the rows it returns (RETURNING). `durable=False` commits it without waiting for the disk
        (synchronous=NORMAL for this statement: a kill -9 loses nothing, a power cut may lose it; the next
        durable commit on the file syncs it too) — only for a query's msgid draw (docs/till-store.md §2)."""
        with self._lock:
            try:
                if durable:
                    return list(self._conn.execute(sql, params))
                self._conn.execute("PRAGMA synchronous=NORMAL")
                try:
                    return list(self._conn.execute(sql, params))
                finally:
                    self._conn.execute("PRAGMA synchronous=FULL")
            except sqlite3.Error as exc:
                raise JournalError(f"写入本地状态文件失败 {self.path}: {exc}") from exc

    @contextmanager
    def immediate(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken before reading so concurrent writers queue up."""
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise JournalError(f"本地状态文件被锁定或损坏 {self.path}: {exc}") from exc
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except sqlite3.Error as exc:
                self._conn.execute("ROLLBACK")
                raise JournalError(f"写入本地状态文件失败 {self.path}: {exc}") from exc
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise

    def read(self, sql: str, params: tuple[object, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            try:
                return list(self._conn.execute(sql, params))
            except sqlite3.Error as exc:
                raise JournalError(f"读取本地状态文件失败 {self.path}: {exc}") from exc

    def columns(self, table: str, conn: Any = None) -> set[str]:
        """The column names of `table` (through `conn` inside a write transaction)."""
        sql = f"PRAGMA table_info({table})"
        return {row["name"] for row in (conn.execute(sql) if conn is not None else self.read(sql))}

    def trace(self, callback: Callable[[str], object] | None) -> None:
        """Call `callback` with every statement this connection runs (the benchmark counts them); None stops."""
        with self._lock:
            self._conn.set_trace_callback(callback)

    shared = False  # the terminals of one machine: no leases, every terminal recovers its own rows

    def hold_terminal(self, terminal: str) -> bool:
        """A SQLite file cannot tell whether another terminal runs: never "known to be down"."""
        return False

    def release_terminal(self, terminal: str) -> None:
        return None

    def close(self) -> None:
        with self._lock:
            self._conn.close()


class StateStore(Protocol):
    """What the journal, sale book, msgid sequence and sign-in cache need of their store."""

    shared: bool

    def immediate(self) -> Any: ...

    def write_one(self, sql: str, params: tuple[object, ...] = (), *, durable: bool = True) -> list[Any]: ...

    def ensure(self, schema: str) -> None: ...

    def read(self, sql: str, params: tuple[object, ...] = ()) -> list[Any]: ...

    def columns(self, table: str, conn: Any = None) -> set[str]: ...

    def hold_terminal(self, terminal: str) -> bool: ...

    def release_terminal(self, terminal: str) -> None: ...

    def close(self) -> None: ...


def legacy_rows(path: Path, sql: str, *, table: str) -> list[tuple[Any, ...]]:
    """Rows an older version's SQLite file holds (read-only; none when the file or its `table` is missing)."""
    if not path.exists():
        return []
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)) as old:
            if not old.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchall():
                return []
            return old.execute(sql).fetchall()
    except sqlite3.Error as exc:
        raise JournalError(f"无法读取旧的本地状态文件 {path}: {exc}") from exc


def open_state(location: str | Path, *, schema: str = _SCHEMA) -> StateStore:
    """A postgresql:// URL opens the shared PostgreSQL store; anything else is a SQLite file path."""
    if is_url(location):
        return PgStateDb(str(location), schema=schema)
    return StateDb(location, schema=schema)


def on_store(location: str | Path | StateStore, schema: str) -> StateStore:
    """A store for a component: `location` opened with `schema`, or a store already open (the terminal's one
    store, which its journal, sale book and msgid sequence share) with `schema` added to it."""
    if isinstance(location, str | Path):
        return open_state(location, schema=schema)
    location.ensure(schema)
    return location


STATE_SCHEMA = _SCHEMA  # the msgid sequence and the sign-in cache, for a store opened with more
