"""Engine construction: SQLite (WAL, BEGIN IMMEDIATE for writes) or PostgreSQL (psycopg 3)."""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, RootTransaction, create_engine, event, insert, select

from simulator.store.metadata import metadata
from simulator.store.tables import SCHEMA_VERSION, schema_version

_IMMEDIATE = "simulator_immediate"


def normalise_url(url: str) -> str:
    """Accept `postgresql://` and `postgres://` (rewritten to psycopg 3) and bare SQLite file paths."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://"):]
    if "://" not in url:
        return f"sqlite:///{url}"
    return url


class WriterQueue:
    """SQLite has one writer at a time. A writer that finds the lock taken waits in SQLite's busy handler,
    which sleeps in growing steps (up to 100 ms) and so turns a queue of eight writers into stalls of
    hundreds of milliseconds. Writers queue here instead, before BEGIN IMMEDIATE: on a thread lock within
    the process and on an flock(2) of `<db>.writers` across processes (gunicorn workers, a seed run),
    both of which hand over the moment the previous writer commits. The busy timeout stays as the
    backstop for writers outside this code (the sqlite3 shell)."""

    def __init__(self, database: str | None) -> None:
        self.path = f"{database}.writers" if database and database != ":memory:" else None
        self._pid = -1
        self._lock = threading.RLock()
        self._depth = threading.local()
        self._fd: int | None = None

    def _fresh(self) -> None:
        """After a fork the child needs its own lock and its own open file (flock is per open file)."""
        if self._pid != os.getpid():
            self._pid, self._lock, self._depth, self._fd = os.getpid(), threading.RLock(), threading.local(), None

    @contextmanager
    def turn(self) -> Iterator[None]:
        self._fresh()
        with self._lock:
            depth = getattr(self._depth, "n", 0)
            self._depth.n = depth + 1
            try:
                if depth == 0:
                    self._flock(True)
                try:
                    yield
                finally:
                    if depth == 0:
                        self._flock(False)
            finally:
                self._depth.n = depth

    def _flock(self, take: bool) -> None:
        if self.path is None or _fcntl is None:
            return
        if self._fd is None:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        _fcntl.flock(self._fd, _fcntl.LOCK_EX if take else _fcntl.LOCK_UN)


try:
    import fcntl as _fcntl
except ImportError:  # Windows: the thread lock alone (one process there: Werkzeug)
    _fcntl = None  # type: ignore[assignment]

_WRITERS: weakref.WeakKeyDictionary[Engine, WriterQueue] = weakref.WeakKeyDictionary()
# The same engine (same pool) with BEGIN IMMEDIATE set once: per connection, `execution_options` costs
# ~80 µs, paid by every request that writes.
_IMMEDIATE_ENGINE: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()


def make_engine(url: str) -> Engine:
    """One engine per app, reused by every request."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    return create_engine(url, pool_size=16, max_overflow=32, pool_pre_ping=False)


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                           pool_size=16, max_overflow=32)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get(_IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    _WRITERS[engine] = WriterQueue(engine.url.database)
    _IMMEDIATE_ENGINE[engine] = engine.execution_options(**{_IMMEDIATE: True})
    return engine


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


@contextmanager
def write_connection(engine: Engine) -> Iterator[Connection]:
    """A connection in a write transaction: BEGIN IMMEDIATE on SQLite (serialises writers)."""
    queue = _WRITERS.get(engine)
    if queue is None:
        with engine.connect() as conn, conn.begin():
            yield conn
        return
    with queue.turn(), _IMMEDIATE_ENGINE[engine].connect() as conn, conn.begin():
        yield conn


def open_write(engine: Engine) -> tuple[Connection, RootTransaction, Callable[[], None]]:
    """A connection with a write transaction begun, and the call that gives the writer's turn back: the
    caller commits or rolls back, closes the connection, then calls it. On SQLite the turn is taken in
    the `WriterQueue` first, as `write_connection` does: a request's transaction that waited in SQLite's
    busy handler instead would sleep in its growing steps (the tail of a sale at 8 connections)."""
    turn = ExitStack()
    queue = _WRITERS.get(engine)
    if queue is not None:
        turn.enter_context(queue.turn())
    try:
        conn = _IMMEDIATE_ENGINE.get(engine, engine).connect()
    except BaseException:
        turn.close()
        raise
    try:
        return conn, conn.begin(), turn.close
    except BaseException:
        conn.close()
        turn.close()
        raise


@contextmanager
def read_connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn, conn.begin():
        yield conn


def create_schema(engine: Engine) -> None:
    """Create missing tables and record the schema version (refuses a newer unknown schema)."""
    metadata.create_all(engine, checkfirst=True)
    for table in metadata.sorted_tables:  # indexes added to existing tables since they were created
        for index in table.indexes:
            index.create(engine, checkfirst=True)
    with write_connection(engine) as conn:
        found = conn.execute(select(schema_version.c.version)).scalars().all()
        if not found:
            conn.execute(insert(schema_version).values(version=SCHEMA_VERSION))
        elif max(found) > SCHEMA_VERSION:
            raise RuntimeError(f"database schema version {max(found)} is newer than this simulator "
                               f"({SCHEMA_VERSION})")
