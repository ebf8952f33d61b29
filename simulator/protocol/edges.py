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

from simulator.domain.refusals import (
    BadRequest,
    BindingUnknown,
    BodyTooLarge,
    HttpError,
    HttpRefused,
    MethodNotAllowed,
    NoSuchRoute,
    PlatformError,
    RecordUnknown,
)
from simulator.protocol.inputs import checked_text

PATH_TEXT_MAX = 64
ID_MAX = 2**63 - 1
_HTTP_REFUSALS: dict[int, type[HttpRefused]] = {400: BadRequest, 404: NoSuchRoute, 405: MethodNotAllowed,
                                                413: BodyTooLarge, 415: BadRequest}


def http_refusal(exc: HTTPException) -> PlatformError:
    """An HTTP-level error as a refusal of the catalogue (rendered by protocol/errors.py). 415 answers as
    ERR_BAD_REQUEST (400); any other HTTP error as ERR_HTTP_ERROR (400) naming its status."""
    status = exc.code or 500
    if status == 413:
        limit = request.max_content_length
        return BodyTooLarge(limit=f"（最多 {limit} 字节）" if limit else "")
    refusal = _HTTP_REFUSALS.get(status)
    return refusal() if refusal is not None else HttpError(status=status)


def _check_path_values(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    for name, value in (values or {}).items():
        if isinstance(value, int) and not 0 <= value <= ID_MAX:
            raise BindingUnknown(binding_id=value) if name == "binding_id" else RecordUnknown(name=name)
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
