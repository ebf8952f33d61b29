"""The local agent's Flask app: routes, the token check, idempotency keys, and the one place errors are
rendered as {"code": "ERR_…", "message": "中文说明"} (docs/agent-api.md)."""

from __future__ import annotations

import hmac
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, Response, jsonify, request, send_from_directory
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.exceptions import MethodNotAllowed as HttpMethodNotAllowed

from pos_plugin.agent import wire
from pos_plugin.agent.errors import (
    BodyTooLarge,
    IdempotencyConflict,
    MethodNotAllowed,
    NotFound,
    Unauthorized,
    UnknownField,
    status_of,
)
from pos_plugin.agent.idempotency import IdempotencyStore, fingerprint
from pos_plugin.agent.openapi import document
from pos_plugin.agent.service import AgentService
from pos_plugin.agent.stays import StayAgent
from pos_plugin.agent.visits import VisitAgent
from pos_plugin.config import Terminal
from pos_plugin.errors import InputError, PosError

STATIC = Path(__file__).resolve().parent / "static"
MAX_UPLOAD = 10 * 1024 * 1024  # a picture (/scan, /identify)
MAX_JSON = 1024 * 1024  # every other body: a cart of thousands of lines fits; nothing bigger reaches the platform
IMAGE_PATHS = ("/scan", "/identify")
OPEN_PATHS = ("/", "/static/")  # the page itself carries no data and moves nothing; its calls carry the token
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
log = logging.getLogger(__name__)


