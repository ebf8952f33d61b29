"""The one place refusals are rendered: envelope (infcode -1), decode service, admin API."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException

from simulator.platform.errors import AuthRejected, DecodeRefused, NotFound, PlatformError
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
    error = PlatformError("ERR_INTERNAL", f"平台内部错误：{type(exc).__name__}，交易未完成，请查询后冲正或重试")
    error.http_status = 500
    return error


def _decode_error(exc: PlatformError) -> Response:
    number = exc.number if isinstance(exc, DecodeRefused) else 9
    body: dict[str, Any] = {"code": number, "success": False, "type": "error", "message": exc.message,
                            "err_code": exc.code, "data": None}
    return json_response(body, exc.http_status)


def _admin_error(exc: PlatformError) -> Response:
    status = 404 if isinstance(exc, NotFound) else 401 if isinstance(exc, AuthRejected) else 400
    if exc.http_status not in (200, 401):  # HTTP-level refusals (404 route, 405, 413) and internal errors
        status = exc.http_status
    return json_response({"code": exc.code, "message": exc.message}, status)


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
    return json_response({"code": error.code, "message": error.message}, 500)


def install(app: Flask) -> None:
    """Attach the renderers; handlers only ever raise PlatformError."""
    app.register_error_handler(PlatformError, _render)
    app.register_error_handler(HTTPException, _http)
    app.register_error_handler(Exception, _crash)
