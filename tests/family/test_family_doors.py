"""/app acts only for the logged-in person (issue 12). Each abuse below succeeded on a371c46, where /app
believed whoever called it; now it is refused and nothing changes. Another person's data answers exactly
as if it did not exist, so psn_nos cannot be enumerated."""

from __future__ import annotations

from typing import Any

import pytest
from family_api import Api, db_dump
from family_world import child, person, world

REQ = "/app/bindings"
SEND = "/app/wallet-transfers"


@pytest.fixture
def people(api: Api) -> dict[str, str]:
    """`me` (the attacker), `rich` (a stranger with money), `kid` (someone's child), `gd`/`gd2` (Guangdong)."""
    return api.load(world(person("me", "shaanxi"), person("rich", "shaanxi", account="5000.00"),
                          child("kid", "shaanxi"), person("gd", "guangdong"), person("gd2", "guangdong"),
                          wallets=[{"owner": "me", "balance": "0.00"}], today="2026-03-02T09:00:00"))


def raw(api: Api, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return api.session.request(method, api.base + path, json=body, headers=headers, timeout=30)


def test_nothing_in_app_without_logging_in(api: Api, people: dict[str, str]) -> None:
    before = db_dump(api.engine)
    for method, path, body in (("GET", f"/app/persons/{people['rich']}/beneficiaries", None),
                               ("POST", f"/app/persons/{people['rich']}/evoucher", {}),
                               ("POST", SEND, {"from": people["rich"], "to": people["me"], "amount": "1.00"}),
                               ("GET", f"/app/persons/{people['rich']}", None)):
        resp = raw(api, method, path, body, token="not-a-token" if method == "GET" else None)
        assert resp.status_code == 401 and resp.json()["code"] == "ERR_LOGIN_REQUIRED", (path, resp.text)
    assert db_dump(api.engine) == before


def test_login_needs_the_right_password(api: Api, people: dict[str, str]) -> None:
    certno = api.get(f"/admin/persons/{people['me']}")["certno"]
    for body in ({"certno": certno, "password": "000000"}, {"certno": "61010319800101999X", "password": "x"},
                 {"psn_no": people["me"], "password": certno[-5:]}, {"agency": "440106", "password": "agency"},
                 {"agency": "440106", "password": "密码"}):  # non-ASCII once broke the comparison (found by fuzz)
        resp = raw(api, "POST", "/app/login", body)
        assert resp.status_code == 401 and resp.json()["code"] == "ERR_LOGIN_FAILED", body
    assert raw(api, "POST", "/app/login", {"certno": certno, "password": certno[-6:]}).status_code == 200


def test_cannot_bind_a_stranger_as_my_funder(api: Api, people: dict[str, str]) -> None:
    """Without the stranger's face (their secret) the claim proves nothing; a wrong secret neither."""
    bind = {"funder": people["rich"], "beneficiary": people["me"], "relation": "child", "face_verified": True}
    with api.acting(people["me"]):
        api.refused(REQ, bind | {"face": {people["me"]: api.secret(people["me"])}}, "ERR_FACE_CHECK_REQUIRED")
        api.refused(REQ, bind | {"face": {people["me"]: api.secret(people["me"]), people["rich"]: "123456"}},
                    "ERR_FACE_CHECK_REQUIRED")
        # nor between two other people
        api.refused(REQ, {"funder": people["rich"], "beneficiary": people["kid"], "relation": "parent",
                          "face_verified": True}, "ERR_PERSON_UNKNOWN", 404)


def test_cannot_move_a_strangers_money_or_use_a_wrong_pin(api: Api, people: dict[str, str]) -> None:
    send = {"from": people["rich"], "to": people["me"], "amount": "100.00", "relation": "parent",
            "verification": "pin", "pin": "123456"}
    with api.acting(people["me"]):
        api.refused(SEND, send, "ERR_PERSON_UNKNOWN", 404)
    with api.acting(people["rich"]):
        api.refused(SEND, send | {"pin": "654321"}, "ERR_PIN_WRONG")
        api.refused(SEND, send | {"verification": "face", "face": "not-my-face"}, "ERR_FACE_CHECK_FAILED")
        assert api.post(SEND, send)["status"] == "pending"  # the owner, with the PIN the world names


def test_cannot_fetch_a_strangers_evoucher_or_page(api: Api, people: dict[str, str]) -> None:
    with api.acting(people["me"]):
        for method, path in (("POST", f"/app/persons/{people['rich']}/evoucher"),
                             ("GET", f"/app/persons/{people['rich']}"),
                             ("GET", f"/app/persons/{people['rich']}/wallet")):
            resp = api.call(method, path, {} if method == "POST" else None)
            assert resp.status_code == 404 and resp.json()["code"] == "ERR_PERSON_UNKNOWN", (path, resp.text)
        assert api.call("POST", f"/app/persons/{people['me']}/evoucher", {}).status_code == 200


def test_cannot_become_guardian_of_any_child(api: Api, people: dict[str, str]) -> None:
    adopt = {"guardian": people["me"], "minor": people["kid"], "relation": "parent"}
    with api.acting(people["me"]):
        api.refused("/app/guardians", adopt | {"face": {}}, "ERR_PERSON_UNKNOWN", 404)
        api.refused("/app/guardians", adopt | {"face": {people["kid"]: "000000"}}, "ERR_PERSON_UNKNOWN", 404)
        resp = api.call("GET", f"/app/persons/{people['me']}/minors/{people['kid']}")
        assert resp.status_code == 404


def test_guangdong_review_needs_the_agency_of_the_area(api: Api, people: dict[str, str]) -> None:
    made = api.post(REQ, {"funder": people["gd2"], "beneficiary": people["gd"], "relation": "spouse",
                          "face_verified": True})
    assert made["state"] == "pending"
    path = f"{REQ}/{made['binding_id']}/approve"
    for who in (people["gd"], people["gd2"], "agency:610103"):  # the parties themselves; another area's agency
        with api.acting(who):
            api.refused(path, {}, "ERR_BINDING_UNKNOWN", 404)
    with api.acting("agency:440106"):
        assert api.post(path, {})["state"] == "active"


def test_cannot_end_or_read_anyone_elses_binding_or_spending(api: Api, people: dict[str, str]) -> None:
    made = api.post(REQ, {"funder": people["rich"], "beneficiary": people["kid"], "relation": "parent",
                          "face_verified": True, "requested_by": people["rich"], "start": "2026-01-01",
                          "end": "2026-12-31"})
    with api.acting(people["me"]):
        api.refused(f"{REQ}/{made['binding_id']}/end", {"by": people["me"]}, "ERR_BINDING_UNKNOWN", 404)
        api.refused(f"{REQ}/{made['binding_id']}/end", {"by": people["rich"]}, "ERR_PERSON_UNKNOWN", 404)
        for path in (f"{REQ}/{made['binding_id']}", f"/app/persons/{people['rich']}/beneficiaries",
                     f"/app/persons/{people['kid']}/funders"):
            assert api.call("GET", path).status_code == 404, path


def test_others_look_exactly_like_nobody(api: Api, people: dict[str, str]) -> None:
    """A psn_no that exists and one that does not answer alike: nothing to enumerate."""
    nobody = people["rich"][:-3] + "999"
    with api.acting(people["me"]):
        for suffix in ("/funders", "/beneficiaries", "/wallet", "/minors", ""):
            found = api.call("GET", f"/app/persons/{people['rich']}{suffix}")
            missing = api.call("GET", f"/app/persons/{nobody}{suffix}")
            assert found.status_code == missing.status_code == 404
            assert found.json()["code"] == missing.json()["code"] == "ERR_PERSON_UNKNOWN"
            assert found.json()["message"].replace(people["rich"], nobody) == missing.json()["message"]
