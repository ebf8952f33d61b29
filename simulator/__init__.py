"""A simulator of the national medical-insurance platform (国家医保信息平台) for integration tests."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from flask import Flask

    from simulator.config import SimConfig


def create_app(config: SimConfig | dict[str, Any] | None = None) -> Flask:
    """Build the simulator's Flask app (see simulator.app.create_app)."""
    from simulator.app import create_app as build

    return build(config)
