"""Errors of the pure domain core.

    DomainError(code, message)          base: stable English code + Chinese message
    ├── InvalidAmount                   ERR_INVALID_AMOUNT   a wire amount that is not exact money
    ├── InvalidCartLine                 ERR_INVALID_CART     a cart line that cannot be priced
    └── InvariantViolation              ERR_INVARIANT        a sum rule of docs/domain.md §2.5 broke (a bug, never input)

The plugin's wider exception tree (pos_plugin.errors) renders these too: every error here carries
`code` and `message` and nothing else is needed to show it.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of the domain's errors: `code` is stable English, `message` is for the cashier (Chinese)."""

    code = "ERR_DOMAIN"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class InvalidAmount(DomainError):
    code = "ERR_INVALID_AMOUNT"


class InvalidCartLine(DomainError):
    code = "ERR_INVALID_CART"


class InvariantViolation(DomainError):
    code = "ERR_INVARIANT"
