"""x-tif gateway signing (docs/protocol.md §1).

``x-tif-signature`` = lowercase hex SHA-256 of ``timestamp + token + nonce + timestamp``, where the
timestamp is Unix seconds and the token is the secret issued with the paasid. A fresh nonce per request.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from time import time


def tif_signature(timestamp: str, token: str, nonce: str) -> str:
    """The x-tif signature of one request."""
    return hashlib.sha256(f"{timestamp}{token}{nonce}{timestamp}".encode()).hexdigest()


@dataclass(frozen=True)
class TifCredentials:
    """A paasid and its secret token; `now` and `nonce` are injectable for tests."""

    paasid: str
    token: str = field(repr=False)
    now: Callable[[], float] = time
    nonce: Callable[[], str] = lambda: secrets.token_hex(16)

    def headers(self) -> dict[str, str]:
        """The four x-tif headers for one request."""
        timestamp = str(int(self.now()))
        nonce = self.nonce()
        return {
            "x-tif-paasid": self.paasid,
            "x-tif-timestamp": timestamp,
            "x-tif-nonce": nonce,
            "x-tif-signature": tif_signature(timestamp, self.token, nonce),
        }
