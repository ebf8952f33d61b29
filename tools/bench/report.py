"""Render the benchmark: the targets table (figure, value, target, met, measured in this run), then the
details each section measured; a fixed-width text for the terminal and markdown for var/bench."""

from __future__ import annotations

import math
from collections.abc import Sequence

from tools.bench.stats import Row

NOT_MEASURED = "not measured"


def value_text(row: Row) -> str:
    if not row.measured or math.isnan(row.value):
        return NOT_MEASURED
    if row.unit in ("x", "%"):
        return f"{row.value:.2f}"
    return f"{row.value:,.1f}" if row.value < 1000 else f"{row.value:,.0f}"


def met_text(row: Row) -> str:
    """yes / no for a judged figure; "not measured" when the run did not produce it (never met)."""
    if not row.measured:
        return NOT_MEASURED
    if row.met is None:
        return "-" if row.target == "" else NOT_MEASURED
    return "yes" if row.met else "NO"


def tally(rows: Sequence[Row]) -> tuple[int, int, int]:
    """(met, with a target, of those not measured): what the closing line says."""
    with_target = [r for r in rows if r.target]
    return (sum(1 for r in with_target if r.met is True), len(with_target),
            sum(1 for r in with_target if not r.measured))


def summary(rows: Sequence[Row]) -> str:
    met, total, missing = tally(rows)
    return f"targets met: {met} of {total} ({total - met - missing} not met, {missing} not measured)"


def render_table(title: str, judged: Sequence[Row], details: Sequence[Row] = ()) -> str:
    every = [*judged, *details]
    width = max([len(r.figure) for r in every] + [10])
    head = f"{'section':<10} {'figure':<{width}} {'value':>12} {'unit':<7} {'target':<8} {'met':<12} measured"
    lines = [title, "", "targets (every figure the benchmark owes)", head, "-" * len(head)]
    lines += [_line(r, width) for r in judged]
    lines += [summary([*judged, *[r for r in details if r.target]])]
    if details:
        lines += ["", "details", head, "-" * len(head)]
        lines += [_line(r, width) for r in details]
    return "\n".join(lines)


def _line(r: Row, width: int) -> str:
    measured = "yes" if r.measured else "no"
    return f"{r.section:<10} {r.figure:<{width}} {value_text(r):>12} {r.unit:<7} {r.target:<8} {met_text(r):<12} {measured}"


def render_markdown(title: str, judged: Sequence[Row], details: Sequence[Row] = ()) -> str:
    head = ["| section | figure | value | unit | target | met | measured |", "|---|---|---:|---|---|---|---|"]
    lines = [f"# {title}", "", "## Targets", "", *head]
    lines += [_md(r) for r in judged]
    lines += ["", summary([*judged, *[r for r in details if r.target]]), ""]
    if details:
        lines += ["## Details", "", *head, *[_md(r) for r in details], ""]
    return "\n".join(lines)


def _md(r: Row) -> str:
    return (f"| {r.section} | {r.figure} | {value_text(r)} | {r.unit} | {r.target} | {met_text(r)} | "
            f"{'yes' if r.measured else 'no'} |")
