"""Simulator apps built once and handed out reset (tests/simulator/conftest.py): building an app (engine,
schema, blueprints) costs far more than a test."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from flask import Flask

from simulator import create_app


class AppPool:
    """The apps of one database, by configuration; a test may take several of one configuration (a second
    process on the same database)."""

    def __init__(self, db_url: str) -> None:
        self.db_url = db_url
        self.apps: dict[str, list[Flask]] = {}

    def lease(self, config: dict[str, Any], nth: int) -> Flask:
        key = json.dumps(config, sort_keys=True, default=str)
        made = self.apps.setdefault(key, [])
        while len(made) <= nth:
            made.append(create_app({"db_url": self.db_url, "seed": 7, **config}))
        return made[nth]

    def close(self) -> None:
        for apps in self.apps.values():
            for app in apps:
                app.extensions["simulator"].platform.store.dispose()


def fresh(app: Flask) -> Flask:
    """The app as new on an emptied database (admin reset: tables, ids, faults, caches; plus the clock and
    the bounce schedule, which a reset keeps)."""
    platform = app.extensions["simulator"].platform
    platform.admin.reset()
    platform.clock.load(timedelta(0), None)
    app.extensions["family"].bounces.forget_bounce_schedule()
    return app
