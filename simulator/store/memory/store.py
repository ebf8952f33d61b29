"""The memory store: the platform's `StorePort` (simulator/platform/ports.py) without a database, for the
fast tests of every use case (tests/platform_memory/). One unit of work at a time (a re-entrant lock, like
SQLite's single writer); a unit of work that raises restores the snapshot taken when it opened, so a
refusal changes nothing, exactly as a rolled-back transaction."""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict
from functools import cached_property
from types import TracebackType
from typing import Any

from simulator.domain.models import AppSession
from simulator.domain.records import TrafficEntry
from simulator.store.memory import money, people
from simulator.store.memory.catalogue import MemoryCatalogue
from simulator.store.memory.inspect import MemoryInspect
from simulator.store.memory.state import Tables
from simulator.store.memory.stays import MemoryStays
from simulator.store.memory.trace import MemorySalesUploads, MemoryTraceCodes


class MemoryUnitOfWork:
    """The repositories over the store's tables (platform/ports.py `UnitOfWork`)."""

    def __init__(self, t: Tables) -> None:
        self.t = t

    @cached_property
    def persons(self) -> people.MemoryPersons:
        return people.MemoryPersons(self.t)

    @cached_property
    def balances(self) -> people.MemoryBalances:
        return people.MemoryBalances(self.t)

    @cached_property
    def bindings(self) -> people.MemoryBindings:
        return people.MemoryBindings(self.t)

    @cached_property
    def pools(self) -> people.MemoryPools:
        return people.MemoryPools(self.t)

    @cached_property
    def wallets(self) -> people.MemoryWallets:
        return people.MemoryWallets(self.t)

    @cached_property
    def transfers(self) -> people.MemoryTransfers:
        return people.MemoryTransfers(self.t)

    @cached_property
    def guardianships(self) -> people.MemoryGuardianships:
        return people.MemoryGuardianships(self.t)

    @cached_property
    def visits(self) -> money.MemoryVisits:
        return money.MemoryVisits(self.t)

    @cached_property
    def stays(self) -> MemoryStays:
        return MemoryStays(self.t)

    @cached_property
    def settlements(self) -> money.MemorySettlements:
        return money.MemorySettlements(self.t)

    @cached_property
    def messages(self) -> money.MemoryMessages:
        return money.MemoryMessages(self.t)

    @cached_property
    def reference(self) -> money.MemoryReference:
        return money.MemoryReference(self.t)

    @cached_property
    def catalogue(self) -> MemoryCatalogue:
        return MemoryCatalogue(self.t)

    @cached_property
    def trace_codes(self) -> MemoryTraceCodes:
        return MemoryTraceCodes(self.t)

    @cached_property
    def sales_uploads(self) -> MemorySalesUploads:
        return MemorySalesUploads(self.t)

    @cached_property
    def signins(self) -> money.MemorySignins:
        return money.MemorySignins(self.t)

    @cached_property
    def codes(self) -> money.MemoryCodes:
        return money.MemoryCodes(self.t)

    @cached_property
    def files(self) -> money.MemoryFiles:
        return money.MemoryFiles(self.t)

    @cached_property
    def inspect(self) -> MemoryInspect:
        return MemoryInspect(self.t)


_pending: ContextVar[MemoryPending | None] = ContextVar("yibao_memory_pending", default=None)


class MemoryPending:
    """One request's deferred write transaction (store/deferred.py's contract): the first `write()` of the
    request stays open until `commit()`; leaving without it rolls everything of the request back."""

    def __init__(self, store: MemoryStore) -> None:
        self.store = store
        self.snapshot: dict[str, Any] | None = None
        self._token: object | None = None

    def __enter__(self) -> MemoryPending:
        self._token = _pending.set(self)
        return self

    def journal(self, entry: TrafficEntry) -> bool:
        """Nothing in memory survives a crash anyway: the caller records the row as for any request."""
        return False

    def commit(self) -> None:
        if self.snapshot is not None:
            self.snapshot = None
            self.store.lock.release()

    def rollback(self) -> None:
        if self.snapshot is not None:
            self.store.tables.restore(self.snapshot)
            self.snapshot = None
            self.store.lock.release()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            self.rollback()  # no-op after commit()
        finally:
            if self._token is not None:
                _pending.reset(self._token)  # type: ignore[arg-type]


