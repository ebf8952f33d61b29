"""Every figure the benchmark owes, with its target: the one list the table is judged against.

The sections only measure (tools/bench/stats.py `info` rows, named by the builders here). `judge` puts
each expected figure beside its target: met, not met, or "not measured" when the run did not produce it
(its section was not run, failed, or PostgreSQL was not there). A figure that was not measured is never
counted as met. Figures the issue asks for without a target (the shared till store's sales/s and wall
times) are expected too: they print as "not measured" when missing, and carry no met.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from tools.bench.stats import Row

DATABASES = ("sqlite", "postgresql")
KINDS = ("echo", "1101", "pharmacy", "outpatient")
LABEL = {"echo": "echo", "1101": "1101", "pharmacy": "sale 2101+2102", "outpatient": "settle 2206+2207"}
QR, TYPED = "QR image", "typed ID"
TILL_COUNTS = (1, 3, 8)


@dataclass(frozen=True)
class Target:
    """One expected figure: `op` "<=" / ">=" with `limit`, or "" for a figure without a target."""

    section: str
    figure: str
    unit: str
    op: str = ""
    limit: float = 0.0

    @property
    def text(self) -> str:
        return f"{self.op} {self.limit:g}" if self.op else ""

    def met(self, value: float) -> bool | None:
        """True/False against the limit; None for a figure without a target or a value that is NaN."""
        if not self.op or math.isnan(value):
            return None
        return value <= self.limit if self.op == "<=" else value >= self.limit


# Figure names: the sections name their rows with these, the targets below with the same.
def sim_tag(db: str, workers: int) -> str:
    return f"{db} w{workers}"


def sim_route(db: str, workers: int, conns: int, kind: str, what: str) -> str:
    return f"{sim_tag(db, workers)} c{conns} {LABEL[kind]} {what}"


def sim_ratio(db: str, workers: int, conns: int, kind: str) -> str:
    return f"{sim_tag(db, workers)} c{conns} {LABEL[kind]} / echo (req/s)"


def sim_reset(db: str, workers: int) -> str:
    return f"{sim_tag(db, workers)} admin reset (loaded world, median of 3)"


def plugin_figure(mode: str, what: str) -> str:
    return f"{mode} {what}"


def scanner_figure(what: str) -> str:
    return f"pipeline {what}"


def scale_figure(db: str, persons: int, what: str) -> str:
    return f"{db} {persons:,} {what}"


def scale_ratio(db: str, largest: int, smallest: int, name: str) -> str:
    return f"{db} {name} p50 {largest:,}/{smallest:,}"


def tills_figure(count: int, what: str) -> str:
    return f"{count} till{'s' if count > 1 else ''} on one PostgreSQL store: {what}"


def expected(sim_workers: Sequence[int], scale_sizes: Sequence[int], till_counts: Sequence[int] = TILL_COUNTS
             ) -> list[Target]:
    """What a run with these configurations owes (targets of docs: issues 11 and 19)."""
    out = [Target("scanner", scanner_figure("read rate"), "%", ">=", 95),
           Target("scanner", scanner_figure("wrong codes"), "codes", "<=", 0),
           Target("scanner", scanner_figure("p50 per image (incl. load)"), "ms", "<=", 5),
           Target("scanner", scanner_figure("p95 per image (incl. load)"), "ms", "<=", 60),
           Target("scanner", scanner_figure("no-code frame p50"), "ms", "<=", 30)]
    for mode in (QR, TYPED):
        out += [Target("plugin", plugin_figure(mode, "till CPU per sale (mean)"), "ms", "<=", 2),
                Target("plugin", plugin_figure(mode, "checkout wall p50"), "ms", "<=", 15),
                Target("plugin", plugin_figure(mode, "checkout wall p99"), "ms", "<=", 50)]
    for db in DATABASES:
        for workers in sim_workers:
            out += [Target("simulator", sim_route(db, workers, 8, "pharmacy", "p99"), "ms", "<=", 50),
                    Target("simulator", sim_ratio(db, workers, 8, "pharmacy"), "x", ">=", 0.5),
                    Target("simulator", sim_ratio(db, workers, 1, "pharmacy"), "x", ">=", 0.5)]
            out += [Target("simulator", sim_route(db, workers, 8, kind, "p99"), "ms", "<=", 50)
                    for kind in KINDS if kind != "pharmacy"]
            out.append(Target("simulator", sim_reset(db, workers), "ms", "<=", 50))
    if scale_sizes and scale_sizes[-1] >= 1_000_000:
        largest, smallest = scale_sizes[-1], scale_sizes[0]
        for db in DATABASES:
            out.append(Target("scale", scale_figure(db, largest, "seed time"), "s", "<=", 60))
            out += [Target("scale", scale_ratio(db, largest, smallest, name), "x", "<=", 1.2) for name in ("1101", "sale")]
    for count in till_counts:
        out += [Target("tills", tills_figure(count, "sales/s"), "sales/s"),
                Target("tills", tills_figure(count, "wall p99"), "ms"),
                Target("tills", tills_figure(count, "failed sales"), "sales", "<=", 0)]
    return out


def judge(targets: Iterable[Target], rows: Sequence[Row]) -> tuple[list[Row], list[Row]]:
    """(the expected figures in order, each judged or "not measured"; every other row, as measured).

    A row a section already judged (met not None, e.g. failed load-generator ops) stays among the others."""
    by_name = {(r.section, r.figure): r for r in rows}
    judged: list[Row] = []
    used: set[tuple[str, str]] = set()
    for target in targets:
        found = by_name.get((target.section, target.figure))
        if found is None or math.isnan(found.value):
            judged.append(Row(target.section, target.figure, math.nan, target.unit, target.text, None, measured=False))
            if found is not None:
                used.add((found.section, found.figure))
            continue
        used.add((found.section, found.figure))
        judged.append(replace(found, target=target.text, met=target.met(found.value)))
    rest = [r for r in rows if (r.section, r.figure) not in used]
    return judged, rest
