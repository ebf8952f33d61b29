"""亲情账户 and the app page over real HTTP (without a browser: the PNG embedded in the served HTML)."""

from __future__ import annotations

import base64
import io
import re

import pytest
from family_api import Api
from family_world import PHARMACY, child, person, world
from PIL import Image
from pyzbar.pyzbar import decode

_IMG = re.compile(r'<img id="ecode"[^>]*src="data:image/png;base64,([A-Za-z0-9+/=]+)"')


@pytest.fixture
def home(api: Api) -> dict[str, str]:
    return api.load(world(person("mum", "shaanxi", name="李秀英"), child("kid", "shaanxi", name="张小明"),
                          person("adult", "shaanxi", birthday="2008-03-02"), person("other", "shaanxi")))


def qr_of_png(png: bytes) -> str:
    found = decode(Image.open(io.BytesIO(png)))
    assert len(found) == 1, found
    return str(found[0].data.decode())


def page_code(api: Api, path: str) -> tuple[str, str]:
    resp = api.call("GET", path)
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/html"), resp.text
    match = _IMG.search(resp.text)
    assert match, resp.text
    return qr_of_png(base64.b64decode(match.group(1))), resp.text


def test_guardian_adds_a_minor_and_shows_the_minors_own_code(api: Api, home: dict[str, str]) -> None:
    h = home
    added = api.post("/app/guardians", {"guardian": h["mum"], "minor": h["kid"], "relation": "parent"})
    assert [(m["psn_no"], m["age"]) for m in added["minors"]] == [(h["kid"], 9)]
    code, html = page_code(api, f"/app/persons/{h['mum']}/minors/{h['kid']}")
    assert "亲情账户" in html and "张*" in html
    reply = api.sim.client(PHARMACY["shaanxi"], sign_in=False).decode(code)
    assert (reply.body["code"], reply.body["data"]["userName"]) == (0, "张小明")  # the minor, not the guardian
    own, html = page_code(api, f"/app/persons/{h['mum']}")
    assert f"/app/persons/{h['mum']}/minors/{h['kid']}" in html
    assert api.sim.client(PHARMACY["shaanxi"], sign_in=False).decode(own).body["data"]["userName"] == "李秀英"


def test_refresh_endpoints_issue_fresh_codes(api: Api, home: dict[str, str]) -> None:
    h = home
    api.post("/app/guardians", {"guardian": h["mum"], "minor": h["kid"], "relation": "parent"})
    first = api.post(f"/app/persons/{h['mum']}/evoucher")
    second = api.post(f"/app/persons/{h['mum']}/minors/{h['kid']}/evoucher")
    assert (first["expires_in"], first["expires_at"]) == (60, "2026-03-02 10:16:00")
    codes = {qr_of_png(base64.b64decode(x["png_base64"])) for x in (first, second)}
    assert len(codes) == 2 and all(len(c) == 28 and c.endswith("610103") for c in codes)


def test_guardian_rules(api: Api, home: dict[str, str]) -> None:
    h = home
    api.refused("/app/guardians", {"guardian": h["mum"], "minor": h["adult"], "relation": "parent"},
                "ERR_NOT_A_MINOR")  # 18 today
    api.refused("/app/guardians", {"guardian": h["mum"], "minor": h["kid"], "relation": "sibling"},
                "ERR_RELATION_NOT_ALLOWED")
    api.refused("/app/guardians", {"guardian": h["kid"], "minor": h["kid"], "relation": "parent"},
                "ERR_SELF_BINDING")
    api.post("/app/guardians", {"guardian": h["mum"], "minor": h["kid"], "relation": "parent"})
    api.refused("/app/guardians", {"guardian": h["mum"], "minor": h["kid"], "relation": "parent"},
                "ERR_GUARDIAN_EXISTS")


def test_someone_elses_child_is_not_shown(api: Api, home: dict[str, str]) -> None:
    h = home
    # someone else's child answers as if it did not exist (a371c46: 400 ERR_NOT_GUARDIAN)
    resp = api.call("GET", f"/app/persons/{h['other']}/minors/{h['kid']}")
    assert (resp.status_code, resp.json()["code"]) == (404, "ERR_PERSON_UNKNOWN")
    api.refused(f"/app/persons/{h['other']}/minors/{h['kid']}/evoucher", {}, "ERR_PERSON_UNKNOWN", 404)
    assert api.call("GET", "/app/persons/61010300000000000000").status_code == 404
