"""The shared-store section: tills as separate processes (each its own terminal, as on its own PC) on one
PostgreSQL till store (`--state-db`), typed-ID checkouts against one simulator; sales/s and wall p50/p99
with 1, 3 and 8 tills. Informational: the issue sets no target, the figures say what sharing costs.

    python -m tools.bench.tills < spec.json   ->  one JSON line: sales, seconds, errors, latencies (ms)
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pos_plugin.checkout.identify import Credential, identify
from pos_plugin.checkout.sale import Order
from pos_plugin.config import TerminalSettings, open_terminal
from pos_plugin.domain.cart import cart_line_from_mapping
from pos_plugin.errors import PosError
from tools import pg
from tools.bench import servers
from tools.bench.plugin import CART
from tools.bench.stats import Row, info, percentile
from tools.bench.targets import tills_figure
from tools.bench.world import AREA, PHARMACY, bench_world


@dataclass(frozen=True)
class TillsConfig:
    seconds: float
    counts: tuple[int, ...] = (1, 3, 8)


def worker(spec: dict[str, Any]) -> dict[str, Any]:
    """One till: checkouts for `seconds` (after two warm-up sales), each a different person."""
    terminal = open_terminal(TerminalSettings(spec["url"], PHARMACY, "西安康平大药房", AREA, "shaanxi",
                                              Path(spec["dir"]), spec["terminal"], state_db=spec["state_db"]))
    order = Order(tuple(cart_line_from_mapping(line) for line in CART))
    people, latencies, errors = spec["certnos"], [], 0
    began = deadline = float("inf")
    try:
        for n in range(10**9):
            if n == 2:  # two warm-up sales (imports, connections, sign-in) before the clock starts
                began = time.perf_counter()
                deadline = began + float(spec["seconds"])
            if time.perf_counter() > deadline:
                break
            started = time.perf_counter()
            try:
                patient = identify(terminal.client, Credential("id_card", people[n % len(people)]))
                terminal.till.checkout(patient, order, lambda quote: True)
            except PosError:
                errors += 1
                continue
            if n >= 2:
                latencies.append((time.perf_counter() - started) * 1000)
    finally:
        terminal.close()
    return {"sales": len(latencies), "seconds": time.perf_counter() - began, "errors": errors,
            "latencies": latencies}


def run(cfg: TillsConfig, server: pg.PgServer | None) -> tuple[list[Row], dict[str, Any]]:
    if server is None:
        return [], {"skipped": "no PostgreSQL"}
    rows: list[Row] = []
    raw: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="yibao-tills-") as tmp, \
            servers.simulator(f"sqlite:///{Path(tmp) / 'platform.sqlite'}") as url:
        world = bench_world(400)
        servers.admin(url, "POST", "/world", world)
        certnos = [p["certno"] for p in world["people"]]
        for count in cfg.counts:
            store = server.create_database(f"bench_tills_{count}")
            specs = [{"url": url, "state_db": store, "terminal": f"T{i + 1}", "dir": str(Path(tmp) / f"t{count}-{i}"),
                      "seconds": cfg.seconds, "certnos": certnos[i::count]} for i in range(count)]
            procs = [subprocess.Popen([sys.executable, "-m", "tools.bench.tills"], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, text=True, cwd=servers.ROOT) for _ in specs]
            for proc, spec in zip(procs, specs, strict=True):
                assert proc.stdin is not None
                proc.stdin.write(json.dumps(spec))
                proc.stdin.close()
            results = []
            for proc in procs:
                assert proc.stdout is not None
                out = proc.stdout.read()
                proc.wait(timeout=cfg.seconds + 300)
                if proc.returncode != 0:
                    raise RuntimeError(f"till process failed ({proc.returncode})")
                results.append(json.loads(out))
            latencies = [ms for r in results for ms in r["latencies"]]
            rate = sum(r["sales"] / r["seconds"] for r in results)
            failed = sum(r["errors"] for r in results)
            rows += [info("tills", tills_figure(count, "sales/s"), rate, "sales/s"),
                     info("tills", tills_figure(count, "wall p50"), percentile(latencies, 50), "ms"),
                     info("tills", tills_figure(count, "wall p99"), percentile(latencies, 99), "ms"),
                     info("tills", tills_figure(count, "failed sales"), failed, "sales")]
            raw[str(count)] = {"rate": rate, "p50": percentile(latencies, 50), "p99": percentile(latencies, 99),
                               "sales": len(latencies), "errors": sum(r["errors"] for r in results)}
    return rows, raw


if __name__ == "__main__":
    print(json.dumps(worker(json.loads(sys.stdin.read()))))
