"""The store object hung on the app: one engine, short transactions, id counters, reset."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property

from sqlalchemy import Connection, Engine, delete, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from simulator.domain.models import AppSession
from simulator.domain.refusals import Duplicate
from simulator.store import deferred, repositories, tables_app, tables_gate  # registers their tables
from simulator.store import shared as _shared  # puts the shared_state table on `metadata`
from simulator.store.catalogue_repo import SqlCatalogue
from simulator.store.compiled import Statements
from simulator.store.engine import (
    create_schema,
    is_sqlite,
    make_engine,
    open_write,
    read_connection,
    write_connection,
)
from simulator.store.inspection import InspectQueries
from simulator.store.sales_repo import SqlSalesUploads
from simulator.store.stays import SqlStays
from simulator.store.tables import id_counters, metadata
from simulator.store.trace_repo import SqlTraceCodes
from simulator.store.traffic import TrafficLog
from simulator.store.tx_family import FamilyQueries
from simulator.store.tx_money import MoneyQueries
from simulator.store.tx_people import PeopleQueries

_KEPT_ON_RESET = ("schema_version", "shared_state", "tif_nonces")
_TRUNCATE_FROM = 5000  # rows; above this a PostgreSQL table is truncated rather than deleted from


class Tx(PeopleQueries, MoneyQueries):
    """One database transaction: the unit of work (platform/ports.py) whose repositories
    (store/repositories.py) run the queries of this transaction. `locking`: emit SELECT ... FOR UPDATE."""

    def __init__(self, conn: Connection, locking: bool, statements: Statements) -> None:
        self.conn = conn
        self.locking = locking
        self.statements = statements

    @cached_property
    def family(self) -> FamilyQueries:
        """The family-account queries, in this transaction."""
        return FamilyQueries(self.conn, self.locking)

    @cached_property
    def stays(self) -> SqlStays:
        """The stay repository (stays, their fee lines, inpatient accumulators), in this transaction."""
        return SqlStays(self.conn, self.locking)

    @cached_property
    def catalogue(self) -> SqlCatalogue:
        """The insurance catalogue and the institutions' 目录对照 rows, in this transaction."""
        return SqlCatalogue(self.conn, self.statements)

    @cached_property
    def trace_codes(self) -> SqlTraceCodes:
        """The drug traceability codes uploaded and sold, in this transaction."""
        return SqlTraceCodes(self.conn)

    @cached_property
    def sales_uploads(self) -> SqlSalesUploads:
        """The till's sales uploads (3505/3506), in this transaction."""
        return SqlSalesUploads(self.conn)

    @cached_property
    def inspect(self) -> InspectQueries:
        """The admin API's and console's read-only queries, in this transaction."""
        return InspectQueries(self.conn)

    @cached_property
    def persons(self) -> repositories.SqlPersons:
        return repositories.SqlPersons(self, self.family)

    @cached_property
    def balances(self) -> repositories.SqlBalances:
        return repositories.SqlBalances(self)

    @cached_property
    def bindings(self) -> repositories.SqlBindings:
        return repositories.SqlBindings(self, self.family)

    @cached_property
    def pools(self) -> repositories.SqlPools:
        return repositories.SqlPools(self, self.family)

    @cached_property
    def wallets(self) -> repositories.SqlWallets:
        return repositories.SqlWallets(self)

    @cached_property
    def transfers(self) -> repositories.SqlTransfers:
        return repositories.SqlTransfers(self.family)

    @cached_property
    def guardianships(self) -> repositories.SqlGuardianships:
        return repositories.SqlGuardianships(self.family)

    @cached_property
    def visits(self) -> repositories.SqlVisits:
        return repositories.SqlVisits(self)

    @cached_property
    def settlements(self) -> repositories.SqlSettlements:
        return repositories.SqlSettlements(self, self.family)

    @cached_property
    def messages(self) -> repositories.SqlMessages:
        return repositories.SqlMessages(self)

    @cached_property
    def reference(self) -> repositories.SqlReference:
        return repositories.SqlReference(self, self.family)

    @cached_property
    def signins(self) -> repositories.SqlSignins:
        return repositories.SqlSignins(self)

    @cached_property
    def codes(self) -> repositories.SqlCodes:
        return repositories.SqlCodes(self)

    @cached_property
    def files(self) -> repositories.SqlFiles:
        return repositories.SqlFiles(self)


