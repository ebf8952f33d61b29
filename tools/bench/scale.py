"""The scale section: `yibao-sim seed` at 1k / 100k / 1M persons on SQLite and PostgreSQL; seed time,
database size, and 1101 / sale (2101+2102) p50/p99 against seeded people; the largest/1k ratio."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from simulator.store.engine import normalise_url
from tools.bench import servers
from tools.bench.sim import msgid_base
from tools.bench.stats import Row, info, percentile
from tools.bench.targets import scale_figure, scale_ratio
from tools.bench.world import AREA, HOSPITAL, PHARMACY, bench_world


@dataclass(frozen=True)
class ScaleConfig:
    sizes: tuple[int, ...]
    samples: int  # sequential 1101 queries and sales per size


def _seed(url: str, persons: int) -> float:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "simulator", "seed", "--db", url, "--persons", str(persons),
                           "--quiet"], cwd=servers.ROOT, capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        raise RuntimeError(f"seed failed: {done.stderr[-2000:]}")
    return time.perf_counter() - started


def _size_mib(url: str) -> float:
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 2**20
    engine = create_engine(normalise_url(url))
    with engine.connect() as conn:
        size = int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one())
    engine.dispose()
    return size / 2**20


def _sample_people(url: str, persons: int, count: int) -> list[list[str]]:
    """[psn_no, certno] of `count` seeded employees spread evenly over the whole table."""
    step = max(1, persons // count)
    ids = [i for i in range(1, persons + 1, step) if i % 10 < 7][:count]
    engine = create_engine(normalise_url(url))
    with engine.connect() as conn:
        rows = conn.execute(text(f"SELECT psn_no, certno FROM persons WHERE id IN ({','.join(map(str, ids))})"))
        found = [[r.psn_no, r.certno] for r in rows]
    engine.dispose()
    return found


def _latencies(url: str, kind: str, people: list[list[str]], samples: int) -> list[float]:
    result = servers.load({"url": url, "kind": kind, "conns": 1, "seconds": 600, "max_ops": samples,
                           "persons": people, "pharmacy": PHARMACY, "hospital": HOSPITAL, "area": AREA,
                           "insuplc": AREA, "msgid_base": msgid_base()})
    if result["errors"]:
        raise RuntimeError(f"scale {kind}: {result['error_samples']}")
    latencies: list[float] = result["latencies_ms"]
    return latencies


def measure(db: str, url: str, persons: int, cfg: ScaleConfig) -> tuple[list[Row], dict[str, Any]]:
    seconds = _seed(url, persons)
    size = _size_mib(url)
    rows = [info("scale", scale_figure(db, persons, "seed time"), seconds, "s"),
            info("scale", scale_figure(db, persons, "database size"), size, "MiB")]
    people = _sample_people(url, persons, cfg.samples)
    with servers.simulator(url) as base:
        servers.admin(base, "POST", "/world", bench_world(1))  # institutions, policy, catalogue
        query = _latencies(base, "1101", people, cfg.samples)
        sale = _latencies(base, "pharmacy", people, cfg.samples)
    figures = {"1101": query, "sale": sale}
    for name, values in figures.items():
        rows.append(info("scale", scale_figure(db, persons, f"{name} p50"), percentile(values, 50), "ms"))
        rows.append(info("scale", scale_figure(db, persons, f"{name} p99"), percentile(values, 99), "ms"))
    return rows, {"seed_s": seconds, "size_mib": size, "p50": {k: percentile(v, 50) for k, v in figures.items()}}


def run(cfg: ScaleConfig, pg: Any) -> tuple[list[Row], dict[str, Any]]:
    rows: list[Row] = []
    raw: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="yibao-scale-") as tmp:
        for db, make_url in servers.database_targets(tmp, pg, "scale"):
            for persons in cfg.sizes:
                url = make_url(persons)
                got, detail = measure(db, url, persons, cfg)
                rows += got
                raw[f"{db} {persons}"] = detail
                if url.startswith("sqlite"):
                    for path in Path(tmp).glob(f"scale-{persons}.sqlite*"):
                        os.remove(path)
            smallest, largest = raw[f"{db} {cfg.sizes[0]}"]["p50"], raw[f"{db} {cfg.sizes[-1]}"]["p50"]
            for name in ("1101", "sale"):
                ratio = largest[name] / smallest[name] if smallest[name] else float("nan")
                rows.append(info("scale", scale_ratio(db, cfg.sizes[-1], cfg.sizes[0], name), ratio, "x"))
    return rows, raw

