"""`make bench` (python -m tools.bench): every figure of issues 11 and 19 next to its target, in one table
(tools/bench/targets.py: a figure whose section did not run, failed or had no PostgreSQL prints as
"not measured", never as met), then the details each section measured.

    BENCH=quick (default, < 2 minutes)   short runs, scale at 1k and 10k persons, a small scanner corpus
    BENCH=full                           longer runs, scale at 1k / 100k / 1M, the whole corpus
    BENCH_ONLY=sim,scale,plugin,scanner,tills  run only these sections (tills: the shared PostgreSQL till store)
    BENCH_SIM_THREADS=N                  the simulator section's servers run `--threads N` (default: serve's own)

Writes var/bench/bench-<mode>.json (every figure and raw detail) and var/bench/bench-<mode>.md.
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tools.bench import plugin, scale, scanner, servers, sim, targets, tills
from tools.bench.report import render_markdown, render_table
from tools.bench.stats import Row

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "var" / "bench"
SECTIONS = ("sim", "scale", "plugin", "scanner", "tills")


def configs(full: bool) -> dict[str, Any]:
    workers = (1, max(2, os.cpu_count() or 2))
    threads = os.environ.get("BENCH_SIM_THREADS", "")
    serve = ("--threads", str(int(threads))) if threads else ()
    if full:
        return {"sim": sim.SimConfig(seconds=5.0, people=1000, visits=1500, workers=workers, serve_args=serve),
                "scale": scale.ScaleConfig(sizes=(1_000, 100_000, 1_000_000), samples=300),
                "plugin": plugin.PluginConfig(sales=200), "scanner": scanner.ScannerConfig(per_category=25),
                "tills": tills.TillsConfig(seconds=10.0)}
    return {"sim": sim.SimConfig(seconds=1.0, people=200, visits=150, workers=workers, serve_args=serve),
            "scale": scale.ScaleConfig(sizes=(1_000, 10_000), samples=100),
            "plugin": plugin.PluginConfig(sales=60), "scanner": scanner.ScannerConfig(per_category=15),
            "tills": tills.TillsConfig(seconds=3.0)}


def main() -> int:
    mode = os.environ.get("BENCH", "quick")
    if mode not in ("quick", "full"):
        print(f"BENCH must be quick or full, not {mode!r}", file=sys.stderr)
        return 2
    only = [s for s in os.environ.get("BENCH_ONLY", ",".join(SECTIONS)).split(",") if s]
    unknown = set(only) - set(SECTIONS)
    if unknown:
        print(f"BENCH_ONLY: unknown sections {sorted(unknown)}; known: {', '.join(SECTIONS)}", file=sys.stderr)
        return 2
    cfg = configs(mode == "full")
    load_before = _load()
    started = time.perf_counter()
    rows: list[Row] = []
    raw: dict[str, Any] = {}
    with servers.postgres() as pg:
        runners: dict[str, Callable[[], tuple[list[Row], dict[str, Any]]]] = {
            "sim": lambda: sim.run(cfg["sim"], pg), "scale": lambda: scale.run(cfg["scale"], pg),
            "plugin": lambda: plugin.run(cfg["plugin"]), "scanner": lambda: scanner.run(cfg["scanner"]),
            "tills": lambda: tills.run(cfg["tills"], pg),
        }
        for name in SECTIONS:
            if name in only:
                began = time.perf_counter()
                print(f"bench: {name} ...", file=sys.stderr, flush=True)
                try:
                    got, detail = runners[name]()
                except Exception as exc:  # noqa: BLE001 - its figures print as "not measured"
                    print(f"bench: {name} FAILED: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
                    got, detail = [], {"failed": f"{type(exc).__name__}: {exc}"}
                rows += got
                raw[name] = detail
                print(f"bench: {name} done in {time.perf_counter() - began:.1f} s", file=sys.stderr, flush=True)
    seconds = time.perf_counter() - started
    load = {"start": load_before, "end": _load()}
    threads = f", simulator {' '.join(cfg['sim'].serve_args)}" if cfg["sim"].serve_args else ""
    title = (f"yibao-pos benchmark ({mode}{threads}, {seconds:.0f} s, {os.cpu_count()} cores, load average "
             f"{load_before[0]:.2f} at the start, {load['end'][0]:.2f} at the end)")
    expected = targets.expected(cfg["sim"].workers, cfg["scale"].sizes, cfg["tills"].counts)
    judged, details = targets.judge(expected, rows)
    print(render_table(title, judged, details))
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"bench-{mode}.json").write_text(json.dumps(
        {"mode": mode, "seconds": seconds, "load_average": load, "targets": [r.as_dict() for r in judged],
         "details": [r.as_dict() for r in details], "raw": raw},
        ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    (OUT / f"bench-{mode}.md").write_text(render_markdown(title, judged, details), encoding="utf-8")
    print(f"written: {OUT / f'bench-{mode}.json'} and .md")
    return 0


def _load() -> tuple[float, float, float]:
    """The machine's load average (1, 5, 15 minutes): the figures say how busy the machine was."""
    return os.getloadavg() if hasattr(os, "getloadavg") else (math.nan, math.nan, math.nan)


if __name__ == "__main__":
    sys.exit(main())
