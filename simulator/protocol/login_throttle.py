"""Password guessing at `POST /app/login` is cut off (docs/simulator-api.md, "Doors"): after
`MAX_FAILURES` wrong passwords in a row for one account, the account is locked for `LOCK_SECONDS`; every
login of it, the right password included, is then 429 `ERR_LOGIN_LOCKED` (its message says how many minutes). A good
login clears the count. An account is what the login names (the psn_no it resolves to, else the identifier
as sent), so an unknown account locks exactly like a known one and the answers say nothing about who
exists. Counts are kept per simulator process, in memory, by real (monotonic) time, not the platform clock.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

MAX_FAILURES = 5
LOCK_SECONDS = 900


@dataclass
class _Account:
    failures: int = 0
    locked_until: float = 0.0


class LoginThrottle:
    def __init__(self, *, max_failures: int = MAX_FAILURES, lock_seconds: float = LOCK_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_failures, self.lock_seconds, self.clock = max_failures, lock_seconds, clock
        self._accounts: dict[str, _Account] = {}
        self._lock = threading.Lock()

    def locked_for(self, account: str) -> float:
        """Seconds the account stays locked (0: it may try)."""
        with self._lock:
            held = self._accounts.get(account)
            return max(0.0, held.locked_until - self.clock()) if held else 0.0

    def failed(self, account: str) -> None:
        with self._lock:
            held = self._accounts.setdefault(account, _Account())
            held.failures += 1
            if held.failures >= self.max_failures:
                held.failures, held.locked_until = 0, self.clock() + self.lock_seconds

    def succeeded(self, account: str) -> None:
        with self._lock:
            self._accounts.pop(account, None)

    @staticmethod
    def minutes(seconds: float) -> int:
        return max(1, math.ceil(seconds / 60))
