"""The request journal: every envelope the platform received and what it answered, plus fault events.

It is what the console's journal shows and what the conformance audit (`simulator/audit/`) reads.
Requests and replies are kept as sent (the audit needs the full text, e.g. to spot a full ID number);
they are masked only when displayed (`simulator.audit.masking`).

A request that changed data writes its row in its own transaction (`write_in`, one pre-compiled INSERT
on the connection it already holds): it is never lost, whatever happens after the commit. Every other
row (refusals, queries that wrote nothing, fault events) costs one dict appended to an in-memory list
under a lock; a daemon thread writes the list in one short transaction every `FLUSH_SECONDS` (or when it
reaches `FLUSH_ROWS`); every read flushes first, so a reader in the same process always sees every
request already answered. A crash can lose only queued rows: exchanges that changed nothing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, insert, select

from simulator.domain.records import TrafficEntry
from simulator.store.compiled import Prepared
from simulator.store.engine import read_connection, write_connection
from simulator.store.rows import values_of
from simulator.store.tables_traffic import traffic

FLUSH_SECONDS = 0.2
FLUSH_ROWS = 200

COLUMNS = tuple(c.name for c in traffic.columns if c.name != "id")
_WIDTH: dict[str, int] = {c.name: int(length) for c in traffic.columns
                          if (length := getattr(c.type, "length", None)) is not None}


class TrafficLog:
    """Buffered writer and reader of the `traffic` table for one engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._pending: list[dict[str, Any]] = []
        self._wake = threading.Event()
        self._stopped = False
        self._thread: threading.Thread | None = None
        self._insert: Prepared | None = None

    def write_in(self, conn: Connection, entry: TrafficEntry) -> None:
        """Write one row now, in the caller's open write transaction (a request that changed data: the row
        commits or rolls back with it). A pre-compiled INSERT on the driver connection (store/compiled.py)."""
        prepared = self._insert
        if prepared is None:
            prepared = self._insert = Prepared(insert(traffic).values({c: bindparam(c) for c in COLUMNS}),
                                               self.engine.dialect)
        driver: Any = conn.connection.driver_connection
        driver.cursor().execute(prepared.sql, prepared.params(_row(entry)))

    def record(self, entry: TrafficEntry) -> None:
        """Queue one row (written off the request's path by the flush thread)."""
        full = _row(entry)
        with self._lock:
            self._pending.append(full)
            size = len(self._pending)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="traffic-flush", daemon=True)
                self._thread.start()
        if size >= FLUSH_ROWS:
            self._wake.set()

    def _run(self) -> None:
        while not self._stopped:
            self._wake.wait(FLUSH_SECONDS)
            self._wake.clear()
            try:
                self.flush()
            except Exception:  # noqa: BLE001 - a failed flush keeps the rows for the next attempt
                continue

    def flush(self) -> None:
        """Write every queued row (one transaction)."""
        with self._flush_lock:
            with self._lock:
                rows, self._pending = self._pending, []
            if not rows:
                return
            try:
                with write_connection(self.engine) as conn:
                    conn.execute(insert(traffic), rows)
            except Exception:
                with self._lock:
                    self._pending[:0] = rows
                raise

    @contextmanager
    def emptying(self) -> Iterator[None]:
        """While the store empties its tables: queued rows are dropped and no flush can slip in between."""
        with self._flush_lock:
            with self._lock:
                self._pending.clear()
            yield

    def rows(self, fixmedins_code: str | None = None, *, since: str = "", limit: int | None = None,
             kinds: tuple[str, ...] = ()) -> list[dict[str, Any]]:
        """Rows in arrival order (the last `limit`); with an institution, its requests plus the fault events."""
        self.flush()
        stmt = select(traffic).order_by(traffic.c.arrival, traffic.c.id)
        if fixmedins_code is not None:
            stmt = stmt.where((traffic.c.fixmedins_code == fixmedins_code) | (traffic.c.kind != "request"))
        if since:
            stmt = stmt.where(traffic.c.at >= since)
        if kinds:
            stmt = stmt.where(traffic.c.kind.in_(kinds))
        if limit is not None:
            stmt = stmt.order_by(None).order_by(traffic.c.arrival.desc(), traffic.c.id.desc()).limit(limit)
        with read_connection(self.engine) as conn:
            found = [dict(r._mapping) for r in conn.execute(stmt)]
        return found[::-1] if limit is not None else found

    def institutions(self) -> list[str]:
        self.flush()
        with read_connection(self.engine) as conn:
            stmt = select(traffic.c.fixmedins_code).where(traffic.c.fixmedins_code != "").distinct()
            return sorted(str(c) for c in conn.execute(stmt).scalars())

    def close(self) -> None:
        self._stopped = True
        self._wake.set()
        self.flush()


def _row(entry: TrafficEntry) -> dict[str, Any]:
    """The row of one entry. Texts are stored as any database can hold them (a NUL or a lone surrogate from
    a hostile request would otherwise fail the whole batch, on every retry)."""
    row = values_of(entry)
    full = {name: _storable(row.get(name, ""), _WIDTH.get(name)) for name in COLUMNS}
    full["http_status"] = int(entry.http_status or 0)
    full["arrival"] = int(entry.arrival or time.time_ns())
    return full


def _storable(value: Any, width: int | None = None) -> Any:
    """NUL as the text `\\u0000` (PostgreSQL text cannot hold it), lone surrogates backslash-escaped, and
    no longer than the column (PostgreSQL refuses an over-long varchar)."""
    if not isinstance(value, str):
        return value
    text = value.replace("\x00", "\\u0000").encode("utf-8", "backslashreplace").decode("utf-8")
    return text[:width] if width else text