class AccessTables:
    """x-tif nonces, app credentials and sessions (platform/ports.py `AccessPort`), each its own transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def remember_nonce(self, nonce: str, paasid: str, now: int, forget_before: int | None = None) -> bool:
        return tables_gate.remember_nonce(self.engine, nonce, paasid, now, forget_before)

    def save_credentials(self, rows: dict[str, dict[str, str]]) -> None:
        tables_app.save_credentials(self.engine, rows)

    def secret_matches(self, kind: str, subject: str, secret: str) -> bool | None:
        return tables_app.secret_matches(self.engine, kind, subject, secret)

    def open_session(self, token: str, subject: str, role: str, expires_at: int, now: int) -> None:
        tables_app.open_session(self.engine, token, subject, role, expires_at, now)

    def find_session(self, token: str, now: int) -> AppSession | None:
        return tables_app.find_session(self.engine, token, now)

    def close_session(self, token: str) -> None:
        tables_app.close_session(self.engine, token)


class SharedRow:
    """The state every process on the database shares (store/shared.py)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def read_shared(self) -> tuple[int, int, str | None]:
        return _shared.read_shared(self.engine)

    def publish_shared(self, offset_us: int, frozen_at: str | None) -> int:
        return _shared.publish_shared(self.engine, offset_us, frozen_at)


class Store:
    """Database access for one app. SQLite serialises writers (BEGIN IMMEDIATE); PostgreSQL locks rows."""

    def __init__(self, url: str) -> None:
        self.engine: Engine = make_engine(url)
        self.sqlite = is_sqlite(self.engine)
        self.statements = Statements(self.engine.dialect)
        create_schema(self.engine)
        self.traffic = TrafficLog(self.engine)  # the request journal (console, audit)
        self.access = AccessTables(self.engine)
        self.shared_state = SharedRow(self.engine)

    @contextmanager
    def write(self) -> Iterator[Tx]:
        """A write transaction; rows are locked in the order the caller reads them (ascending ids).

        Inside a `DeferredCommit` (store/deferred.py) the request's first write transaction stays open
        until the caller commits it, and later ones are savepoints in it."""
        pending = deferred.current()
        try:
            if pending is None:
                with write_connection(self.engine) as conn:
                    yield Tx(conn, locking=not self.sqlite, statements=self.statements)
            elif pending.conn is not None:
                with pending.conn.begin_nested():
                    yield Tx(pending.conn, locking=not self.sqlite, statements=self.statements)
            else:
                pending.adopt(*open_write(self.engine))
                assert pending.conn is not None
                try:
                    yield Tx(pending.conn, locking=not self.sqlite, statements=self.statements)
                except BaseException:
                    pending.rollback()
                    raise
        except (IntegrityError, self.engine.dialect.loaded_dbapi.IntegrityError) as exc:
            if pending is not None:
                pending.rollback()
            raise Duplicate() from exc

    @contextmanager
    def read(self) -> Iterator[Tx]:
        """A read transaction, or the request's open write transaction (it sees its own writes)."""
        pending = deferred.current()
        if pending is not None and pending.conn is not None:
            yield Tx(pending.conn, locking=False, statements=self.statements)
            return
        with read_connection(self.engine) as conn:
            yield Tx(conn, locking=False, statements=self.statements)

    def reserve_ids(self, kind: str, count: int, base: int) -> int:
        """Reserve `count` serials of `kind`; returns the first. Own short transaction."""
        pending = deferred.current()
        if self.sqlite and pending is not None and pending.conn is not None:
            raise RuntimeError("ids must be reserved before the request's write transaction opens")
        for _attempt in range(5):
            try:
                with write_connection(self.engine) as conn:
                    stmt = select(id_counters.c.last).where(id_counters.c.kind == kind)
                    if not self.sqlite:
                        stmt = stmt.with_for_update()
                    last = conn.execute(stmt).scalar()
                    if last is None:
                        conn.execute(insert(id_counters).values(kind=kind, last=base + count - 1))
                        return base
                    conn.execute(update(id_counters).where(id_counters.c.kind == kind)
                                 .values(last=last + count))
                    return int(last) + 1
            except IntegrityError:
                continue  # another process created the counter first; read it again
        raise RuntimeError(f"could not reserve ids of kind {kind}")

    def reset(self) -> None:
        """Empty every data table (the schema and its version stay; so do the shared state and the spent
        x-tif nonces)."""
        tables = [t for t in reversed(metadata.sorted_tables) if t.name not in _KEPT_ON_RESET]
        with self.traffic.emptying(), write_connection(self.engine) as conn:
            if self.sqlite:
                for table in tables:
                    conn.execute(delete(table))
            else:
                # TRUNCATE rewrites files (slow for many small tables); DELETE is quick for small ones.
                big = [t.name for t in tables
                       if conn.execute(select(text("1")).select_from(t).offset(_TRUNCATE_FROM).limit(1)).first()]
                if big:
                    conn.execute(text(f"TRUNCATE {', '.join(big)}"))
                for table in tables:
                    if table.name not in big:
                        conn.execute(delete(table))

    @property
    def dialect_name(self) -> str:
        """The database dialect ("sqlite", "postgresql")."""
        return str(self.engine.dialect.name)

    def deferred_commit(self) -> deferred.DeferredCommit:
        """`with store.deferred_commit() as pending: ...; pending.commit()` (store/deferred.py)."""
        return deferred.DeferredCommit(self.traffic)

    def dispose(self) -> None:
        self.traffic.close()
        self.engine.dispose()
