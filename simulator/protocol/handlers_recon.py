"""3201 / 3202 reconciliation and 9101 / 9102 files (filled in by the reconciliation step)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

HANDLERS: dict[str, Callable[..., Any]] = {}
