"""`create_app(config)`: the Flask app factory. All state hangs off the app, none off modules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import Flask

from simulator.config import SimConfig
from simulator.platform.clock import Clock
from simulator.platform.faults import FaultPlan
from simulator.platform.ids import IdGenerator
from simulator.platform.service import Platform
from simulator.protocol import edges, errors
from simulator.protocol.admin import admin
from simulator.protocol.app_api import install as install_family
from simulator.protocol.app_auth import load_world
from simulator.protocol.auth import TifGate
from simulator.protocol.fsi import decode, fsi
from simulator.protocol.runtime import Simulator
from simulator.store.store import Store


def create_app(config: SimConfig | dict[str, Any] | None = None) -> Flask:
    """Build a simulator app: store (schema created), clock, seeded ids, fault plan, blueprints."""
    cfg = SimConfig.of(config).with_default_db()
    store = Store(cfg.db_url)
    platform = Platform(store, Clock(), IdGenerator(cfg.seed, store.reserve_ids), FaultPlan(), cfg.fixtures)
    app = Flask("simulator")
    app.config["SIMULATOR"] = cfg
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions["simulator"] = Simulator(platform, TifGate(cfg.auth == "tif", cfg.tif_credentials, store))
    errors.install(app)
    edges.install(app, cfg.max_body_bytes)
    for blueprint in (fsi, decode, admin):
        app.register_blueprint(blueprint)
    install_family(app)  # family app API, app page, OpenAPI, wallet bounces
    for path in cfg.load:
        load_world(platform, json.loads(Path(path).read_text(encoding="utf-8")))
    return app

