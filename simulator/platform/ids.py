"""Real-looking ids from a seeded generator.

Serial ids (psn_no, mdtrt_id, setl_id, card_sn...) come from per-kind counters reserved in blocks
through a callback (the store keeps the counters, so ids stay unique across restarts and
processes). Random material (e-voucher digits, ecTokens) comes from a seeded `random.Random`, so a
run on a fresh database can be replayed from its seed.
"""

from __future__ import annotations

import random
import string
import threading
from collections.abc import Callable
from datetime import datetime

# (kind, count, base) -> first serial of a freshly reserved block of `count` serials.
Reserve = Callable[[str, int, int], int]

_TOKEN_ALPHABET = string.ascii_lowercase + string.digits
_BLOCK = 100


class IdGenerator:
    """Thread-safe id source; `reset()` restarts it (used after the admin reset empties the store)."""

    def __init__(self, seed: int, reserve: Reserve) -> None:
        self._seed = seed
        self._reserve = reserve
        # Two locks: `_lock` is held while a block is reserved from the store (which may wait for the
        # database's writer); `_rng_lock` guards the random material and the refmsgid serial, which are
        # drawn inside write transactions and must never wait behind a reservation (a deadlock on SQLite).
        self._lock = threading.Lock()
        self._rng_lock = threading.Lock()
        self._blocks: dict[str, tuple[int, int]] = {}
        self._salt = ""
        self._rng = random.Random(seed)
        self._ref_serial = random.Random(f"{seed}:ref").randrange(10**8, 10**9)

    def reset(self) -> None:
        with self._lock:
            self._blocks.clear()
        with self._rng_lock:
            self._rng = random.Random(f"{self._seed}:{self._salt}" if self._salt else self._seed)
            self._ref_serial = random.Random(f"{self._seed}:ref").randrange(10**8, 10**9)

    def forget_blocks(self) -> None:
        """Drop reserved serial blocks (another process reset the counters); fresh ones come from the store."""
        with self._lock:
            self._blocks.clear()

    def fork(self, salt: str) -> None:
        """A forked worker: no blocks shared with its parent, and its own random source (e-voucher codes
        and tokens must not repeat another worker's). Runs on a fresh database replay per process only."""
        with self._lock:
            self._blocks.clear()
        with self._rng_lock:
            self._salt = salt
            self._rng = random.Random(f"{self._seed}:{salt}")

    def _base(self, kind: str) -> int:
        return random.Random(f"{self._seed}:{kind}").randrange(10**5, 10**6) * 1000

    def serials(self, kind: str, count: int) -> list[int]:
        """`count` fresh serials of `kind` (reserving a new block from the store when needed)."""
        with self._lock:
            out: list[int] = []
            while len(out) < count:
                nxt, end = self._blocks.get(kind, (0, 0))
                if nxt >= end:
                    size = max(_BLOCK, count - len(out))
                    nxt = self._reserve(kind, size, self._base(kind))
                    end = nxt + size
                take = min(end - nxt, count - len(out))
                out.extend(range(nxt, nxt + take))
                self._blocks[kind] = (nxt + take, end)
            return out

    def serial(self, kind: str) -> int:
        return self.serials(kind, 1)[0]

    def psn_no(self, insuplc: str, serial: int) -> str:
        """20 digits: insured area + serial."""
        return f"{insuplc}{serial:014d}"

    def card_sn(self, serial: int) -> str:
        """Social-security card number (docs/protocol.md): exactly 9 characters, one capital letter then
        8 digits; the letter carries the serial's hundred-millions so numbers stay unique."""
        return f"{chr(ord('A') + (serial // 10**8) % 26)}{serial % 10**8:08d}"

    def mdtrt_id(self, admdvs: str, serial: int) -> str:
        """Serials are reserved before a money transaction opens; formatting needs no store."""
        return f"{admdvs}{serial:016d}"

    def setl_id(self, admdvs: str, serial: int) -> str:
        return f"{admdvs}{serial:016d}"

    def sign_no(self) -> str:
        return f"{self.serial('sign'):020d}"

    def file_qury_no(self) -> str:
        return f"F{self.serial('file'):019d}"

    def inf_refmsgid(self, area: str, now: datetime) -> str:
        """6-digit area + yyyyMMddHHmmss + 10-digit serial."""
        with self._rng_lock:
            self._ref_serial += 1
            serial = self._ref_serial % 10**10
        return f"{area[:6]:0<6}{now:%Y%m%d%H%M%S}{serial:010d}"

    def digits(self, count: int) -> str:
        with self._rng_lock:
            return "".join(self._rng.choice(string.digits) for _ in range(count))

    def token(self, count: int) -> str:
        with self._rng_lock:
            return "".join(self._rng.choice(_TOKEN_ALPHABET) for _ in range(count))
