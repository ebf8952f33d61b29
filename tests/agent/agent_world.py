"""Where the agent tests find the project's scenario files (a module of its own: `conftest` is ambiguous
when several test directories are collected together)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def scenario(name: str) -> dict[str, Any]:
    """A fresh, mutable copy of a fixture scenario."""
    return copy.deepcopy(json.loads((ROOT / "fixtures" / "scenarios" / f"{name}.json").read_text(encoding="utf-8")))
