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
  not exist (HTTP 404, the same code and message as an unknown id). An agency's token on a person's
  route is HTTP 403 `ERR_NOT_A_PERSON`.
* Secrets are checked as exactly what docs/simulator-api.md ("Doors") says: JSON strings, compared as
  sent (never trimmed, never a number); a PIN is six ASCII digits, anything else is `ERR_PIN_MALFORMED`
  before any comparison, and a PIN that is sent is always compared.
* A counterparty (the other party of a binding request, a transfer's `to`, a pool member being added)
  counts only when the caller proves they know them: their full name in `names` {psn_no: name}, or
  their face secret in `face`. Otherwise the answer is exactly that of an unknown psn_no, whether or not
  the person exists. Replies show people other than the caller masked (王*, no area).
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, render_template, request

from simulator.domain.models import mask_name
from simulator.domain.refusals import (
    BadField,
    BadWorld,
    LoginFailed,
    LoginLocked,
    LoginRequired,
    NotAPerson,
    NotFound,
    PersonUnknown,
    PinMalformed,
)
from simulator.platform.access import AppSessions
from simulator.platform.service import Platform
from simulator.protocol import inputs
from simulator.protocol.app_common import body
from simulator.protocol.file_schema import check_world_file
from simulator.protocol.login_throttle import LoginThrottle
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
PIN_DIGITS = frozenset("0123456789")
MAX_SECRET_LEN = 128


def is_pin(value: object) -> bool:
    """Six ASCII digits in a string — never full-width, mathematical or Arabic-Indic digits, never a number."""
    return isinstance(value, str) and len(value) == 6 and set(value) <= PIN_DIGITS


def is_area(value: object) -> bool:
    return isinstance(value, str) and len(value) == 6 and set(value) <= PIN_DIGITS


def _default_pin(certno: str) -> str:
    return "".join(ch if ch in PIN_DIGITS else "0" for ch in certno[-6:]).rjust(6, "0")


def _world_secret(raw: dict[str, Any], key: str, default: str) -> str:
    value = raw.get(key)
    if value is None or value == "":
        return default
    if not isinstance(value, str) or len(value) > MAX_SECRET_LEN:
        raise BadWorld(message=f"世界文件中人员 {raw.get('id')!r} 的 {key} 须为字符串（最多 {MAX_SECRET_LEN} 个字符）")
    if key == "pin" and not is_pin(value):
        raise BadWorld(message=f"世界文件中人员 {raw.get('id')!r} 的 pin 须为 6 位 ASCII 数字字符串")
    return value


def _agency_rows(platform: Platform, body: Any) -> dict[str, dict[str, str]]:
    """An agency exists only for an area the world names: its own `agencies` entries, and the default
    password `agency-<admdvs>` for every other area a person is insured in or an institution sits in
    (kept when a credential is already on file)."""
    named = body.get("agencies") or {}
    if not isinstance(named, dict) or not all(is_area(a) and isinstance(pw, str) and pw for a, pw in named.items()):
        raise BadWorld(message="agencies 须为 {\"<6 位地区代码>\": \"<密码字符串>\"}")
    rows = {f"agency:{area}": {"password": pw} for area, pw in named.items()}
    areas = {str(p.get("insuplc") or "") for p in body.get("people") or [] if isinstance(p, dict)}
    institutions = body.get("institutions") or []
    if isinstance(body.get("institution"), dict):
        institutions = [*institutions, body["institution"]]
    areas |= {str(i.get("admdvs") or "") for i in institutions if isinstance(i, dict)}
    for area in sorted(a for a in areas if is_area(a) and a not in named):
        if platform.app_sessions.secret_matches("password", f"agency:{area}", "") is None:
            rows[f"agency:{area}"] = {"password": f"agency-{area}"}
    return rows


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
        password = _world_secret(raw, "password", certno[-6:])
        rows[psn_no] = {"password": password, "pin": _world_secret(raw, "pin", _default_pin(certno)),
                        "face": _world_secret(raw, "face", password)}
    platform.app_sessions.save_credentials(rows | _agency_rows(platform, body))
    return loaded


def secret_field(obj: dict[str, Any], key: str, required: bool = True) -> str:
    """A secret exactly as sent: a JSON string of 1–128 characters, never trimmed, never a number."""
    value = obj.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value or len(value) > MAX_SECRET_LEN:
        raise BadField(detail=f"请求体.{key} 须为 1–{MAX_SECRET_LEN} 个字符的字符串")
    return value


def pin_field(obj: dict[str, Any]) -> str | None:
    """The PIN a body carries (None when it has no `pin`); anything but six ASCII digits in a JSON string
    is refused before any comparison."""
    if "pin" not in obj or obj["pin"] is None:
        return None
    if not is_pin(obj["pin"]):
        raise PinMalformed()
    found: str = obj["pin"]
    return found


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
    if not isinstance(secret, str) or not secret or len(secret) > MAX_SECRET_LEN or not psn_no:
        return False
    if kind == "pin" and not is_pin(secret):
        return False
    return _sessions().secret_matches(kind, psn_no, secret) is True


def counterparty(obj: dict[str, Any], psn_no: str, role: str) -> str:
    """`psn_no` as the other party of the caller's request, if the caller proves they know them (their
    full name in `names`, or their face secret); otherwise exactly the answer for an unknown psn_no."""
    if psn_no and psn_no == me():
        return psn_no  # the caller knows themselves (the platform refuses a request with oneself)
    names = obj.get("names", {})
    if not isinstance(names, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in names.items()):
        raise BadField(detail="请求体.names 须为 {\"<人员编号>\": \"<姓名>\"}")
    person = _sessions().person("", psn_no) if psn_no else None
    known = person is not None and (
        (psn_no in names and secrets.compare_digest(names[psn_no].encode(), person.name.encode()))
        or verified("face", psn_no, face_secret(obj, psn_no)))
    if not known:
        raise PersonUnknown(detail=f"{role} {psn_no} 不存在")
    return psn_no


def for_actor(view: Any) -> Any:
    """A reply as the caller may see it: every person but the caller masked (王*, no area); an agency
    reviewing its area's bindings sees them whole."""
    who = g.get("actor")
    if who is None or who.role != "person":
        return view
    if isinstance(view, list):
        return [for_actor(item) for item in view]
    if not isinstance(view, dict):
        return view
    if isinstance(view.get("psn_no"), str) and isinstance(view.get("name"), str) and view["psn_no"] != who.psn_no:
        return {k: mask_name(v) if k == "name" else for_actor(v) for k, v in view.items() if k != "insuplc"}
    return {k: for_actor(v) for k, v in view.items()}


# login ------------------------------------------------------------------------------------------------
def _password_ok(subject: str, password: str) -> bool:
    """Only a credential on file opens a session (an agency's default is saved when a world names its area)."""
    return _sessions().secret_matches("password", subject, password) is True


def _login_person(b: dict[str, Any]) -> tuple[str | None, str]:
    """(the psn_no the login names or None, the account it counts against): by certno or psn_no; naming
    both, they must be the same person."""
    certno = inputs.text(b, "certno", "请求体", required=False)
    psn_no = inputs.text(b, "psn_no", "请求体", required=False)
    person = _sessions().person(certno, psn_no)
    if person is None or (certno and psn_no and person.psn_no != psn_no):
        return None, f"person:{certno or psn_no}"
    return person.psn_no, f"person:{person.psn_no}"


def _throttle() -> LoginThrottle:
    throttle = current_app.extensions.get("yibao_login_throttle")
    if throttle is None:
        throttle = current_app.extensions["yibao_login_throttle"] = LoginThrottle()
    return throttle


def _check_password(account: str, ok: bool) -> None:
    """Locked accounts are refused before the password counts; a wrong one counts towards the lock."""
    throttle = _throttle()
    wait = throttle.locked_for(account)
    if wait > 0:
        raise LoginLocked(minutes=throttle.minutes(wait))
    if not ok:
        throttle.failed(account)
        raise LoginFailed()
    throttle.succeeded(account)


@app_auth.post("/login")
def login() -> Response:
    b = body()
    password = secret_field(b, "password")
    if "agency" in b:
        agency = b["agency"]
        subject = f"agency:{agency}"
        _check_password(f"agency:{agency}", "certno" not in b and "psn_no" not in b and is_area(agency)
                        and _password_ok(subject, password))
        role, out = "agency", {"agency": agency}
    else:
        found, account = _login_person(b)
        _check_password(account, found is not None and _password_ok(found, password))
        subject, role, out = str(found), "person", {"psn_no": found}
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


def app_json(view: Any) -> Response:
    """The JSON reply of an /app route, as the caller may see it (`for_actor`)."""
    return json_response(for_actor(view))


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
