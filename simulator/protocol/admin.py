"""The admin API for testers (JSON under /admin). Errors: HTTP 400/404 {"code", "message"}."""

from __future__ import annotations

import base64
import io
from decimal import Decimal
from typing import Any

import segno
from flask import Blueprint, Response, current_app, request

from simulator.domain.money import parse_amount
from simulator.domain.refusals import BadFault, BadJson, BadMapping, BadTime, BadWorld, MissingField
from simulator.platform.catalogue.entries import parse_entry
from simulator.platform.clock import parse_timestamp, stamp
from simulator.protocol.admin_access import require_admin
from simulator.protocol.app_auth import load_world
from simulator.protocol.console import audit_report
from simulator.protocol.envelope import parse_json
from simulator.protocol.handlers_catalogue import mapping_row
from simulator.protocol.journal_hook import record_fault_event
from simulator.protocol.runtime import json_response, sim

admin = Blueprint("admin", __name__, url_prefix="/admin")
MAX_ADVANCE = 100 * 366 * 86400


@admin.before_request
def _admin_only() -> None:
    require_admin(request, current_app.config["SIMULATOR"].admin_token)


def _body() -> dict[str, Any]:
    raw = request.get_data()
    body = parse_json(raw) if raw.strip() else {}
    if not isinstance(body, dict):
        raise BadJson(detail="请求体必须是 JSON 对象")
    return body


def _ok(body: Any = None) -> Response:
    return json_response({"ok": True} if body is None else body)


@admin.post("/reset")
def reset() -> Response:
    sim().platform.admin.reset()
    current_app.extensions.pop("yibao_login_throttle", None)  # a new world: no account is locked any more
    return _ok()


@admin.post("/world")
def world() -> Response:
    return _ok(load_world(sim().platform, _body()))  # with the people's app credentials


@admin.post("/catalogue")
def catalogue() -> Response:
    """Add or replace catalogue entries; their `updt_time` is the platform's now (so 1312 serves the change)."""
    body = _body()
    if not isinstance(body, dict) or set(body) != {"entries"} or not isinstance(body["entries"], list):
        raise BadWorld(message="请求体须为 {\"entries\": [目录项, …]}")
    platform = sim().platform
    at = platform.now_stamp()
    try:
        entries = [parse_entry(item, at) for item in body["entries"]]
    except ValueError as exc:
        raise BadWorld(message=str(exc)) from None
    return _ok({"saved": len(entries), "updt_time": platform.catalogue.update(entries)})


@admin.get("/mappings")
def mappings() -> Response:
    """An institution's 目录对照 rows (3301) with the platform's review state."""
    code = request.args.get("fixmedins_code", "")
    if not code:
        raise MissingField(detail="请指定机构编码 ?fixmedins_code=CODE")
    platform = sim().platform
    today = platform.today()
    return _ok({"mappings": [mapping_row(m, today) for m in platform.catalogue.mappings(code)]})


@admin.post("/mappings/review")
def review_mappings() -> Response:
    """The platform's review of uploaded mappings: approve (`chk_stas` 1) or reject (2, with `chk_memo`)."""
    body = _body()
    unknown = sorted(set(body) - {"fixmedins_code", "items", "chk_stas", "chk_memo"})
    if unknown:
        raise BadMapping(detail=f"请求体含未知字段：{', '.join(unknown)}")
    code, items, state, memo = (body.get("fixmedins_code"), body.get("items"), body.get("chk_stas"),
                                body.get("chk_memo", ""))
    if not isinstance(code, str) or not code:
        raise MissingField(detail="请求体缺少 fixmedins_code")
    if not isinstance(items, list) or not items or not all(isinstance(i, str) and i for i in items) \
            or len(set(items)) != len(items):
        raise BadMapping(detail="items 须为不重复的本机构目录编码（fixmedins_hilist_id）非空数组")
    if state not in ("1", "2"):
        raise BadMapping(detail=f"chk_stas 须为 1（审核通过）或 2（审核不通过）：{state!r}")
    if not isinstance(memo, str) or len(memo) > 200:
        raise BadMapping(detail="chk_memo 须为不超过 200 字的文本")
    platform = sim().platform
    reviewed = platform.catalogue.review(code, items, state, memo)
    today = platform.today()
    return _ok({"mappings": [mapping_row(m, today) for m in reviewed]})


@admin.get("/uploads")
def uploads() -> Response:
    """An institution's sales uploads (3505/3506) reconciled against its settlements."""
    code = request.args.get("fixmedins_code", "")
    if not code:
        raise MissingField(detail="请指定机构编码 ?fixmedins_code=CODE")
    return _ok(sim().platform.sales.reconcile(code))


@admin.get("/handles")
def handles() -> Response:
    return _ok(sim().platform.admin.handles())


