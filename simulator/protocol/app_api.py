"""The family app API (JSON under /app): bindings and family pools; `install()` wires every family
blueprint (app_api, app_wallet, app_page, openapi) and the wallet-bounce hooks into an app.

Each handler parses, calls one FamilyOps operation and returns its JSON view.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, request

from simulator.domain.refusals import (
    BadField,
    BindingUnknown,
    PersonUnknown,
    PoolUnknown,
)
from simulator.platform.family.bindings import BindingRequest
from simulator.platform.family.ops import FamilyOps
from simulator.platform.family.pool import MemberRequest
from simulator.protocol.app_auth import actor, app_json, as_me, counterparty, face_secret, me, own, verified
from simulator.protocol.app_common import amount, body, day, family, flag, integer, optional_integer, text
from simulator.protocol.runtime import json_response

app_api = Blueprint("app", __name__, url_prefix="/app")
family_admin = Blueprint("family_admin", __name__, url_prefix="/admin")

CLOCK_MOVES = ("admin.set_clock", "admin.advance_clock", "admin.world")


def _faces(obj: dict[str, Any], funder: str, beneficiary: str) -> tuple[bool, bool]:
    """`face_verified`: true/false for both parties, or {"funder": bool, "beneficiary": bool}; a true
    counts only when `face` carries that party's face secret (app_auth.face_secret)."""
    raw = obj.get("face_verified", False)
    if isinstance(raw, dict):
        claims = flag(raw, "funder"), flag(raw, "beneficiary")
    elif isinstance(raw, bool):
        claims = raw, raw
    else:
        raise BadField(detail="face_verified 必须是 true/false 或 {\"funder\": …, \"beneficiary\": …}")
    return (claims[0] and verified("face", funder, face_secret(obj, funder)),
            claims[1] and verified("face", beneficiary, face_secret(obj, beneficiary)))


def _binding(binding_id: int, review: bool = False) -> dict[str, Any]:
    """The binding if the actor may see it (a party; or the agency of the beneficiary's area), else 404
    as for an unknown id. `review`: only that agency."""
    view = family().bindings.binding_detail(binding_id)
    who = actor()
    party = who.role == "person" and who.psn_no in (view["funder"]["psn_no"], view["beneficiary"]["psn_no"])
    agency = who.role == "agency" and who.admdvs == view["beneficiary"]["insuplc"]
    if not (agency if review else party or agency):
        raise BindingUnknown(binding_id=binding_id)
    return view


# bindings ------------------------------------------------------------------------------------------
@app_api.post("/bindings")
def request_binding() -> Response:
    b = body()
    funder, beneficiary = text(b, "funder"), text(b, "beneficiary")
    requester = as_me(b, "requested_by", required=False)
    if requester not in (funder, beneficiary):
        raise PersonUnknown(detail=f"被共济人 {beneficiary} 不存在")
    if requester == funder:
        counterparty(b, beneficiary, "被共济人")
    else:
        counterparty(b, funder, "共济人")
    funder_face, beneficiary_face = _faces(b, funder, beneficiary)
    req = BindingRequest(funder=funder, beneficiary=beneficiary, relation=text(b, "relation"),
                         rank=optional_integer(b, "rank"), start=day(b, "start"), end=day(b, "end"),
                         funder_face=funder_face, beneficiary_face=beneficiary_face, requested_by=requester)
    return app_json(family().bindings.request_binding(req))


@app_api.get("/bindings/<int:binding_id>")
def binding_detail(binding_id: int) -> Response:
    return app_json(_binding(binding_id))


@app_api.post("/bindings/<int:binding_id>/approve")
def approve_binding(binding_id: int) -> Response:
    b = body()
    _binding(binding_id, review=True)
    reviewer = text(b, "reviewer", required=False) or f"医保经办机构 {actor().admdvs}"
    return app_json(family().bindings.approve_binding(binding_id, reviewer))


@app_api.post("/bindings/<int:binding_id>/reject")
def reject_binding(binding_id: int) -> Response:
    b = body()
    _binding(binding_id, review=True)
    return app_json(family().bindings.reject_binding(binding_id, text(b, "reason", required=False)))


@app_api.post("/bindings/<int:binding_id>/rank")
def change_rank(binding_id: int) -> Response:
    b = body()
    by = as_me(b, "by")
    _binding(binding_id)
    return app_json(family().bindings.change_rank(binding_id, integer(b, "rank"), by))


