"""The family app API (JSON under /app): bindings and family pools; `install()` wires every family
blueprint (app_api, app_wallet, app_page, openapi) and the wallet-bounce hooks into an app.

Each handler parses, calls one FamilyOps operation and returns its JSON view.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, request

from simulator.domain.refusals import BadField
from simulator.platform.bindings import BindingRequest
from simulator.platform.family import FamilyOps
from simulator.platform.family_pool import MemberRequest
from simulator.protocol.app_common import amount, body, day, family, flag, integer, optional_integer, text
from simulator.protocol.runtime import json_response

app_api = Blueprint("app", __name__, url_prefix="/app")
family_admin = Blueprint("family_admin", __name__, url_prefix="/admin")

CLOCK_MOVES = ("admin.set_clock", "admin.advance_clock", "admin.world")


def _faces(obj: dict[str, Any]) -> tuple[bool, bool]:
    """`face_verified`: true/false for both parties, or {"funder": bool, "beneficiary": bool}."""
    raw = obj.get("face_verified", False)
    if isinstance(raw, dict):
        return flag(raw, "funder"), flag(raw, "beneficiary")
    if not isinstance(raw, bool):
        raise BadField(detail="face_verified 必须是 true/false 或 {\"funder\": …, \"beneficiary\": …}")
    return raw, raw


# bindings ------------------------------------------------------------------------------------------
@app_api.post("/bindings")
def request_binding() -> Response:
    b = body()
    funder_face, beneficiary_face = _faces(b)
    req = BindingRequest(funder=text(b, "funder"), beneficiary=text(b, "beneficiary"), relation=text(b, "relation"),
                         rank=optional_integer(b, "rank"), start=day(b, "start"), end=day(b, "end"),
                         funder_face=funder_face, beneficiary_face=beneficiary_face,
                         requested_by=text(b, "requested_by", required=False))
    return json_response(family().request_binding(req))


@app_api.get("/bindings/<int:binding_id>")
def binding_detail(binding_id: int) -> Response:
    return json_response(family().binding_detail(binding_id))


@app_api.post("/bindings/<int:binding_id>/approve")
def approve_binding(binding_id: int) -> Response:
    return json_response(family().approve_binding(binding_id, text(body(), "reviewer", required=False)))


@app_api.post("/bindings/<int:binding_id>/reject")
def reject_binding(binding_id: int) -> Response:
    return json_response(family().reject_binding(binding_id, text(body(), "reason", required=False)))


@app_api.post("/bindings/<int:binding_id>/rank")
def change_rank(binding_id: int) -> Response:
    b = body()
    return json_response(family().change_rank(binding_id, integer(b, "rank"), text(b, "by")))


@app_api.post("/bindings/<int:binding_id>/end")
def end_binding(binding_id: int) -> Response:
    return json_response(family().end_binding(binding_id, text(body(), "by")))


@app_api.get("/persons/<psn_no>/funders")
def funders_of(psn_no: str) -> Response:
    return json_response(family().funders_of(psn_no))


@app_api.get("/persons/<psn_no>/beneficiaries")
def beneficiaries_of(psn_no: str) -> Response:
    return json_response(family().beneficiaries_of(psn_no))


# family pools (Gansu) ----------------------------------------------------------------------------
@app_api.post("/pools")
def create_pool() -> Response:
    b = body()
    return json_response(family().create_pool(text(b, "creator"), flag(b, "face_verified")))


@app_api.get("/pools/<pool_id>")
def pool_detail(pool_id: str) -> Response:
    return json_response(family().pool_detail(pool_id))


@app_api.post("/pools/<pool_id>/members")
def add_member(pool_id: str) -> Response:
    b = body()
    req = MemberRequest(pool_id=pool_id, psn_no=text(b, "psn_no"), relation=text(b, "relation"),
                        face_verified=flag(b, "face_verified"), by=text(b, "by"))
    return json_response(family().add_member(req))


@app_api.post("/pools/<pool_id>/members/<psn_no>/remove")
def remove_member(pool_id: str, psn_no: str) -> Response:
    return json_response(family().remove_member(pool_id, psn_no, text(body(), "by")))


@app_api.post("/pools/<pool_id>/allot")
def allot(pool_id: str) -> Response:
    b = body()
    return json_response(family().allot(pool_id, amount(b, "amount"), text(b, "by")))


@app_api.post("/pools/<pool_id>/dissolve")
def dissolve(pool_id: str) -> Response:
    return json_response(family().dissolve(pool_id, text(body(), "by")))


# insurance status (admin: the agency's record changes) -------------------------------------------
@family_admin.post("/persons/<psn_no>/status")
def set_insurance_status(psn_no: str) -> Response:
    return json_response(family().set_insurance_status(psn_no, text(body(), "status")))


# wiring --------------------------------------------------------------------------------------------
def _bounce_before() -> None:
    """Lazily, before anything reads: return unaccepted wallet transfers that are due."""
    family().process_due_bounces()


def _bounce_after(response: Response) -> Response:
    """The clock just moved (or a world set it): bounce what became due right away."""
    if request.endpoint in CLOCK_MOVES and response.status_code == 200:
        family().process_due_bounces()
    if request.endpoint == "admin.reset":
        family().forget_bounce_schedule()
    return response


def install(app: Flask) -> None:
    """Hang FamilyOps on the app (same store, clock and ids as the platform) and register the blueprints."""
    from simulator.protocol.app_page import app_page
    from simulator.protocol.app_wallet import app_wallet
    from simulator.protocol.openapi import openapi

    platform = app.extensions["simulator"].platform
    app.extensions["family"] = FamilyOps(platform.store, platform.clock, platform.ids, platform.faults,
                                         platform.fixtures)
    for blueprint in (app_api, app_wallet, app_page, family_admin, openapi):
        app.register_blueprint(blueprint)
    app.before_request(_bounce_before)
    app.after_request(_bounce_after)
