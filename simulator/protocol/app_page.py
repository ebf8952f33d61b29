"""The patient's app page (HTML): the current e-voucher QR as a server-rendered PNG, refreshed by a
small script before its 60 s expiry, and the guardian view (亲情账户) showing a minor's own code.

Integration testers log in (GET /app/login, or POST /app/login which sets the session cookie), open it
in a browser and point a scanner or camera at the screen. Only the logged-in person sees their page.
"""

from __future__ import annotations

import base64
import io
from typing import Any

import segno
from flask import Blueprint, Response, render_template, url_for

from simulator.domain.models import Person, mask_name
from simulator.domain.refusals import NotGuardian, PersonUnknown
from simulator.platform.clock import stamp
from simulator.protocol.app_auth import own
from simulator.protocol.app_common import family
from simulator.protocol.runtime import json_response, sim

app_page = Blueprint("app_page", __name__, url_prefix="/app", template_folder="templates")

QR_SCALE = 10


def qr_png(code: str) -> bytes:
    """The code as a PNG QR image (segno, error correction M, 4-module quiet zone)."""
    buffer = io.BytesIO()
    segno.make_qr(code, error="m").save(buffer, kind="png", scale=QR_SCALE, border=4)
    return buffer.getvalue()


def fresh_code(person: Person) -> dict[str, Any]:
    """Issue a new e-voucher for `person` (the platform's issue service) and render it."""
    platform = sim().platform
    code, expires = platform.identity.issue_evoucher(person.psn_no)
    expires_in = max(0, int((expires - platform.now()).total_seconds()))
    return {"psn_no": person.psn_no, "name": mask_name(person.name), "expires_at": stamp(expires),
            "expires_in": expires_in, "png_base64": base64.b64encode(qr_png(code)).decode()}


def _page(holder: Person, refresh_url: str, guardian: Person | None, minors: list[dict[str, Any]] | None) -> Response:
    code = fresh_code(holder)
    html = render_template("app_evoucher.html", title=f"{mask_name(holder.name)} 的医保电子凭证",
                           holder=f"{mask_name(holder.name)} 的医保电子凭证", png_base64=code["png_base64"],
                           expires_at=code["expires_at"], expires_in=code["expires_in"], refresh_url=refresh_url,
                           guardian=None if guardian is None else mask_name(guardian.name), minors=minors)
    return Response(html, content_type="text/html; charset=utf-8", headers={"Cache-Control": "no-store"})


def _ward(psn_no: str, minor: str) -> tuple[Person, Person]:
    """The logged-in guardian and a minor in their own 亲情账户; anyone else's child does not exist."""
    try:
        return family().guardians.guarded(own(psn_no), minor)
    except NotGuardian:
        raise PersonUnknown(detail=f"未成年人 {minor} 不存在") from None


@app_page.get("/persons/<psn_no>")
def person_page(psn_no: str) -> Response:
    """The person's own code, and links to the minors in their 亲情账户."""
    person = family().guardians.person_card(own(psn_no))
    minors = [{"name": mask_name(m["name"]), "age": m["age"],
               "url": url_for("app_page.minor_page", psn_no=psn_no, minor=m["psn_no"])}
              for m in family().guardians.minors_of(psn_no)["minors"]]
    return _page(person, url_for("app_page.person_code", psn_no=psn_no), None, minors)


@app_page.get("/persons/<psn_no>/minors/<minor>")
def minor_page(psn_no: str, minor: str) -> Response:
    """The guardian view: the minor's own code, shown from the guardian's app."""
    guardian, child = _ward(psn_no, minor)
    return _page(child, url_for("app_page.minor_code", psn_no=psn_no, minor=minor), guardian, None)


@app_page.post("/persons/<psn_no>/evoucher")
def person_code(psn_no: str) -> Response:
    return json_response(fresh_code(family().guardians.person_card(own(psn_no))))


@app_page.post("/persons/<psn_no>/minors/<minor>/evoucher")
def minor_code(psn_no: str, minor: str) -> Response:
    _guardian, child = _ward(psn_no, minor)
    return json_response(fresh_code(child))