class MemoryTraffic:
    """The request journal in a list (store/traffic.py's rows, same order and filters)."""

    def __init__(self) -> None:
        self.entries: list[dict[str, object]] = []

    def record(self, entry: TrafficEntry) -> None:
        row: dict[str, object] = dict(asdict(entry), id=len(self.entries) + 1)
        row["arrival"] = entry.arrival or time.time_ns()
        self.entries.append(row)

    def rows(self, fixmedins_code: str | None = None, *, since: str = "", limit: int | None = None,
             kinds: tuple[str, ...] = ()) -> list[dict[str, object]]:
        found = [r for r in sorted(self.entries, key=lambda r: (int(str(r["arrival"])), int(str(r["id"]))))
                 if (fixmedins_code is None or r["fixmedins_code"] == fixmedins_code or r["kind"] != "request")
                 and (not since or str(r["at"]) >= since) and (not kinds or r["kind"] in kinds)]
        return found[-limit:] if limit is not None else found

    def institutions(self) -> list[str]:
        return sorted({str(r["fixmedins_code"]) for r in self.entries if r["fixmedins_code"]})

    def flush(self) -> None:
        """Nothing to write (the SQL journal buffers; this one does not)."""


def _digest(kind: str, subject: str, secret: str) -> str:
    return hashlib.sha256(f"yibao-app:{kind}:{subject}:{secret}".encode()).hexdigest()


class MemoryAccess:
    """x-tif nonces, app credentials (as digests) and sessions (platform/ports.py `AccessPort`)."""

    def __init__(self) -> None:
        self.nonces: dict[str, int] = {}
        self.credentials: dict[str, dict[str, str]] = {}
        self.sessions: dict[str, AppSession] = {}

    def remember_nonce(self, nonce: str, paasid: str, now: int, forget_before: int | None = None) -> bool:
        if forget_before is not None:
            self.nonces = {n: at for n, at in self.nonces.items() if at >= forget_before}
        if nonce in self.nonces:
            return False
        self.nonces[nonce] = now
        return True

    def save_credentials(self, rows: dict[str, dict[str, str]]) -> None:
        for subject, secrets in rows.items():
            self.credentials[subject] = {k: _digest(k, subject, v) for k, v in secrets.items() if v}

    def secret_matches(self, kind: str, subject: str, secret: str) -> bool | None:
        stored = self.credentials.get(subject, {}).get(kind)
        return None if stored is None else hmac.compare_digest(stored, _digest(kind, subject, secret))

    def open_session(self, token: str, subject: str, role: str, expires_at: int, now: int) -> None:
        self.sessions = {t: s for t, s in self.sessions.items() if s.expires_at >= now}
        self.sessions[token] = AppSession(subject, role, expires_at)

    def find_session(self, token: str, now: int) -> AppSession | None:
        found = self.sessions.get(token)
        return None if found is None or found.expires_at < now else found

    def close_session(self, token: str) -> None:
        self.sessions.pop(token, None)


class MemoryShared:
    """The shared row, for one process (platform/ports.py `SharedStatePort`)."""

    def __init__(self) -> None:
        self.generation, self.offset_us = 0, 0
        self.frozen_at: str | None = None

    def read_shared(self) -> tuple[int, int, str | None]:
        return self.generation, self.offset_us, self.frozen_at

    def publish_shared(self, offset_us: int, frozen_at: str | None) -> int:
        self.generation += 1
        self.offset_us, self.frozen_at = offset_us, frozen_at
        return self.generation


class MemoryStore:
    """`StorePort` over in-process tables."""

    dialect_name = "memory"

    def __init__(self) -> None:
        self.tables = Tables()
        self.lock = threading.RLock()
        self.traffic = MemoryTraffic()
        self.access = MemoryAccess()
        self.shared_state = MemoryShared()
        self._counters: dict[str, int] = {}

    @contextmanager
    def write(self) -> Iterator[MemoryUnitOfWork]:
        """A unit of work; everything it did is undone if it raises."""
        pending = _pending.get()
        if pending is not None and pending.snapshot is None:
            self.lock.acquire()  # held until the request commits or rolls back
            pending.snapshot = self.tables.snapshot()
            yield MemoryUnitOfWork(self.tables)
            return
        with self.lock:
            snapshot = self.tables.snapshot()
            try:
                yield MemoryUnitOfWork(self.tables)
            except BaseException:
                self.tables.restore(snapshot)
                raise

    @contextmanager
    def read(self) -> Iterator[MemoryUnitOfWork]:
        with self.lock:
            yield MemoryUnitOfWork(self.tables)

    def reset(self) -> None:
        """Empty every data table (the spent nonces and the shared row stay, as in the SQL store)."""
        with self.lock:
            self.tables.clear()
            self.traffic.entries.clear()
            self._counters.clear()

    def deferred_commit(self) -> MemoryPending:
        return MemoryPending(self)

    def reserve_ids(self, kind: str, count: int, base: int) -> int:
        """Reserve `count` serials of `kind`; returns the first (the id generator's source)."""
        with self.lock:
            last = self._counters.get(kind)
            first = base if last is None else last + 1
            self._counters[kind] = first + count - 1
            return first

    def dispose(self) -> None:
        """Nothing to close."""
