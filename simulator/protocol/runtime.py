"""Per-app runtime object (hung on `app.extensions`) and the JSON response helper."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask import Response, current_app

from simulator.platform.service import Platform
from simulator.protocol.auth import TifGate


class ConnectionDropped(Exception):
    """A drop_after_commit fault fired: the transaction committed and the reply must not arrive."""


@dataclass
class Simulator:
    """Everything a request handler reaches: the platform and the gateway check."""

    platform: Platform
    gate: TifGate


def sim() -> Simulator:
    found: Simulator = current_app.extensions["simulator"]
    return found


def json_response(body: Any, status: int = 200) -> Response:
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=str)
    return Response(text, status=status, content_type="application/json; charset=utf-8")
