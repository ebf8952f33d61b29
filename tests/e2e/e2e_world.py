"""Where the end-to-end tests find the project's scenario files (a module of its own: `conftest` is ambiguous)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "fixtures" / "scenarios"


def scenario(name: str) -> dict[str, Any]:
    """A fresh, mutable copy of a fixture scenario."""
    return copy.deepcopy(json.loads((SCENARIOS / f"{name}.json").read_text(encoding="utf-8")))
