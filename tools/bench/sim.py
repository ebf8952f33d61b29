"""The simulator section: req/s and p50/p99 per route, 1 and 8 connections, SQLite and PostgreSQL, 1 and N
workers; admin reset and world-load time. Ratios (settlement / echo) come from the same server."""

from __future__ import annotations

import itertools
import math
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tools.bench import servers
from tools.bench.stats import Row, info, median, percentile
from tools.bench.targets import KINDS, LABEL, sim_ratio, sim_reset, sim_route, sim_tag
from tools.bench.world import AREA, HOSPITAL, PHARMACY, bench_world, persons_of

REQUESTS_PER_OP = {"echo": 1, "1101": 1, "pharmacy": 2, "outpatient": 2}
_RUN = itertools.count()


@dataclass(frozen=True)
class SimConfig:
    seconds: float
    people: int
    visits: int  # outpatient visits opened per run (the 2206+2207 pairs available)
    workers: tuple[int, ...]
    conns: tuple[int, ...] = (1, 8)
    serve_args: tuple[str, ...] = ()  # extra `simulator serve` options (BENCH_SIM_THREADS=N: --threads N)


def msgid_base() -> str:
    """A fresh stamp per load run (each run uses well under 600 s of 10,000 msgids a second)."""
    return (datetime.now() - timedelta(hours=6) + timedelta(seconds=600 * next(_RUN))).isoformat()


def measure_server(url: str, db: str, workers: int, cfg: SimConfig) -> tuple[list[Row], dict[str, Any]]:
    """Every route at every connection count against one running server."""
    world = bench_world(cfg.people)
    load_ms, loaded = servers.timed_admin(url, "POST", "/world", world)
    people = persons_of(world, loaded)
    tag = sim_tag(db, workers)
    raw: dict[str, Any] = {"world_load_ms": load_ms}
    rows: list[Row] = [info("simulator", f"{tag} world load ({cfg.people} persons)", load_ms, "ms")]
    rates: dict[tuple[str, int], float] = {}
    for kind in KINDS:
        for conns in cfg.conns:
            result = servers.load({"url": url, "kind": kind, "conns": conns, "seconds": cfg.seconds,
                                   "max_ops": cfg.visits if kind == "outpatient" else 0, "persons": people,
                                   "pharmacy": PHARMACY, "hospital": HOSPITAL, "area": AREA, "insuplc": AREA,
                                   "msgid_base": msgid_base()})
            lat = result["latencies_ms"]
            req_s = result["ops"] * REQUESTS_PER_OP[kind] / result["seconds"]
            rates[(kind, conns)] = req_s
            raw[f"{tag} c{conns} {LABEL[kind]}"] = {k: v for k, v in result.items() if k != "latencies_ms"}
            rows += [info("simulator", sim_route(db, workers, conns, kind, "req/s"), req_s, "req/s"),
                     info("simulator", sim_route(db, workers, conns, kind, "p50"), percentile(lat, 50), "ms"),
                     info("simulator", sim_route(db, workers, conns, kind, "p99"), percentile(lat, 99), "ms")]
            if result["errors"]:
                rows.append(Row("simulator", sim_route(db, workers, conns, kind, "failed ops (see JSON)"),
                                result["errors"], "ops", "0", False))
    for conns in cfg.conns:
        echo = rates[("echo", conns)]
        for kind in ("pharmacy", "outpatient"):
            ratio = rates[(kind, conns)] / echo if echo else math.nan
            rows.append(info("simulator", sim_ratio(db, workers, conns, kind), ratio, "x"))
    resets, reloads = [], []
    for _ in range(3):
        ms, _reply = servers.timed_admin(url, "POST", "/reset")
        resets.append(ms)
        ms, _reply = servers.timed_admin(url, "POST", "/world", world)
        reloads.append(ms)
    rows.append(info("simulator", sim_reset(db, workers), median(resets), "ms"))
    rows.append(info("simulator", f"{tag} world reload ({cfg.people} persons, median of 3)", median(reloads), "ms"))
    raw["resets_ms"], raw["reloads_ms"] = resets, reloads
    return rows, raw


def run(cfg: SimConfig, pg: Any) -> tuple[list[Row], dict[str, Any]]:
    rows: list[Row] = []
    raw: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="yibao-bench-") as tmp:
        for db, make_url in servers.database_targets(tmp, pg, "sim"):
            for workers in cfg.workers:
                with servers.simulator(make_url(workers), workers, cfg.serve_args) as url:
                    got, detail = measure_server(url, db, workers, cfg)
                rows += got
                raw[f"{db} w{workers}"] = detail
    return rows, raw
