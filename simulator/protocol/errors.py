"""The one place refusals are rendered: envelope (infcode -1), decode service, admin API."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException

from simulator.domain.refusals import Internal, PlatformError
from simulator.protocol.edges import allowed_methods, http_refusal, with_headers
from simulator.protocol.envelope import response
from simulator.protocol.runtime import ConnectionDropped, json_response, sim

log = logging.getLogger("simulator")


def _envelope_error(exc: PlatformError) -> Response:
    platform = sim().platform
    env = g.get("envelope")
    now = platform.clock.now()
    area = env.mdtrtarea_admvs if env else "000000"
    body = response(now, platform.ids.inf_refmsgid(area, now), None, env, err_msg=exc.message, err_code=exc.code)
    return json_response(body, exc.http_status)


def _envelope_crash(exc: Exception) -> Response:
    if isinstance(exc, ConnectionDropped):
        # Over a real socket the connection is already shut: this reply is never delivered. Without a
        # socket (Flask's test client) the caller gets a bodiless 500 marked X-Simulator-Dropped.
        return Response(status=500, headers={"X-Simulator-Dropped": "1"})
    log.exception("internal error while handling an envelope")
    return _envelope_error(_internal(exc))


def _internal(exc: Exception) -> PlatformError:
    return Internal(kind=type(exc).__name__)


def _decode_error(exc: PlatformError) -> Response:
    body: dict[str, Any] = {"code": exc.decode_number, "success": False, "type": "error", "message": exc.message,
                            "err_code": exc.code, "data": None}
    return json_response(body, exc.http_status)


def _admin_error(exc: PlatformError) -> Response:
    return json_response({"code": exc.code, "message": exc.message}, exc.status)


def _render(exc: PlatformError) -> Response:
    if request.blueprint == "fsi":
        return _envelope_error(exc)
    if request.blueprint == "decode":
        return _decode_error(exc)
    return _admin_error(exc)


def _http(exc: HTTPException) -> Response:
    """Unmatched route, wrong method, body too large...: the same shapes as every other refusal."""
    return with_headers(_render(http_refusal(exc)), allowed_methods(exc))


def _crash(exc: Exception) -> Response:
    if isinstance(exc, HTTPException):
        return _http(exc)
    if request.blueprint == "fsi":
        return _envelope_crash(exc)
    log.exception("internal error")
    error = _internal(exc)
    if request.blueprint == "decode":
        return _decode_error(error)
    return _admin_error(error)


def install(app: Flask) -> None:
    """Attach the renderers; handlers only ever raise PlatformError."""
    app.register_error_handler(PlatformError, _render)
    app.register_error_handler(HTTPException, _http)
    app.register_error_handler(Exception, _crash)
