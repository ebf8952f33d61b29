"""The one row several simulator processes over one database agree through (see platform/shared.py).

Not a data table: /admin/reset keeps it (its generation must only grow), and it is not in DATA_TABLES.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Engine, Integer, String, Table, insert, select, update
from sqlalchemy.exc import IntegrityError

from simulator.store.engine import write_connection
from simulator.store.tables import metadata

shared_state = Table(
    "shared_state", metadata,
    Column("id", Integer, primary_key=True),
    Column("generation", BigInteger, nullable=False),  # bumped by every change the caches depend on
    Column("clock_offset_us", BigInteger, nullable=False),  # the platform clock: offset from real time
    Column("clock_frozen_at", String(26)),  # or the instant it is frozen at (ISO)
)


def read_shared(engine: Engine) -> tuple[int, int, str | None]:
    """(generation, clock offset in microseconds, frozen-at or None); the row is created when missing."""
    with engine.connect() as conn:
        row = conn.execute(select(shared_state.c.generation, shared_state.c.clock_offset_us,
                                  shared_state.c.clock_frozen_at).where(shared_state.c.id == 1)).first()
    if row is None:
        try:
            with write_connection(engine) as conn:
                conn.execute(insert(shared_state).values(id=1, generation=0, clock_offset_us=0, clock_frozen_at=None))
        except IntegrityError:
            pass  # another process created it first
        return read_shared(engine)
    return int(row.generation), int(row.clock_offset_us), row.clock_frozen_at


def publish_shared(engine: Engine, offset_us: int, frozen_at: str | None) -> int:
    """Bump the generation and store this process's clock; returns the new generation."""
    read_shared(engine)  # make sure the row exists
    with write_connection(engine) as conn:
        conn.execute(update(shared_state).where(shared_state.c.id == 1).values(
            generation=shared_state.c.generation + 1, clock_offset_us=offset_us, clock_frozen_at=frozen_at))
        return int(conn.execute(select(shared_state.c.generation).where(shared_state.c.id == 1)).scalar_one())