def create_app(terminal: Terminal, *, token: str = "") -> Flask:
    """The agent for one terminal. With a `token`, every API request needs `Authorization: Bearer <token>`."""
    app = Flask(__name__, static_folder=None)
    app.config["MAX_CONTENT_LENGTH"] = MAX_UPLOAD
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    service = AgentService(terminal)
    stays = StayAgent(service)
    visits = VisitAgent(service)
    keys = IdempotencyStore(terminal.settings.state_db or Path(terminal.settings.state_dir) / "journal.sqlite")
    app.extensions["yibao_agent"] = service

    @app.before_request
    def check_size() -> None:
        """Before anything else (the token, the route, the body): a body over the limit is 413, unread."""
        limit = body_limit(request.path)
        if request.content_length is not None and request.content_length > limit:
            raise BodyTooLarge(f"请求体超过 {limit // 1024 // 1024} MB，未处理")

    @app.before_request
    def check_token() -> None:
        if not token or request.path == "/" or request.path.startswith("/static/"):
            return
        given = request.headers.get("Authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            raise Unauthorized()

    def idempotent(handler: Callable[[], tuple[dict[str, Any], int]]) -> Response:
        """Run a money-moving call once per Idempotency-Key; a retry gets the first answer back."""
        key = request.headers.get("Idempotency-Key")
        if key is None:
            return _answer(*_run(handler))
        if not _KEY.match(key):
            raise InputError("Idempotency-Key 必须是 1–255 个可见 ASCII 字符")
        seen = fingerprint(request.method, request.path, request.get_data())
        with service.lock:  # the same key sent twice at once: the second waits and replays
            stored = keys.get(key)
            if stored is not None:
                if stored.request != seen:
                    raise IdempotencyConflict()
                response = _answer(stored.answer, stored.status)
                response.headers["Idempotent-Replayed"] = "true"
                return response
            answer, status = _run(handler)
            keys.put(key, seen, status, answer)
            return _answer(answer, status)

    @app.get("/")
    def page() -> Response:
        return send_from_directory(STATIC, "index.html")

    @app.get("/static/<path:name>")
    def static_file(name: str) -> Response:
        return send_from_directory(STATIC, name)

    @app.get("/openapi.json")
    def openapi() -> Response:
        return _answer(document(), 200)

    @app.get("/health")
    def health() -> Response:
        return _answer(service.health(), 200)

    @app.post("/scan")
    def scan() -> Response:
        return _answer(service.scan(_image()), 200)

    @app.post("/identify")
    def identify() -> Response:
        if request.mimetype != "application/json" and (request.files or request.mimetype.startswith("image/")):
            return _answer(service.identify_image(_image(), request.args.get("flow", "pharmacy")), 200)
        return _answer(service.identify(_body()), 200)

    @app.post("/sales")
    def open_sale() -> Response:
        return _answer(service.open_sale(_body()), 201)

    @app.post("/sales/<quote_id>/confirm")
    def confirm(quote_id: str) -> Response:
        wire.no_body(_raw())
        return idempotent(lambda: (service.confirm(quote_id), 201))

    @app.post("/sales/<sale_id>/revoke")
    def revoke(sale_id: str) -> Response:
        wire.no_body(_raw())
        return idempotent(lambda: (service.revoke(sale_id), 200))

    @app.post("/sales/<sale_id>/refund")
    def refund(sale_id: str) -> Response:
        return idempotent(lambda: (service.refund(sale_id, _body()), 200))

    @app.get("/sales/<sale_id>/receipt")
    def receipt(sale_id: str) -> Response:
        return _answer(service.receipt(sale_id), 200)

    @app.post("/recover")
    def recover() -> Response:
        wire.no_body(_raw())
        return idempotent(lambda: (service.recover(), 200))

    @app.post("/catalogue/sync")
    def catalogue_sync() -> Response:
        return _answer(service.catalogue_sync(), 200)

    @app.post("/catalogue/mappings")
    def catalogue_mappings() -> Response:
        return _answer(service.catalogue_map(_body()), 200)

    @app.get("/catalogue/mappings")
    def catalogue_mapping_states() -> Response:
        return _answer(service.catalogue_mapping_states(), 200)

    @app.post("/reconcile")
    def reconcile() -> Response:
        return _answer(service.reconcile(_body()), 200)

    # -- outpatient visits step by step (pos_plugin/agent/visits.py) -----------------------------
    @app.post("/visits")
    def register_visit() -> Response:
        return _answer(visits.register(_body()), 201)

    @app.get("/visits")
    def list_visits() -> Response:
        return _answer(visits.list(request.args.get("state", "")), 200)

    @app.get("/visits/<mdtrt_id>")
    def get_visit(mdtrt_id: str) -> Response:
        return _answer(visits.get(mdtrt_id), 200)

    @app.post("/visits/<mdtrt_id>/fees")
    def visit_fees(mdtrt_id: str) -> Response:
        return _answer(visits.fees(mdtrt_id, _body()), 201)

    @app.post("/visits/<mdtrt_id>/fees/<batch>/delete")
    def delete_visit_fees(mdtrt_id: str, batch: str) -> Response:
        return _answer(visits.delete(mdtrt_id, batch, _body()), 200)

    @app.post("/visits/<mdtrt_id>/quote")
    def visit_quote(mdtrt_id: str) -> Response:
        return _answer(visits.quote(mdtrt_id, _body()), 201)

    @app.post("/visits/<mdtrt_id>/settle")
    def visit_settle(mdtrt_id: str) -> Response:
        return idempotent(lambda: (visits.settle(mdtrt_id, _body()), 201))

    @app.post("/visits/<mdtrt_id>/revoke")
    def visit_revoke(mdtrt_id: str) -> Response:
        return idempotent(lambda: (visits.revoke(mdtrt_id, _body()), 200))

    @app.post("/visits/<mdtrt_id>/cancel")
    def cancel_visit(mdtrt_id: str) -> Response:
        return _answer(visits.cancel(mdtrt_id, _body()), 200)

    # -- inpatient stays (pos_plugin/agent/stays.py) ---------------------------------------------
    @app.post("/stays")
    def admit() -> Response:
        return _answer(stays.admit(_body()), 201)

    @app.get("/stays")
    def list_stays() -> Response:
        return _answer(stays.list(request.args.get("state", "")), 200)

    @app.get("/stays/<mdtrt_id>")
    def get_stay(mdtrt_id: str) -> Response:
        return _answer(stays.get(mdtrt_id), 200)

    @app.post("/stays/<mdtrt_id>/fees")
    def stay_fees(mdtrt_id: str) -> Response:
        return _answer(stays.fees(mdtrt_id, _body()), 201)

    @app.post("/stays/<mdtrt_id>/fees/<feedetl_sn>/delete")
    def delete_stay_fee(mdtrt_id: str, feedetl_sn: str) -> Response:
        return _answer(stays.delete_fee(mdtrt_id, feedetl_sn, _body()), 200)

    @app.post("/stays/<mdtrt_id>/discharge")
    def discharge(mdtrt_id: str) -> Response:
        return _answer(stays.discharge(mdtrt_id, _body()), 200)

    @app.post("/stays/<mdtrt_id>/cancel-discharge")
    def cancel_discharge(mdtrt_id: str) -> Response:
        return _answer(stays.step(mdtrt_id, "cancel-discharge", _body()), 200)

    @app.post("/stays/<mdtrt_id>/cancel")
    def cancel_admission(mdtrt_id: str) -> Response:
        return _answer(stays.step(mdtrt_id, "cancel", _body()), 200)

    @app.post("/stays/<mdtrt_id>/quote")
    def stay_quote(mdtrt_id: str) -> Response:
        return _answer(stays.quote(mdtrt_id, _body()), 201)

    @app.post("/stays/<mdtrt_id>/settle")
    def stay_settle(mdtrt_id: str) -> Response:
        return idempotent(lambda: (stays.settle(mdtrt_id, _body()), 201))

    @app.post("/stays/<mdtrt_id>/revoke")
    def stay_revoke(mdtrt_id: str) -> Response:
        return idempotent(lambda: (stays.revoke(mdtrt_id, _body()), 200))

    @app.get("/stays/<mdtrt_id>/receipt")
    def stay_receipt(mdtrt_id: str) -> Response:
        return _answer(stays.receipt(mdtrt_id), 200)

    @app.errorhandler(PosError)
    def plugin_error(error: PosError) -> Response:
        return _answer(*render(error))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        if isinstance(error, HttpMethodNotAllowed):
            response = _answer(*render(MethodNotAllowed()))
            response.headers["Allow"] = ", ".join(sorted(error.valid_methods or ()))
            return response
        if isinstance(error, RequestEntityTooLarge):
            return _answer(*render(BodyTooLarge(f"请求体超过 {body_limit(request.path) // 1024 // 1024} MB，未处理")))
        if error.code == 404:
            return _answer(*render(NotFound(f"没有这个接口: {request.method} {request.path}")))
        return _answer(*render(InputError(f"请求无效: {error.description}")))

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        log.exception("agent: unexpected error")
        return _answer(*render(PosError("ERR_INTERNAL", "收银插件内部错误，请查看日志")))

    app.extensions["yibao_agent_keys"] = keys
    return app


def render(error: PosError) -> tuple[dict[str, Any], int]:
    """The one rendering of every error: stable English code, Chinese message (and a fresh quote when a
    balance moved)."""
    answer: dict[str, Any] = {"code": error.code, "message": error.message}
    if isinstance(error.details.get("quote"), dict):
        answer["quote"] = error.details["quote"]
    if isinstance(error.details.get("field"), str):
        answer["field"] = error.details["field"]
    return answer, status_of(error)


def _run(handler: Callable[[], tuple[dict[str, Any], int]]) -> tuple[dict[str, Any], int]:
    try:
        return handler()
    except PosError as error:
        return render(error)


def _answer(answer: dict[str, Any], status: int) -> Response:
    response = jsonify(answer)
    response.status_code = status
    return response


def body_limit(path: str) -> int:
    return MAX_UPLOAD if path in IMAGE_PATHS else MAX_JSON


def _raw() -> bytes:
    """The body, at most its route's limit (a chunked body without Content-Length is counted as it is read)."""
    raw = request.get_data()
    if len(raw) > body_limit(request.path):
        raise BodyTooLarge(f"请求体超过 {body_limit(request.path) // 1024 // 1024} MB，未处理")
    return raw


def _body() -> dict[str, Any]:
    return wire.read_body(_raw())


def _image() -> bytes:
    """An uploaded picture: multipart field `image`, or the raw body (Content-Type image/*)."""
    extra = [name for name in (*request.files, *request.form) if name != "image"]
    if extra:
        raise UnknownField(f"未知字段 {extra[0]}（上传图片只用 multipart 字段 image）", field=extra[0])
    upload = request.files.get("image")
    data = upload.read() if upload is not None else (_raw() if not request.files else b"")
    if not data:
        raise InputError("请上传图片（multipart 字段 image，或以 image/* 作为请求体）")
    return data
