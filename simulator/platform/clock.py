"""The platform clock: real time shifted by a settable offset, or frozen. Every rule reads it."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta


class Clock:
    """Settable, advanceable clock. Ticks with real time unless frozen."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._offset = timedelta(0)
        self._frozen_at: datetime | None = None

    def now(self) -> datetime:
        """The platform's current time (naive, China local time by convention), to the microsecond."""
        with self._lock:
            if self._frozen_at is not None:
                return self._frozen_at
            return datetime.now() + self._offset

    def set(self, now: datetime, frozen: bool = False) -> None:
        """Jump to `now`; keep ticking from there unless `frozen`."""
        with self._lock:
            self._offset = now - datetime.now()
            self._frozen_at = now if frozen else None

    def advance(self, seconds: float) -> None:
        """Move the clock forward (or back, if negative) by `seconds`."""
        delta = timedelta(seconds=seconds)
        with self._lock:
            self._offset += delta
            if self._frozen_at is not None:
                self._frozen_at += delta

    def state(self) -> tuple[timedelta, datetime | None]:
        """(offset from real time, frozen-at or None): what another process needs to show the same time."""
        with self._lock:
            return self._offset, self._frozen_at

    def load(self, offset: timedelta, frozen_at: datetime | None) -> None:
        with self._lock:
            self._offset, self._frozen_at = offset, frozen_at

    def to_second(self) -> datetime:
        """The current time without microseconds (what replies and records show)."""
        return self.now().replace(microsecond=0)

    def today(self) -> date:
        return self.now().date()

    def stamp(self) -> str:
        """The current time in storage/wire form."""
        return stamp(self.now())

    @property
    def frozen(self) -> bool:
        with self._lock:
            return self._frozen_at is not None


def parse_timestamp(text: str) -> datetime:
    """`YYYY-MM-DDTHH:MM:SS` or `YYYY-MM-DD HH:MM:SS` -> datetime (ValueError otherwise)."""
    return datetime.fromisoformat(text.replace(" ", "T"))


def stamp(moment: datetime) -> str:
    """Storage/wire form `YYYY-MM-DD HH:MM:SS`."""
    return moment.strftime("%Y-%m-%d %H:%M:%S")