@admin.get("/persons/<psn_no>")
def person(psn_no: str) -> Response:
    return _ok(sim().platform.admin.person_view(psn_no))


@admin.get("/balances")
def balances() -> Response:
    return _ok(sim().platform.admin.balances())


@admin.get("/bindings")
def bindings() -> Response:
    for role in ("beneficiary", "funder"):
        if request.args.get(role):
            return _ok({"bindings": sim().platform.admin.bindings(role, request.args[role])})
    raise MissingField(detail="请指定 ?beneficiary=<psn_no> 或 ?funder=<psn_no>")


@admin.get("/ledger")
def ledger() -> Response:
    setl_id, psn_no = request.args.get("setl_id"), request.args.get("psn_no")
    return _ok({"entries": sim().platform.admin.ledger(setl_id, psn_no)})


@admin.get("/settlements")
def settlements() -> Response:
    return _ok({"settlements": sim().platform.admin.settlements(request.args.get("fixmedins_code"))})


@admin.get("/clock")
def clock() -> Response:
    platform = sim().platform
    return _ok({"now": platform.now().isoformat(), "frozen": platform.clock.frozen})


@admin.post("/clock")
def set_clock() -> Response:
    body = _body()
    try:
        now = parse_timestamp(str(body.get("now", "")))
    except ValueError:
        raise BadTime(detail=f"时间格式错误：{body.get('now')!r}（YYYY-MM-DDTHH:MM:SS）") from None
    platform = sim().platform
    platform.clock.set(now, frozen=bool(body.get("frozen", platform.clock.frozen)))
    platform.publish()
    return clock()


@admin.post("/clock/advance")
def advance_clock() -> Response:
    seconds = _body().get("seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, (int, Decimal)) or not abs(Decimal(seconds)) <= MAX_ADVANCE:
        raise BadTime(detail=f"seconds 必须是绝对值不超过 {MAX_ADVANCE} 的数字（约 100 年）")
    try:
        sim().platform.clock.advance(float(seconds))
    except OverflowError:
        raise BadTime(detail="时钟超出可表示的范围") from None
    sim().platform.publish()
    return clock()


@admin.post("/faults")
def arm_fault() -> Response:
    body = _body()
    try:
        count, delay = int(body.get("count", 1)), int(body.get("delay_ms", 0))
    except (TypeError, ValueError):
        raise BadFault(detail="count 与 delay_ms 必须是整数") from None
    fault = sim().platform.faults.arm(str(body.get("infno", "")), str(body.get("kind", "")), count,
                                      str(body.get("message") or ""), delay)
    record_fault_event("arm", {"infno": fault.infno, "kind": fault.kind, "count": count, "delay_ms": delay})
    return _ok()


@admin.get("/faults")
def list_faults() -> Response:
    return _ok({"faults": sim().platform.faults.listing()})


@admin.delete("/faults")
def clear_faults() -> Response:
    sim().platform.faults.clear()
    record_fault_event("clear", {})
    return _ok()


@admin.get("/conservation")
def conservation() -> Response:
    return _ok(sim().platform.admin.conservation())


@admin.post("/topup")
def top_up() -> Response:
    body = _body()
    target = str(body.get("target") or "account")
    ref = str(body.get("pool_id") if target == "pool" else body.get("psn_no") or "")
    return _ok(sim().platform.admin.top_up(target, ref, parse_amount(body.get("amount"), "amount")))


def _png(code: str) -> bytes:
    buffer = io.BytesIO()
    segno.make_qr(code, error="m").save(buffer, kind="png", scale=8, border=4)
    return buffer.getvalue()


@admin.post("/evouchers")
def issue_evoucher() -> Response:
    code, expires = sim().platform.identity.issue_evoucher(str(_body().get("psn_no") or ""))
    return _ok({"code": code, "expires_at": stamp(expires), "png_base64": base64.b64encode(_png(code)).decode()})


@admin.get("/evouchers/<psn_no>.png")
def evoucher_png(psn_no: str) -> Response:
    code, expires = sim().platform.identity.issue_evoucher(psn_no)
    return Response(_png(code), content_type="image/png", headers={"X-Ecode": code, "X-Expires-At": stamp(expires)})


@admin.route("/echo", methods=["GET", "POST"])
def echo() -> Response:
    """A trivial JSON echo: the benchmark's baseline for this server."""
    return json_response(_body())


@admin.get("/health")
def health() -> Response:
    platform = sim().platform
    return _ok({"ok": True, "db": platform.database_name(), "now": platform.now().isoformat()})


@admin.get("/audit")
def audit() -> Response:
    """The conformance report (same as `yibao-sim audit --json` and `/console/audit`)."""
    return _ok(audit_report(request.args.get("institution", "")))
