"""The simulator's one exception tree. Every refusal is a `PlatformError` rendered in one place.

    PlatformError(code, message)          code: stable English ERR_*, message: Chinese, user-facing
    ├── RequestRejected                   malformed envelope / input (nothing looked up yet)
    ├── NotFound                          a named person, visit, settlement... does not exist
    ├── RuleRefused                       a business rule says no (status, balance, payplan...)
    ├── Conflict                          reused msgid, already settled / revoked, dead msgid
    ├── AuthRejected                      x-tif gateway check failed (HTTP 401)
    ├── DecodeRefused                     e-voucher decode service failure (numeric code)
    └── FaultInjected                     an armed fault of kind "error"
"""

from __future__ import annotations


class PlatformError(Exception):
    """A refusal: nothing changed. `code` is stable English, `message` is Chinese."""

    http_status = 200

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class RequestRejected(PlatformError):
    """The request itself is malformed."""


class NotFound(PlatformError):
    """Something the request names does not exist."""


class RuleRefused(PlatformError):
    """A platform rule refuses the request."""


class Conflict(PlatformError):
    """The request conflicts with recorded state (reuse, double settle, double revoke)."""


class AuthRejected(PlatformError):
    """The gateway (x-tif) refused the caller."""

    http_status = 401


class DecodeRefused(PlatformError):
    """The e-voucher decode service refused a code; `number` is the service's numeric code."""

    def __init__(self, number: int, code: str, message: str) -> None:
        super().__init__(code, message)
        self.number = number


class FaultInjected(PlatformError):
    """An armed fault of kind "error" answered instead of the platform."""
