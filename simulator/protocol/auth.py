"""The x-tif gateway check: paasid, timestamp (±300 s, wall clock), single-use nonce, SHA-256 signature.

A paasid is bound to the institution codes it may act for (`TOKEN:CODE1,CODE2`; a bare `TOKEN` may act
for any institution, for quick local tests). Nonces are remembered in the database
(`platform.nonces`, platform/access.py), so a replay is refused by every process sharing it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from simulator.domain.refusals import TifInstitution, TifMissing, TifNonce, TifPaasid, TifSignature, TifStale
from simulator.platform.access import NONCE_MAX_LEN, Nonces

MAX_SKEW = 300
_STAMP = re.compile(r"[0-9]{1,12}\Z", re.ASCII)  # unix seconds; not "²", not 400 digits
_NONCE = re.compile(r"[\x21-\x7e]+\Z", re.ASCII)
_PURGE_EVERY = 200


class HeaderSource(Protocol):
    """Anything with a case-insensitive `get` (werkzeug Headers, or a dict of lowercase keys)."""

    def get(self, key: str, default: str, /) -> str: ...


def tif_signature(timestamp: str, token: str, nonce: str) -> str:
    """Lowercase hex SHA-256 of `timestamp + token + nonce + timestamp`."""
    return hashlib.sha256(f"{timestamp}{token}{nonce}{timestamp}".encode()).hexdigest()


@dataclass(frozen=True)
class Credential:
    """One paasid's token and the institution codes it may act for (empty: any)."""

    token: str
    institutions: frozenset[str]

    @classmethod
    def parse(cls, value: str) -> Credential:
        """`TOKEN` or `TOKEN:CODE1,CODE2`."""
        token, _sep, codes = value.partition(":")
        if not token:
            raise ValueError("x-tif credential without a token")
        return cls(token, frozenset(code.strip() for code in codes.split(",") if code.strip()))

    def may_act_for(self, fixmedins_code: str) -> bool:
        return not self.institutions or fixmedins_code in self.institutions


@dataclass(frozen=True)
class Caller:
    """Who passed the gateway: the paasid and its credential (or anyone, when the gateway is off)."""

    paasid: str
    credential: Credential | None

    def check_institution(self, fixmedins_code: str) -> None:
        """Refuse an institution code the paasid is not bound to."""
        if self.credential is not None and not self.credential.may_act_for(fixmedins_code):
            raise TifInstitution(paasid=self.paasid, fixmedins_code=fixmedins_code)


ANYONE = Caller("", None)


class TifGate:
    """Off unless `enabled`; nonces are remembered in `nonces` (the platform's) for twice the allowed skew."""

    def __init__(self, enabled: bool, credentials: Mapping[str, str], nonces: Nonces) -> None:
        self.enabled = enabled
        self._credentials = {paasid: Credential.parse(value) for paasid, value in credentials.items()}
        self._nonces = nonces
        self._lock = threading.Lock()
        self._count = 0

    def check(self, headers: HeaderSource) -> Caller:
        if not self.enabled:
            return ANYONE
        paasid, stamp = headers.get("x-tif-paasid", ""), headers.get("x-tif-timestamp", "")
        nonce, signature = headers.get("x-tif-nonce", ""), headers.get("x-tif-signature", "")
        if not (paasid and stamp and nonce and signature):
            raise TifMissing()
        credential = self._credentials.get(paasid)
        if credential is None:
            raise TifPaasid()
        now = int(time.time())
        if not _STAMP.match(stamp) or abs(now - int(stamp)) > MAX_SKEW:
            raise TifStale()
        if len(nonce) > NONCE_MAX_LEN or not _NONCE.match(nonce):
            raise TifNonce(problem=f"须为 1–{NONCE_MAX_LEN} 个可见 ASCII 字符")
        if not hmac.compare_digest(signature.encode(), tif_signature(stamp, credential.token, nonce).encode()):
            raise TifSignature()
        with self._lock:
            self._count += 1
            purge = self._count % _PURGE_EVERY == 0
        if not self._nonces.remember(nonce, paasid, now, now - 2 * MAX_SKEW if purge else None):
            raise TifNonce(problem="已使用（疑似重放）")
        return Caller(paasid, credential)
