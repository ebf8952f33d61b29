"""Render the rows: a fixed-width table for the terminal and a markdown table for var/bench."""

from __future__ import annotations

import math
from collections.abc import Sequence

from tools.bench.stats import Row


def _value(row: Row) -> str:
    if math.isnan(row.value):
        return "n/a"
    if row.unit in ("x", "%"):
        return f"{row.value:.2f}"
    return f"{row.value:,.1f}" if row.value < 1000 else f"{row.value:,.0f}"


def _status(row: Row) -> str:
    return "" if row.met is None else ("met" if row.met else "NOT MET")


def render_table(title: str, rows: Sequence[Row]) -> str:
    width = max([len(r.figure) for r in rows] + [10])
    lines = [title, f"{'section':<10} {'figure':<{width}} {'value':>12} {'unit':<6} {'target':<10} status"]
    lines.append("-" * len(lines[1]))
    for r in rows:
        lines.append(f"{r.section:<10} {r.figure:<{width}} {_value(r):>12} {r.unit:<6} {r.target:<10} {_status(r)}")
    checked = [r for r in rows if r.met is not None]
    lines.append(f"targets met: {sum(1 for r in checked if r.met)} of {len(checked)}")
    return "\n".join(lines)


def render_markdown(title: str, rows: Sequence[Row]) -> str:
    lines = [f"# {title}", "", "| section | figure | value | unit | target | status |", "|---|---|---:|---|---|---|"]
    lines += [f"| {r.section} | {r.figure} | {_value(r)} | {r.unit} | {r.target} | {_status(r)} |" for r in rows]
    checked = [r for r in rows if r.met is not None]
    lines += ["", f"targets met: {sum(1 for r in checked if r.met)} of {len(checked)}", ""]
    return "\n".join(lines)
