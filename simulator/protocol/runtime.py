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


def encode_json(body: Any) -> bytes:
    """The reply as UTF-8 bytes; raises (UnicodeEncodeError, TypeError...) when it cannot be sent."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")


def json_response(body: Any, status: int = 200, strict: bool = False) -> Response:
    """A JSON reply, encoded now. `strict`: let an unencodable body raise (the envelope endpoint encodes
    its reply before committing); otherwise anything that is not valid UTF-8 is sent as JSON escapes."""
    try:
        data = encode_json(body)
    except UnicodeEncodeError:
        if strict:
            raise
        data = json.dumps(body, ensure_ascii=True, separators=(",", ":"), default=str).encode("ascii")
    return Response(data, status=status, content_type="application/json; charset=utf-8")
