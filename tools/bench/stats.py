"""Small statistics and the result row every section reports."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (nearest rank) of `values`; NaN when empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return float(ordered[rank - 1])


def median(values: Sequence[float]) -> float:
    return percentile(values, 50)


@dataclass
class Row:
    """One figure: `met` is True/False when a target applies (tools/bench/targets.py), None when the figure
    is informational or was not measured (`measured` False: its value is NaN)."""

    section: str
    figure: str
    value: float
    unit: str
    target: str = ""
    met: bool | None = None
    measured: bool = True

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def info(section: str, figure: str, value: float, unit: str) -> Row:
    """A measured figure; `targets.judge` puts a target beside it when it is one the benchmark owes."""
    return Row(section, figure, value, unit)