@app_api.post("/bindings/<int:binding_id>/end")
def end_binding(binding_id: int) -> Response:
    by = as_me(body(), "by")
    _binding(binding_id)
    return app_json(family().bindings.end_binding(binding_id, by))


@app_api.get("/persons/<psn_no>/funders")
def funders_of(psn_no: str) -> Response:
    return app_json(family().bindings.funders_of(own(psn_no)))


@app_api.get("/persons/<psn_no>/beneficiaries")
def beneficiaries_of(psn_no: str) -> Response:
    return app_json(family().bindings.beneficiaries_of(own(psn_no)))


# family pools (Gansu) ----------------------------------------------------------------------------
def _pool(pool_id: str) -> dict[str, Any]:
    """The pool if the actor is its creator or a member (now or before), else 404 as for an unknown id."""
    view = family().pool.pool_detail(pool_id)
    mine = me()
    people = {view["creator"]["psn_no"]} | {m["psn_no"] for m in view["members"]} | \
        {e.get("psn_no") for e in view["history"]}
    if mine not in people:
        raise PoolUnknown(pool_id=pool_id)
    return view


@app_api.post("/pools")
def create_pool() -> Response:
    b = body()
    creator = as_me(b, "creator")
    face = flag(b, "face_verified") and verified("face", creator, face_secret(b, creator))
    return app_json(family().pool.create_pool(creator, face))


@app_api.get("/pools/<pool_id>")
def pool_detail(pool_id: str) -> Response:
    return app_json(_pool(pool_id))


@app_api.post("/pools/<pool_id>/members")
def add_member(pool_id: str) -> Response:
    b = body()
    by, member = as_me(b, "by"), text(b, "psn_no")
    _pool(pool_id)
    counterparty(b, member, "家庭成员")
    req = MemberRequest(pool_id=pool_id, psn_no=member, relation=text(b, "relation"),
                        face_verified=flag(b, "face_verified") and verified("face", member, face_secret(b, member)),
                        by=by)
    return app_json(family().pool.add_member(req))


@app_api.post("/pools/<pool_id>/members/<psn_no>/remove")
def remove_member(pool_id: str, psn_no: str) -> Response:
    by = as_me(body(), "by")
    _pool(pool_id)
    return app_json(family().pool.remove_member(pool_id, psn_no, by))


@app_api.post("/pools/<pool_id>/allot")
def allot(pool_id: str) -> Response:
    b = body()
    by = as_me(b, "by")
    _pool(pool_id)
    return app_json(family().pool.allot(pool_id, amount(b, "amount"), by))


@app_api.post("/pools/<pool_id>/dissolve")
def dissolve(pool_id: str) -> Response:
    by = as_me(body(), "by")
    _pool(pool_id)
    return app_json(family().pool.dissolve(pool_id, by))


# insurance status (admin: the agency's record changes) -------------------------------------------
@family_admin.post("/persons/<psn_no>/status")
def set_insurance_status(psn_no: str) -> Response:
    return json_response(family().bindings.set_insurance_status(psn_no, text(body(), "status")))


# wiring --------------------------------------------------------------------------------------------
def _bounce_before() -> None:
    """Lazily, before anything reads: return unaccepted wallet transfers that are due."""
    family().bounces.process_due_bounces()


def _bounce_after(response: Response) -> Response:
    """The clock just moved (or a world set it): bounce what became due right away."""
    if request.endpoint in CLOCK_MOVES and response.status_code == 200:
        family().bounces.process_due_bounces()
    if request.endpoint == "admin.reset":
        family().bounces.forget_bounce_schedule()
    return response


def install(app: Flask) -> None:
    """Hang FamilyOps on the app (built from the platform's one set of collaborators, `Deps`) and register the blueprints."""
    from simulator.protocol import app_auth
    from simulator.protocol.app_page import app_page
    from simulator.protocol.app_wallet import app_wallet
    from simulator.protocol.openapi import openapi

    platform = app.extensions["simulator"].platform
    app.extensions["family"] = FamilyOps(platform.deps)
    for blueprint in (app_api, app_wallet, app_page, family_admin, openapi):
        app.register_blueprint(blueprint)
    app_auth.install(app)
    app.before_request(_bounce_before)
    app.after_request(_bounce_after)
