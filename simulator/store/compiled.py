"""Hot-path queries: Core statements compiled once per dialect, executed on the DBAPI connection.

Building and compiling a Core statement costs ~150 µs per execution; executing a pre-compiled SQL
string on the driver connection costs a few µs. Statements are still written with SQLAlchemy Core
(portable between SQLite and PostgreSQL); only their execution skips the per-call machinery. They run
inside the caller's SQLAlchemy transaction (same DBAPI connection), so BEGIN IMMEDIATE / FOR UPDATE /
commit / rollback are unchanged.
"""

from __future__ import annotations

import threading
from collections import namedtuple
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Dialect, Table, bindparam, insert
from sqlalchemy.sql import Executable


class Prepared:
    """One compiled statement: SQL text, positional order (qmark) or named (pyformat), row type."""

    __slots__ = ("sql", "order", "defaults", "row")

    def __init__(self, stmt: Any, dialect: Dialect) -> None:
        compiled = stmt.compile(dialect=dialect)
        self.sql = str(compiled)
        self.order: tuple[str, ...] | None = tuple(compiled.positiontup) if compiled.positional else None
        self.defaults: dict[str, Any] = dict(compiled.construct_params(_check=False))
        columns = [c.key for c in stmt.selected_columns] if getattr(stmt, "is_select", False) else []
        self.row: Any = namedtuple("Row", columns, rename=True) if columns else None  # noqa: PYI024

    def params(self, values: Mapping[str, Any]) -> Sequence[Any] | Mapping[str, Any]:
        merged = {**self.defaults, **values} if self.defaults else values
        return merged if self.order is None else tuple(merged[name] for name in self.order)


class Statements:
    """Per-store cache of prepared statements (thread-safe; statements are immutable once built)."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self._cache: dict[Any, Prepared] = {}
        self._lock = threading.Lock()

    def get(self, key: Any, build: Callable[[], Executable]) -> Prepared:
        found = self._cache.get(key)
        if found is None:
            found = Prepared(build(), self.dialect)
            with self._lock:
                self._cache[key] = found
        return found


class Result:
    """The little of a result the store needs: rows as named tuples, rowcount."""

    __slots__ = ("_cursor", "_row")

    def __init__(self, cursor: Any, row: Any) -> None:
        self._cursor, self._row = cursor, row

    def first(self) -> Any:
        found = self._cursor.fetchone()
        return None if found is None else self._row._make(found)

    def all(self) -> list[Any]:
        make = self._row._make
        return [make(found) for found in self._cursor.fetchall()]

    def scalar(self) -> Any:
        found = self._cursor.fetchone()
        return None if found is None else found[0]

    @property
    def rowcount(self) -> int:
        return int(self._cursor.rowcount)


class FastQueries:
    """Mixin: `self.run(key, build, **values)` executes a cached statement in this transaction."""

    conn: Connection
    locking: bool
    statements: Statements

    def _driver(self) -> Any:
        return self.conn.connection.driver_connection

    def run(self, key: Any, build: Callable[[], Executable], **values: Any) -> Result:
        prepared = self.statements.get(key, build)
        cursor = self._driver().cursor()
        cursor.execute(prepared.sql, prepared.params(values))
        return Result(cursor, prepared.row)

    def run_many(self, key: Any, build: Callable[[], Executable], rows: Iterable[Mapping[str, Any]]) -> None:
        prepared = self.statements.get(key, build)
        cursor = self._driver().cursor()
        cursor.executemany(prepared.sql, [prepared.params(row) for row in rows])

    def insert_rows(self, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
        """INSERT rows that all carry the same keys (one statement per distinct key set)."""
        if not rows:
            return
        keys = tuple(rows[0])
        build = lambda: insert(table).values({k: bindparam(k) for k in keys})  # noqa: E731
        if len(rows) == 1:
            self.run(("insert", table.name, keys), build, **rows[0])
        else:
            self.run_many(("insert", table.name, keys), build, rows)


def ids_in(column: Any, count: int, prefix: str = "i") -> Any:
    """`column IN (:i0, :i1, ...)` with `count` named binds (statements are cached per count)."""
    return column.in_([bindparam(f"{prefix}{n}") for n in range(count)])


def id_params(values: Sequence[Any], prefix: str = "i") -> dict[str, Any]:
    return {f"{prefix}{n}": value for n, value in enumerate(values)}
