"""Engine construction: SQLite (WAL, BEGIN IMMEDIATE for writes) or PostgreSQL (psycopg 3)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, RootTransaction, create_engine, event, insert, select, text

from simulator.store.tables import SCHEMA_VERSION, metadata, schema_version

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

    return engine


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


@contextmanager
def write_connection(engine: Engine) -> Iterator[Connection]:
    """A connection in a write transaction: BEGIN IMMEDIATE on SQLite (serialises writers)."""
    with engine.connect() as conn:
        if is_sqlite(engine):
            conn.execution_options(**{_IMMEDIATE: True})
        with conn.begin():
            yield conn


def open_write(engine: Engine) -> tuple[Connection, RootTransaction]:
    """A connection with a write transaction begun; the caller commits or rolls back and closes it."""
    conn = engine.connect()
    try:
        if is_sqlite(engine):
            conn.execution_options(**{_IMMEDIATE: True})
        return conn, conn.begin()
    except BaseException:
        conn.close()
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


def ping(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
