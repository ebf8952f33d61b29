"""Clock-driven bounce of unaccepted wallet transfers (06:00 the next day), without background threads.

`process_due_bounces()` runs before every request and after the admin clock moves, so a bounce
happens as soon as anything could observe it. It is cheap when nothing is due: the app remembers
the earliest pending `due_at` and re-reads it from the database at most every few seconds (another
process sharing the database may have sent a transfer). Each bounce is idempotent: a transfer is
closed only while still pending, in the same transaction that returns its money.
"""

from __future__ import annotations

import threading
import time

from simulator.platform.deps import Deps
from simulator.platform.ports import UnitOfWork

REFRESH_SECONDS = 5.0


class BounceOps:
    """Returns pending transfers whose `due_at` has passed to where they came from."""

    def __init__(self, deps: Deps) -> None:
        self.store, self.clock = deps.store, deps.clock
        self._bounce_lock = threading.Lock()
        self._next_due: str | None = None
        self._checked_at = float("-inf")

    def note_due(self, due_at: str) -> None:
        """A transfer was just sent: remember its bounce time."""
        with self._bounce_lock:
            if self._next_due is None or due_at < self._next_due:
                self._next_due = due_at

    def process_due_bounces(self) -> int:
        """Bounce every pending transfer due by now; returns how many bounced."""
        now = self.clock.stamp()
        with self._bounce_lock:
            fresh = time.monotonic() - self._checked_at < REFRESH_SECONDS
            if fresh and (self._next_due is None or self._next_due > now):
                return 0
            with self.store.read() as uow:
                due, self._next_due = uow.transfers.due(now), uow.transfers.next_due()
            bounced = 0
            if due:
                with self.store.write() as uow:
                    bounced = sum(self._bounce(uow, transfer_id) for transfer_id in due)
                    self._next_due = uow.transfers.next_due()
            self._checked_at = time.monotonic()
            return bounced

    def forget_bounce_schedule(self) -> None:
        """After an admin reset: read the schedule from the database at the next check."""
        with self._bounce_lock:
            self._next_due, self._checked_at = None, float("-inf")

    @staticmethod
    def _bounce(uow: UnitOfWork, transfer_id: str) -> int:
        row = uow.transfers.get(transfer_id, lock=True)
        if row is None or row.status != "pending":
            return 0
        if row.source == "account":
            uow.persons.by_ids([row.source_row], lock=True)
        else:
            uow.wallets.by_rows([row.source_row], lock=True)
        if not uow.transfers.close(transfer_id, "bounced", row.due_at):
            return 0
        uow.balances.move(row.source, row.source_row, row.amount_fen)
        return 1
