"""The plugin section: a whole checkout over loopback, as the till runs it (terminal, journal, msgids).

    QR image  -> decode -> (e-voucher decode) -> 1101 -> 2101 -> 2102
    typed ID  ->                                 1101 -> 2101 -> 2102

Wall time per sale and the till's own CPU per sale (time.process_time of this process: the simulator
runs in another process, so its work is not counted).
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pos_plugin.checkout.identify import Credential, credential_from_text, identify
from pos_plugin.checkout.sale import Order
from pos_plugin.config import TerminalSettings, open_terminal
from pos_plugin.domain.cart import cart_line_from_mapping
from pos_plugin.domain.payer_chain import Choices
from pos_plugin.lab.sim_admin import SimulatorAdmin
from pos_plugin.qr.decoder import decode_image
from tools.bench import servers
from tools.bench.stats import Row, info, percentile
from tools.bench.targets import QR, TYPED, plugin_figure
from tools.bench.world import AREA, PHARMACY, bench_world

CART = ({"code": "A001", "name": "阿莫西林胶囊", "qty": "1", "price": "12.50", "class": "A"},)


@dataclass(frozen=True)
class PluginConfig:
    sales: int


def _sales(base: str, world: dict[str, Any], loaded: dict[str, Any], mode: str, count: int,
           workdir: Path) -> tuple[list[float], list[float]]:
    admin = SimulatorAdmin(base)
    people = world["people"]
    images: list[Path] = []
    if mode == "qr":  # the patient's phone shows a fresh code; rendering it is not the till's work
        for i in range(count):
            _, png = admin.evoucher(loaded["handles"][people[i % len(people)]["id"]])
            images.append(workdir / f"ev-{i}.png")
            images[-1].write_bytes(png)
    admin.close()
    terminal = open_terminal(TerminalSettings(base, PHARMACY, "西安康平大药房", AREA, "shaanxi", workdir / "till"))
    order = Order(tuple(cart_line_from_mapping(line) for line in CART), "pharmacy", "41", Choices(True, True))
    walls, cpus = [], []
    try:
        for i in range(count + 5):  # the first five warm up (imports, connections, sign-in)
            n = i % count
            wall, cpu = time.perf_counter(), time.process_time()
            if mode == "qr":
                credential = credential_from_text(decode_image(images[n])[0])
            else:
                credential = Credential("id_card", people[n % len(people)]["certno"])
            patient = identify(terminal.client, credential)
            terminal.counter.checkout(patient, order, confirm=lambda quote: True)
            if i >= 5:
                walls.append((time.perf_counter() - wall) * 1000)
                cpus.append((time.process_time() - cpu) * 1000)
            elif mode == "qr":  # a warm-up used the code; issue the image again
                _, png = SimulatorAdmin(base).evoucher(loaded["handles"][people[n % len(people)]["id"]])
                images[n].write_bytes(png)
    finally:
        terminal.close()
    return walls, cpus


def run(cfg: PluginConfig) -> tuple[list[Row], dict[str, Any]]:
    rows: list[Row] = []
    raw: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="yibao-plugin-") as tmp:
        workdir = Path(tmp)
        with servers.simulator(f"sqlite:///{workdir / 'platform.sqlite'}") as base:
            world = bench_world(max(50, cfg.sales))
            loaded = servers.admin(base, "POST", "/world", world)
            for mode, label in (("qr", QR), ("id", TYPED)):
                walls, cpus = _sales(base, world, loaded, mode, cfg.sales, workdir)
                cpu = sum(cpus) / len(cpus)
                rows += [info("plugin", plugin_figure(label, "checkout wall p50"), percentile(walls, 50), "ms"),
                         info("plugin", plugin_figure(label, "checkout wall p99"), percentile(walls, 99), "ms"),
                         info("plugin", plugin_figure(label, "till CPU per sale (mean)"), cpu, "ms")]
                raw[mode] = {"wall_p50": percentile(walls, 50), "wall_p99": percentile(walls, 99), "cpu_mean": cpu,
                             "cpu_p50": percentile(cpus, 50), "sales": len(walls)}
    return rows, raw
