"""Deferred commit: one request's write transaction stays open until its reply is encoded.

The envelope endpoint runs its handler inside `DeferredCommit`, and writes the request's journal row in
the same transaction (`journal`) when it is open. The first `Store.write()` of the
request opens the transaction and does not commit at the end of its block; later `write()` and
`read()` blocks of the same request reuse that connection (a savepoint each). The endpoint encodes
the reply to bytes and only then calls `commit()`. So a request that is answered with an error was
rolled back, and a committed request is always answered with its encoded reply.

Serials are reserved (`Store.reserve_ids`, its own short transaction) before a request's
transaction opens; reserving while one is open would wait on SQLite's single writer, so it is
refused loudly instead (a programming error, never a user's).
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from types import TracebackType

from sqlalchemy import Connection, RootTransaction

from simulator.domain.records import TrafficEntry
from simulator.store.traffic import TrafficLog

_current: ContextVar[DeferredCommit | None] = ContextVar("yibao_deferred_commit", default=None)


class DeferredCommit:
    """Context manager: `with DeferredCommit() as pending: ...; pending.commit()`; leaving without
    `commit()` (or by an exception) rolls the request's transaction back."""

    def __init__(self, traffic: TrafficLog) -> None:
        self.traffic = traffic
        self.conn: Connection | None = None
        self.transaction: RootTransaction | None = None
        self._release: Callable[[], None] | None = None
        self._token: object | None = None

    def __enter__(self) -> DeferredCommit:
        self._token = _current.set(self)
        return self

    def adopt(self, conn: Connection, transaction: RootTransaction, release: Callable[[], None]) -> None:
        """The request's first write transaction: kept open until `commit()`; `release` gives the
        writer's turn back once the connection is closed (store/engine.py `open_write`)."""
        self.conn, self.transaction, self._release = conn, transaction, release

    def journal(self, entry: TrafficEntry) -> bool:
        """The request journal's row in this transaction (store/traffic.py `write_in`), if it is open."""
        if self.conn is None:
            return False
        self.traffic.write_in(self.conn, entry)
        return True

    def commit(self) -> None:
        if self.transaction is not None:
            self.transaction.commit()
        self._close()

    def rollback(self) -> None:
        if self.transaction is not None and self.transaction.is_active:
            self.transaction.rollback()
        self._close()

    def _close(self) -> None:
        release, self._release = self._release, None
        try:
            if self.conn is not None:
                self.conn.close()
        finally:
            self.conn, self.transaction = None, None
            if release is not None:
                release()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            self.rollback()  # no-op after commit()
        finally:
            if self._token is not None:
                _current.reset(self._token)  # type: ignore[arg-type]


def current() -> DeferredCommit | None:
    """The request's pending commit, if the caller opened one."""
    return _current.get()
