"""`create_app(config)`: the Flask app factory. All state hangs off the app, none off modules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import Flask

from simulator.config import SimConfig
from simulator.domain.refusals import PlatformError, WorldFile
from simulator.platform.clock import Clock
from simulator.platform.faults import FaultPlan
from simulator.platform.ids import IdGenerator
from simulator.platform.service import Platform
from simulator.platform.shared import SharedSync
from simulator.protocol import edges, errors
from simulator.protocol.admin import admin
from simulator.protocol.app_api import install as install_family
from simulator.protocol.app_auth import load_world
from simulator.protocol.auth import TifGate
from simulator.protocol.console import console, root
from simulator.protocol.fsi import decode, fsi
from simulator.protocol.runtime import Simulator
from simulator.store.store import Store


def create_app(config: SimConfig | dict[str, Any] | None = None) -> Flask:
    """Build a simulator app: store (schema created), clock, seeded ids, fault plan, blueprints."""
    cfg = SimConfig.of(config).with_default_db()
    store = Store(cfg.db_url)
    platform = Platform(store, Clock(), IdGenerator(cfg.seed, store.reserve_ids), FaultPlan(), cfg.fixtures)
    if cfg.shared:
        platform.shared = SharedSync(store, platform.clock, platform.ids)
    app = Flask("simulator")
    app.config["SIMULATOR"] = cfg
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions["simulator"] = Simulator(platform, TifGate(cfg.auth == "tif", cfg.tif_credentials, platform.nonces))
    errors.install(app)
    edges.install(app, cfg.max_body_bytes)
    for blueprint in (fsi, decode, admin, console, root):
        app.register_blueprint(blueprint)
    install_family(app)  # family app API, app page, OpenAPI, wallet bounces
    if cfg.shared:
        app.before_request(platform.sync_shared)
    try:
        for path in cfg.load:
            load_world_file(platform, path)
    except PlatformError:
        store.dispose()
        raise
    return app


def load_world_file(platform: Platform, path: str) -> None:
    """Load one world or scenario file (`--load`); a missing, unreadable or refused file is one
    PlatformError naming the file (the CLI prints it as one line), and nothing of it is loaded."""
    try:
        body = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise WorldFile(detail=f"世界文件不存在：{path}") from None
    except (OSError, ValueError) as exc:
        raise WorldFile(detail=f"世界文件 {path} 无法读取（需为 UTF-8 JSON）：{exc}") from None
    try:
        load_world(platform, body)  # with the people's app credentials
    except PlatformError as exc:
        raise exc.prefixed(path) from None

