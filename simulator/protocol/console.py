"""The tester's console at `/console`: one HTML page (plain JavaScript, no build step) over read-only JSON
routes under `/console/api`, and the conformance report at `/console/audit`.

Everything shown is masked (names 王*, ID numbers 610103********1234). Reads need no credential; every
write the page makes goes to `/admin` with the admin token the tester typed (docs/simulator-api.md "Access").
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request

from simulator.audit.masking import masked
from simulator.audit.report import DEFAULT_RESOLVE_WITHIN, STATUS_ZH, VERDICT_ZH, build_report, parse_since
from simulator.domain.models import mask_certno, mask_name
from simulator.domain.refusals import BadField, MissingField, PlatformError
from simulator.protocol.admin_access import is_admin, require_admin
from simulator.protocol.app_page import fresh_code
from simulator.protocol.runtime import json_response, sim

console = Blueprint("console", __name__, url_prefix="/console", template_folder="templates")
root = Blueprint("root", __name__)  # `/`: a person who opens the simulator's address lands on the console
JOURNAL_LIMIT = 200
SETTLEMENT_LIMIT = 50
FAULT_PRESETS = {"lost_reply": "drop", "http500": "http500", "slow_reply": "delay",
                 "commit_then_drop": "drop_after_commit"}


def _html(name: str, **values: Any) -> Response:
    return Response(render_template(name, **values), content_type="text/html; charset=utf-8",
                    headers={"Cache-Control": "no-store"})


@root.get("/")
def home() -> Response:
    return Response(status=302, headers={"Location": "/console", "Cache-Control": "no-store"})


@console.get("")
@console.get("/")
def page() -> Response:
    return _html("console.html", presets=FAULT_PRESETS)


@console.get("/api/overview")
def overview() -> Response:
    platform = sim().platform
    token = current_app.config["SIMULATOR"].admin_token
    return json_response({"now": platform.now().isoformat(timespec="seconds"), "frozen": platform.clock.frozen,
                          "faults": platform.faults.listing(), "token_required": bool(token),
                          "admin": is_admin(request, token),
                          "institutions": platform.console.institution_codes()})


def _people_data() -> None:
    """Searching people by name, their records and their live e-vouchers are the admin's (the admin token
    when one is set, as for /admin): otherwise psn_nos could be found by name and codes fetched."""
    require_admin(request, current_app.config["SIMULATOR"].admin_token)


@console.get("/api/persons")
def persons() -> Response:
    _people_data()
    found = sim().platform.console.find_persons(request.args.get("q", "").strip())
    return json_response({"persons": [{**row, "name": mask_name(str(row["name"])), "certno": mask_certno(str(row["certno"]))}
                                      for row in found]})


@console.get("/api/persons/<psn_no>")
def person(psn_no: str) -> Response:
    _people_data()
    platform = sim().platform
    view = platform.admin.person_view(psn_no)
    view["name"], view["certno"] = mask_name(view["name"]), mask_certno(view["certno"])
    view["pool"] = platform.console.pool_of(psn_no)
    view["bindings_in"] = platform.admin.bindings("beneficiary", psn_no)
    view["bindings_out"] = platform.admin.bindings("funder", psn_no)
    return json_response(view)


@console.post("/api/persons/<psn_no>/evoucher")
def evoucher(psn_no: str) -> Response:
    """A fresh e-voucher QR (the same issue service the patient's app page uses)."""
    _people_data()
    holder = sim().platform.patient_now(psn_no)
    return json_response(fresh_code(holder))


@console.get("/api/settlements")
def settlements() -> Response:
    rows = sim().platform.console.settlements(request.args.get("institution") or None, SETTLEMENT_LIMIT)
    return json_response({"settlements": list(reversed(rows))})


@console.get("/api/journal")
def journal() -> Response:
    code = request.args.get("institution") or None
    rows = sim().platform.console.journal(code, limit=JOURNAL_LIMIT)
    out = []
    for row in reversed(rows):
        item = {k: row[k] for k in ("id", "at", "kind", "fixmedins_code", "infno", "msgid", "sign_no", "outcome",
                                    "err_code", "fault", "http_status")}
        item["request"], item["reply"] = masked_text(str(row["request"])), masked_text(str(row["reply"]))
        out.append(item)
    return json_response({"entries": out})


def masked_text(text: str) -> Any:
    try:
        return masked(json.loads(text))
    except ValueError:
        return masked(text)


@console.get("/api/conservation")
def conservation() -> Response:
    return json_response(sim().platform.admin.conservation())


def audit_report(code: str) -> dict[str, Any]:
    """The conformance report for one institution from the live journal (shared with /admin/audit)."""
    if not code:
        raise MissingField(detail="请指定机构编码 ?institution=CODE")
    try:
        since = parse_since(request.args.get("since"))
        within = float(request.args.get("resolve_within") or DEFAULT_RESOLVE_WITHIN)
    except ValueError:
        raise BadField(detail="since（YYYY-MM-DD[THH:MM:SS]）或 resolve_within（秒）格式错误") from None
    platform = sim().platform
    return build_report(platform.console.journal(code), code, now=platform.now(), since=since,
                        resolve_within=within, waive=request.args.getlist("waive"))


@console.get("/api/audit")
def audit_json() -> Response:
    return json_response(audit_report(request.args.get("institution", "")))


@console.get("/audit")
def audit_page() -> Response:
    code = request.args.get("institution", "")
    choices = sim().platform.console.journal_institutions()
    if not code and len(choices) == 1:
        code = choices[0]
    report, refused = None, ""
    try:
        report = audit_report(code) if code else None
    except PlatformError as exc:  # no traffic in the window, a malformed code: said on the page
        refused = f"{exc.code}: {exc.message}"
    return _html("audit.html", report=report, refused=refused, institutions=choices, institution=code,
                 status_zh=STATUS_ZH, verdict_zh=VERDICT_ZH)
