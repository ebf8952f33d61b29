"""Who may act, kept by the platform: the x-tif nonces seen, the family app's credentials and sessions
(the request-wide deferred commit of the envelope endpoint is `Platform.deferred_commit`).

The protocol layer (Flask) calls these instead of the store, so it only parses, calls the platform and
shapes replies; the tables behind them are store/tables_gate.py, store/tables_app.py and
store/deferred.py, reached through `StorePort` (platform/ports.py).
"""

from __future__ import annotations

from simulator.domain.models import NONCE_MAX_LEN, AppSession, Person
from simulator.platform.ports import PendingCommit, StorePort

__all__ = ["NONCE_MAX_LEN", "AppSessions", "Nonces", "PendingCommit"]


class Nonces:
    """The x-tif nonces already seen, shared by every process on the database (a replay is refused by all)."""

    def __init__(self, store: StorePort) -> None:
        self._store = store

    def remember(self, nonce: str, paasid: str, now: int, forget_before: int | None = None) -> bool:
        """Record `nonce` (its own short transaction); False when any process saw it before.
        `forget_before`: also drop nonces seen before this unix time."""
        return self._store.access.remember_nonce(nonce, paasid, now, forget_before)


class AppSessions:
    """The family app's credentials (stored as digests) and bearer-token sessions."""

    def __init__(self, store: StorePort) -> None:
        self._store = store

    def save_credentials(self, rows: dict[str, dict[str, str]]) -> None:
        """`rows`: subject -> {"password": ..., "pin": ..., "face": ...} (plain; stored as digests)."""
        self._store.access.save_credentials(rows)

    def secret_matches(self, kind: str, subject: str, secret: str) -> bool | None:
        """True/False when the subject has such a secret on file; None when it has none."""
        return self._store.access.secret_matches(kind, subject, secret)

    def person(self, certno: str, psn_no: str) -> Person | None:
        """The person logging in, by ID number (preferred) or psn_no; None when neither names anyone."""
        with self._store.read() as tx:
            if certno:
                return tx.persons.by_key("certno", certno)
            return tx.persons.by_key("psn_no", psn_no) if psn_no else None

    def open(self, token: str, subject: str, role: str, expires_at: int, now: int) -> None:
        """A new session (expired ones are dropped on the way)."""
        self._store.access.open_session(token, subject, role, expires_at, now)

    def find(self, token: str, now: int) -> AppSession | None:
        """The live session of `token`, if any."""
        return self._store.access.find_session(token, now)

    def close(self, token: str) -> None:
        self._store.access.close_session(token)
