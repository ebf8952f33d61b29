"""The HTTP edges every request passes: body-size limit, path parameters, and HTTP-level errors.

* Bodies larger than `SimConfig.max_body_bytes` (default 4 MiB) are refused before they are read
  (HTTP 413, `ERR_BODY_TOO_LARGE`).
* Path and query parameters (`/app/persons/<psn_no>`, `/app/bindings/<int:binding_id>`,
  `?fixmedins_code=` ...) are checked before any handler runs: texts at most 64 characters without control characters or lone surrogates,
  integers within 64 bits (a larger id cannot exist: 404 as for any unknown id).
* Unmatched routes (404), wrong methods (405) and other HTTP errors answer in the documented shapes:
  `{"code", "message"}`, or the error envelope (infcode -1) on the envelope endpoint.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from simulator.platform.errors import NotFound, PlatformError
from simulator.protocol.inputs import checked_text

PATH_TEXT_MAX = 64
ID_MAX = 2**63 - 1
_HTTP_CODES = {400: ("ERR_BAD_REQUEST", "请求格式错误"), 404: ("ERR_NO_SUCH_ROUTE", "接口不存在"),
               405: ("ERR_METHOD_NOT_ALLOWED", "接口不支持该 HTTP 方法"),
               413: ("ERR_BODY_TOO_LARGE", "请求体过大"), 415: ("ERR_BAD_REQUEST", "请求格式错误")}


def http_refusal(exc: HTTPException) -> PlatformError:
    """An HTTP-level error as a PlatformError with its status (rendered by protocol/errors.py)."""
    status = exc.code or 500
    code, message = _HTTP_CODES.get(status, ("ERR_HTTP_ERROR", f"HTTP 错误 {status}"))
    if status == 413:
        limit = request.max_content_length
        message += f"（最多 {limit} 字节）" if limit else ""
    error = PlatformError(code, message)
    error.http_status = status
    return error


def _check_path_values(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    for name, value in (values or {}).items():
        if isinstance(value, int) and not 0 <= value <= ID_MAX:
            raise NotFound("ERR_BINDING_UNKNOWN" if name == "binding_id" else "ERR_NOT_FOUND",
                           f"路径参数 {name} 所指的记录不存在")
        if isinstance(value, str):
            checked_text(value, f"路径参数 {name}", PATH_TEXT_MAX)


def _check_query() -> None:
    """Query parameters (`/admin/settlements?fixmedins_code=...`) obey the path parameters' rules."""
    for name, value in request.args.items(multi=True):
        checked_text(value, f"查询参数 {name[:PATH_TEXT_MAX]}", PATH_TEXT_MAX)


def install(app: Flask, max_body_bytes: int) -> None:
    """Set the body limit and check path and query parameters on every route."""
    app.config["MAX_CONTENT_LENGTH"] = max_body_bytes
    app.url_value_preprocessor(_check_path_values)
    app.before_request(_check_query)


def allowed_methods(exc: HTTPException) -> dict[str, str]:
    """Keep the Allow header of a 405."""
    allow = exc.get_response().headers.get("Allow") if exc.code == 405 else None
    return {"Allow": allow} if allow else {}


def with_headers(response: Response, headers: dict[str, str]) -> Response:
    for key, value in headers.items():
        response.headers[key] = value
    return response
