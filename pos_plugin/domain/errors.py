"""Errors of the pure domain core, and the root of every error the plugin raises.

    PosError(code, message)             the one root (re-exported as pos_plugin.PosError; docs in pos_plugin/errors.py)
    └── DomainError(message, code=)     the pure core's errors
    ├── InvalidAmount                   ERR_INVALID_AMOUNT   a wire amount that is not exact money
    ├── InvalidCartLine                 ERR_INVALID_CART     a cart line that cannot be priced
    └── InvariantViolation              ERR_INVARIANT        a sum rule of docs/domain.md §2.5 broke (a bug, never input)

The root lives here because the domain is the innermost layer (standard library only): the plugin's
wider tree (pos_plugin.errors) extends it, so an embedding program catches one class, `PosError`, and every
error carries `code` and `message` and nothing else is needed to show it.
"""

from __future__ import annotations

import re

_CODE = re.compile(r"^ERR_[A-Z0-9_]+$")


class PosError(Exception):
    """Root of every plugin error: `code` (stable English) and `message` (Chinese, for the cashier).

    Call it as ``PosError("ERR_X", "消息")`` or, on a subclass that fixes its code, ``Sub("消息")``
    or ``Sub()`` (the class's default message). Keyword arguments are kept in `details`.
    """

    code = "ERR_POS"
    default_message = "收银插件出错"

    def __init__(self, code: str | None = None, message: str | None = None, /, **details: object) -> None:
        if message is None and code is not None and not _CODE.match(code):
            code, message = None, code  # a single argument is the message
        self.code = code or type(self).code
        self.message = message or type(self).default_message
        self.details = details
        super().__init__(f"{self.code}: {self.message}")

    @property
    def short_code(self) -> str:
        """The code in the scenario vocabulary: ``ERR_CODE_EXPIRED`` -> ``code_expired``."""
        return self.code.removeprefix("ERR_").lower()

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class DomainError(PosError):
    """Base of the domain's errors: `code` is stable English, `message` is for the cashier (Chinese)."""

    code = "ERR_DOMAIN"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(code or type(self).code, message)


class InvalidAmount(DomainError):
    code = "ERR_INVALID_AMOUNT"


class InvalidCartLine(DomainError):
    code = "ERR_INVALID_CART"


class InvariantViolation(DomainError):
    code = "ERR_INVARIANT"
