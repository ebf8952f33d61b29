"""Gateway tables (registered on the store's one metadata): the x-tif nonces already seen.

Nonces live in the database so that every simulator process on one database refuses a replay that
another process accepted. Kept apart from tables.py so other table modules merge cleanly.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Engine, Index, String, Table, delete, insert
from sqlalchemy.exc import IntegrityError

from simulator.domain.models import NONCE_MAX_LEN
from simulator.store.engine import write_connection
from simulator.store.metadata import metadata

__all__ = ["NONCE_MAX_LEN", "remember_nonce", "tif_nonces"]

tif_nonces = Table(
    "tif_nonces", metadata,
    Column("nonce", String(NONCE_MAX_LEN), primary_key=True),
    Column("paasid", String(64), nullable=False),
    Column("seen_at", BigInteger, nullable=False),  # unix seconds (wall clock, like the x-tif timestamp)
    Index("ix_tif_nonces_seen_at", "seen_at"),
)


def remember_nonce(engine: Engine, nonce: str, paasid: str, now: int, forget_before: int | None = None) -> bool:
    """Record a nonce in its own short transaction; False when any process saw it before.
    `forget_before`: also drop nonces seen before this time (they can no longer pass the skew check)."""
    try:
        with write_connection(engine) as conn:
            if forget_before is not None:
                conn.execute(delete(tif_nonces).where(tif_nonces.c.seen_at < forget_before))
            conn.execute(insert(tif_nonces).values(nonce=nonce, paasid=paasid, seen_at=now))
    except (IntegrityError, engine.dialect.loaded_dbapi.IntegrityError):
        return False
    return True
