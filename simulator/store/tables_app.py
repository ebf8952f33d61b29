"""App-login tables (registered on the store's one metadata): who may act in /app, and open sessions.

Secrets are kept only as salted SHA-256 digests. Sessions live in the database so every simulator
process on one database honours a token another issued. Kept apart from tables.py for clean merges.
"""

from __future__ import annotations

import hashlib
import hmac

from sqlalchemy import BigInteger, Column, Engine, Index, String, Table, delete, insert, select

from simulator.domain.models import AppSession
from simulator.store.engine import read_connection, write_connection
from simulator.store.metadata import metadata

app_credentials = Table(
    "app_credentials", metadata,
    Column("subject", String(48), primary_key=True),  # a psn_no, or "agency:<admdvs>"
    Column("password_hash", String(64), nullable=False),
    Column("pin_hash", String(64), nullable=True),
    Column("face_hash", String(64), nullable=True),
)

app_sessions = Table(
    "app_sessions", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("subject", String(48), nullable=False),
    Column("role", String(16), nullable=False),  # "person" | "agency"
    Column("expires_at", BigInteger, nullable=False),  # unix seconds, wall clock
    Index("ix_app_sessions_expires_at", "expires_at"),
)

SECRET_KINDS = ("password", "pin", "face")


def digest(kind: str, subject: str, secret: str) -> str:
    """Salted by kind and subject, so equal secrets of two people differ."""
    return hashlib.sha256(f"yibao-app:{kind}:{subject}:{secret}".encode()).hexdigest()


Session = AppSession  # the row's domain record (simulator/domain/models.py)


def save_credentials(engine: Engine, rows: dict[str, dict[str, str]]) -> None:
    """`rows`: subject -> {"password": ..., "pin": ..., "face": ...} (plain; stored as digests)."""
    if not rows:
        return
    with write_connection(engine) as conn:
        conn.execute(delete(app_credentials).where(app_credentials.c.subject.in_(list(rows))))
        conn.execute(insert(app_credentials), [
            {"subject": subject, **{f"{kind}_hash": digest(kind, subject, secrets[kind]) if secrets.get(kind) else None
                                    for kind in SECRET_KINDS}}
            for subject, secrets in rows.items()])


def secret_matches(engine: Engine, kind: str, subject: str, secret: str) -> bool | None:
    """True/False when the subject has such a secret on file; None when it has none."""
    with read_connection(engine) as conn:
        row = conn.execute(select(app_credentials).where(app_credentials.c.subject == subject)).first()
    stored = None if row is None else row._mapping[f"{kind}_hash"]
    if stored is None:
        return None
    return hmac.compare_digest(stored, digest(kind, subject, secret))


def open_session(engine: Engine, token: str, subject: str, role: str, expires_at: int, now: int) -> None:
    with write_connection(engine) as conn:
        conn.execute(delete(app_sessions).where(app_sessions.c.expires_at < now))
        conn.execute(insert(app_sessions).values(token_hash=digest("token", "", token), subject=subject, role=role,
                                                 expires_at=expires_at))


def find_session(engine: Engine, token: str, now: int) -> Session | None:
    with read_connection(engine) as conn:
        row = conn.execute(select(app_sessions).where(app_sessions.c.token_hash == digest("token", "", token))).first()
    if row is None or int(row.expires_at) < now:
        return None
    return Session(str(row.subject), str(row.role), int(row.expires_at))


def close_session(engine: Engine, token: str) -> None:
    with write_connection(engine) as conn:
        conn.execute(delete(app_sessions).where(app_sessions.c.token_hash == digest("token", "", token)))
