"""Who is acting in the family app (/app): login, sessions, and the checks every route makes.

* `POST /app/login` with `{"certno" | "psn_no", "password"}` (a person) or `{"agency": "<admdvs>",
  "password"}` (the insurance agency of an area, which reviews bindings) returns a bearer token, also
  set as an HttpOnly cookie for the app page. Every other /app route needs the token.
* Credentials come from the world file: per person `password`, `pin` (wallet transfers) and `face` (the
  secret a test supplies to stand for passing face verification); top-level `agencies`
  {"<admdvs>": "<password>"}. Worlds that name none get test defaults: a person's password and PIN are
  the last 6 characters of their ID number (X counts as 0 in the PIN), the face secret is the password,
  an agency's password is `agency-<admdvs>`.
* A route acts only for the token's person; naming anyone else's data answers exactly as if it did
  not exist (HTTP 404, the same code and message as an unknown id).
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, Response, g, render_template, request

from simulator.domain.refusals import LoginFailed, LoginRequired, NotAPerson, NotFound, PersonUnknown
from simulator.platform.access import AppSessions
from simulator.platform.service import Platform
from simulator.protocol import inputs
from simulator.protocol.app_common import body
from simulator.protocol.file_schema import check_world_file
from simulator.protocol.runtime import json_response, sim

app_auth = Blueprint("app_auth", __name__, url_prefix="/app", template_folder="templates")

COOKIE = "yibao_app_token"
SESSION_SECONDS = 8 * 3600
PUBLIC = ("app_auth.login", "app_auth.login_page")


@dataclass(frozen=True)
class Actor:
    """The token's holder: a person (`psn_no`) or an area's agency (`admdvs`)."""

    role: str
    psn_no: str = ""
    admdvs: str = ""


# credentials ------------------------------------------------------------------------------------------
def _default_pin(certno: str) -> str:
    return "".join(ch if ch.isdigit() else "0" for ch in certno[-6:]).rjust(6, "0")


def load_world(platform: Platform, body: Any) -> dict[str, Any]:
    """Check the file against its schema, load the world (platform), keep its people's and agencies' app
    credentials."""
    check_world_file(body)
    loaded = platform.world.load_world(body)
    rows: dict[str, dict[str, str]] = {}
    for raw in body.get("people") or []:
        psn_no = loaded["handles"].get(str(raw.get("id")))
        if psn_no is None:
            continue
        certno = str(raw.get("certno") or "")
        password = str(raw.get("password") or certno[-6:])
        rows[psn_no] = {"password": password, "pin": str(raw.get("pin") or _default_pin(certno)),
                        "face": str(raw.get("face") or password)}
    agencies = body.get("agencies") or {}
    if isinstance(agencies, dict):
        rows |= {f"agency:{area}": {"password": str(pw)} for area, pw in agencies.items() if pw}
    platform.app_sessions.save_credentials(rows)
    return loaded


def _sessions() -> AppSessions:
    return sim().platform.app_sessions


def face_secret(obj: dict[str, Any], psn_no: str) -> Any:
    """The face secret a body carries for `psn_no`: `face` is {psn_no: secret}, or one string standing for
    the actor's own face."""
    face = obj.get("face")
    if isinstance(face, dict):
        return face.get(psn_no)
    return face if isinstance(face, str) and psn_no == getattr(g.get("actor"), "psn_no", None) else None


def verified(kind: str, psn_no: str, secret: Any) -> bool:
    """Does `secret` prove `psn_no`'s face (or PIN)? Anything but the right string proves nothing."""
    if not isinstance(secret, str) or not secret or not psn_no:
        return False
    return _sessions().secret_matches(kind, psn_no, secret) is True


# login ------------------------------------------------------------------------------------------------
def _password_ok(subject: str, password: str, default: str | None = None) -> bool:
    found = _sessions().secret_matches("password", subject, password)
    return found is True or (found is None and default is not None
                             and secrets.compare_digest(password.encode(), default.encode()))


@app_auth.post("/login")
def login() -> Response:
    b = body()
    password = inputs.text(b, "password", "请求体")
    agency = inputs.text(b, "agency", "请求体", required=False)
    if agency:
        if not (len(agency) == 6 and agency.isascii() and agency.isdigit()) or \
                not _password_ok(f"agency:{agency}", password, f"agency-{agency}"):
            raise LoginFailed()
        subject, role, out = f"agency:{agency}", "agency", {"agency": agency}
    else:
        certno = inputs.text(b, "certno", "请求体", required=False)
        psn_no = inputs.text(b, "psn_no", "请求体", required=False)
        person = _sessions().person(certno, psn_no)
        if person is None or not _password_ok(person.psn_no, password):
            raise LoginFailed()
        subject, role, out = person.psn_no, "person", {"psn_no": person.psn_no}
    token, now = secrets.token_urlsafe(32), int(time.time())
    _sessions().open(token, subject, role, now + SESSION_SECONDS, now)
    reply = json_response(out | {"token": token, "role": role, "expires_in": SESSION_SECONDS})
    reply.set_cookie(COOKIE, token, max_age=SESSION_SECONDS, httponly=True, samesite="Strict", path="/app")
    return reply


@app_auth.post("/logout")
def logout() -> Response:
    _sessions().close(_presented())
    reply = json_response({"ok": True})
    reply.delete_cookie(COOKIE, path="/app")
    return reply


@app_auth.get("/login")
def login_page() -> Response:
    html = render_template("app_login.html")
    return Response(html, content_type="text/html; charset=utf-8", headers={"Cache-Control": "no-store"})


# every /app request -----------------------------------------------------------------------------------
def _presented() -> str:
    auth = request.headers.get("Authorization", "")
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip()
    return request.cookies.get(COOKIE, "")


def require_login() -> None:
    """before_request of the /app blueprints: a valid token, or HTTP 401."""
    if request.endpoint in PUBLIC or request.endpoint is None:
        return
    token = _presented()
    session = _sessions().find(token, int(time.time())) if token and len(token) <= 128 else None
    if session is None:
        raise LoginRequired()
    if session.role == "agency":
        g.actor = Actor("agency", admdvs=session.subject.removeprefix("agency:"))
    else:
        g.actor = Actor("person", psn_no=session.subject)


def actor() -> Actor:
    found: Actor = g.actor
    return found


def me() -> str:
    """The acting person's psn_no (an agency acting here is refused)."""
    who = actor()
    if who.role != "person":
        raise NotAPerson()
    return who.psn_no


def not_found_person(psn_no: str) -> NotFound:
    return PersonUnknown(detail=f"参保人 {psn_no} 不存在")


def as_me(obj: dict[str, Any], key: str, required: bool = True) -> str:
    """A body field naming the actor (`by`, `creator`, `from`...; optional ones default to the actor);
    anyone else is answered as if they did not exist."""
    mine = me()
    named = inputs.text(obj, key, "请求体", required=required)
    if named and named != mine:
        raise not_found_person(named)
    return mine


def own(psn_no: str) -> str:
    """A path naming a person: only the actor themselves."""
    if psn_no != me():
        raise not_found_person(psn_no)
    return psn_no


APP_BLUEPRINTS = ("app", "app_wallet", "app_page", "app_auth")


def install(app: Flask) -> None:
    """Register login/logout and check the token on every /app request (before any handler runs)."""
    app.register_blueprint(app_auth)

    def guard() -> None:
        if request.blueprint in APP_BLUEPRINTS:
            require_login()

    app.before_request(guard)
