"""The x-tif gateway check: paasid, timestamp (±300 s, wall clock), single-use nonce, SHA-256 signature."""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Mapping
from typing import Protocol

from simulator.domain.refusals import TifMissing, TifNonce, TifPaasid, TifSignature, TifStale

MAX_SKEW = 300


class HeaderSource(Protocol):
    """Anything with a case-insensitive `get` (werkzeug Headers, or a dict of lowercase keys)."""

    def get(self, key: str, default: str, /) -> str: ...


def tif_signature(timestamp: str, token: str, nonce: str) -> str:
    """Lowercase hex SHA-256 of `timestamp + token + nonce + timestamp`."""
    return hashlib.sha256(f"{timestamp}{token}{nonce}{timestamp}".encode()).hexdigest()


class TifGate:
    """Off unless `enabled`; remembers nonces for twice the allowed skew."""

    def __init__(self, enabled: bool, credentials: Mapping[str, str]) -> None:
        self.enabled = enabled
        self._credentials = dict(credentials)
        self._nonces: dict[str, float] = {}
        self._lock = threading.Lock()

    def check(self, headers: HeaderSource) -> None:
        if not self.enabled:
            return
        paasid, stamp = headers.get("x-tif-paasid", ""), headers.get("x-tif-timestamp", "")
        nonce, signature = headers.get("x-tif-nonce", ""), headers.get("x-tif-signature", "")
        if not (paasid and stamp and nonce and signature):
            raise TifMissing()
        token = self._credentials.get(paasid)
        if token is None:
            raise TifPaasid(paasid=paasid)
        if not stamp.isdigit() or abs(time.time() - int(stamp)) > MAX_SKEW:
            raise TifStale()
        if not hmac.compare_digest(signature, tif_signature(stamp, token, nonce)):
            raise TifSignature()
        self._remember(nonce)

    def _remember(self, nonce: str) -> None:
        now = time.time()
        with self._lock:
            if nonce in self._nonces:
                raise TifNonce()
            if len(self._nonces) > 10000:
                self._nonces = {n: t for n, t in self._nonces.items() if now - t < 2 * MAX_SKEW}
            self._nonces[nonce] = now
