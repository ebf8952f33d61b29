"""The plugin section: a whole checkout over loopback, as the till runs it (terminal, journal, msgids).

    QR image  -> decode -> (e-voucher decode) -> 1101 -> 2101 -> 2102
    typed ID  ->                                 1101 -> 2101 -> 2102

Wall time per sale and the till's own CPU per sale (time.process_time of this process: the simulator
runs in another process, so its work is not counted). After the timed sales a few more are run with every
local SQLite connection traced, for the statements and commits per sale (tracing costs CPU, so those sales
are not timed). `BENCH_PROFILE=N` runs N more sales per mode under cProfile and writes the top entries to
var/bench/plugin-profile-<mode>.txt.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pos_plugin.checkout.identify import Credential, credential_from_text, identify
from pos_plugin.checkout.sale import Order
from pos_plugin.config import Terminal, TerminalSettings, open_terminal
from pos_plugin.domain.cart import cart_line_from_mapping
from pos_plugin.domain.payer_chain import Choices
from pos_plugin.lab.sim_admin import SimulatorAdmin
from pos_plugin.qr.decoder import decode_image
from tools.bench import servers
from tools.bench.stats import Row, info, percentile
from tools.bench.targets import QR, TYPED, plugin_figure
from tools.bench.world import AREA, PHARMACY, bench_world

CART = ({"code": "A001", "name": "阿莫西林胶囊", "qty": "1", "price": "12.50", "class": "A"},)
ROOT = Path(__file__).resolve().parents[2]
TRACED_SALES = 5


@dataclass(frozen=True)
class PluginConfig:
    sales: int
    profiled: int = int(os.environ.get("BENCH_PROFILE", "0") or 0)  # sales per mode under cProfile


def _sales(base: str, world: dict[str, Any], loaded: dict[str, Any], mode: str, count: int, workdir: Path,
           profiled: int) -> tuple[list[float], list[float], dict[str, float]]:
    """Five warm-up sales, `count` timed ones, TRACED_SALES with the SQLite statements counted, and
    `profiled` under cProfile (its top entries written to var/bench/plugin-profile-<mode>.txt)."""
    people = world["people"]
    total = 5 + count + TRACED_SALES + profiled
    images: list[Path] = []
    if mode == "qr":  # the patient's phone shows a fresh code per sale; rendering it is not the till's work
        admin = SimulatorAdmin(base)
        for i in range(total):
            _, png = admin.evoucher(loaded["handles"][people[i % len(people)]["id"]])
            images.append(workdir / f"ev-{mode}-{i}.png")
            images[-1].write_bytes(png)
        admin.close()
    terminal = open_terminal(TerminalSettings(base, PHARMACY, "西安康平大药房", AREA, "shaanxi", workdir / "till"))
    order = Order(tuple(cart_line_from_mapping(line) for line in CART), "pharmacy", "41", Choices(True, True))

    def sale(i: int) -> None:
        if mode == "qr":
            credential = credential_from_text(decode_image(images[i])[0])
        else:
            credential = Credential("id_card", people[i % len(people)]["certno"])
        patient = identify(terminal.client, credential)
        terminal.counter.checkout(patient, order, confirm=lambda quote: True)

    walls, cpus = [], []
    try:
        for i in range(5):  # warm up (imports, connections, sign-in)
            sale(i)
        for i in range(5, 5 + count):
            wall, cpu = time.perf_counter(), time.process_time()
            sale(i)
            walls.append((time.perf_counter() - wall) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
        first = 5 + count
        counts = _traced(terminal, lambda: _each(sale, range(first, first + TRACED_SALES)))
        if profiled:
            first += TRACED_SALES
            _profile(mode, lambda: _each(sale, range(first, first + profiled)), profiled)
    finally:
        terminal.close()
    return walls, cpus, {name: n / TRACED_SALES for name, n in counts.items()}


def _each(sale: Callable[[int], None], numbers: range) -> None:
    for i in numbers:
        sale(i)


def _traced(terminal: Terminal, run: Callable[[], object]) -> dict[str, int]:
    """Statements and commits on every local SQLite connection of the terminal while `run` runs (the terminal
    uses one connection per store, so one flag per run tells whether a write is inside a transaction)."""
    counts = {"statements": 0, "commits": 0}
    inside = [False]  # within BEGIN … COMMIT; a write outside one commits on its own

    def seen(sql: str) -> None:
        counts["statements"] += 1
        word = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
        if word == "BEGIN":
            inside[0] = True
        elif word in ("COMMIT", "ROLLBACK", "END"):
            inside[0] = False
            counts["commits"] += word != "ROLLBACK"
        elif word in ("INSERT", "UPDATE", "DELETE", "REPLACE") and not inside[0]:
            counts["commits"] += 1

    stores = _stores(terminal)
    for store in stores:
        store.trace(seen)
    try:
        run()
    finally:
        for store in stores:
            store.trace(None)
    return counts


def _stores(terminal: Terminal) -> list[Any]:
    """The terminal's SQLite stores, each once (the msgid sequence and sign-in cache share one)."""
    candidates = [terminal.client.msgids.db, terminal.journal.db, terminal.sales.db, terminal.stays.db,
                  terminal.catalogue.db, terminal.till.uploads.db if terminal.till.uploads else None]
    unique: dict[int, Any] = {}
    for store in candidates:
        if store is not None and hasattr(store, "trace"):
            unique[id(store)] = store
    return list(unique.values())


def _profile(mode: str, run: Callable[[], object], sales: int) -> None:
    profiler = cProfile.Profile(time.process_time)  # CPU, as the figure it explains
    profiler.runcall(run)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    total = stats.total_tt  # type: ignore[attr-defined]
    out.write(f"{sales} sales ({mode}), {total * 1000 / sales:.2f} ms CPU per sale under the profiler (process_time)\n")
    stats.sort_stats("tottime").print_stats(30)
    stats.sort_stats("cumulative").print_stats(40)
    target = ROOT / "var" / "bench" / f"plugin-profile-{mode}.txt"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(out.getvalue(), encoding="utf-8")
    print(f"bench: plugin profile of {mode} written to {target}", file=sys.stderr)


def run(cfg: PluginConfig) -> tuple[list[Row], dict[str, Any]]:
    rows: list[Row] = []
    raw: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="yibao-plugin-") as tmp:
        workdir = Path(tmp)
        with servers.simulator(f"sqlite:///{workdir / 'platform.sqlite'}") as base:
            world = bench_world(max(50, cfg.sales))
            loaded = servers.admin(base, "POST", "/world", world)
            for mode, label in (("qr", QR), ("id", TYPED)):
                walls, cpus, counts = _sales(base, world, loaded, mode, cfg.sales, workdir, cfg.profiled)
                cpu = sum(cpus) / len(cpus)
                rows += [info("plugin", plugin_figure(label, "checkout wall p50"), percentile(walls, 50), "ms"),
                         info("plugin", plugin_figure(label, "checkout wall p99"), percentile(walls, 99), "ms"),
                         info("plugin", plugin_figure(label, "till CPU per sale (mean)"), cpu, "ms"),
                         info("plugin", plugin_figure(label, "local SQLite statements per sale"), counts["statements"], ""),
                         info("plugin", plugin_figure(label, "local SQLite commits per sale"), counts["commits"], "")]
                raw[mode] = {"wall_p50": percentile(walls, 50), "wall_p99": percentile(walls, 99), "cpu_mean": cpu,
                             "cpu_p50": percentile(cpus, 50), "sales": len(walls), **counts}
    return rows, raw
