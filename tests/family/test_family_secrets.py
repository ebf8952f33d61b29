"""Secrets are checked exactly, and the other party of a request cannot be enumerated (issue 20).

On c639e20 a PIN written in other digits (`１２３４５６`) sent 300.00 without the PIN, a counterparty that
exists answered a rule error where an unknown one answered ERR_PERSON_UNKNOWN, a binding reply showed the
other person's full name and area, an agency on a person route got 401, a login naming two different
people used one of them, and any 6-digit area logged in as an agency with `agency-<area>`. Each test
below failed there."""

from __future__ import annotations

from typing import Any

import pytest
from family_api import Api, db_dump
from family_world import child, person, world

SEND = "/app/wallet-transfers"
REQ = "/app/bindings"
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
MATH_BOLD = str.maketrans("0123456789", "𝟎𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
PIN = "123456"  # what family_world names for everyone


@pytest.fixture
def people(api: Api) -> dict[str, str]:
    """`gran` (money, Shaanxi) may send to `kid` (wallet); `me` (no wallet), `gd`/`gd2` (Guangdong)."""
    return api.load(world(person("gran", "shaanxi", account="5000.00", name="王秀英"),
                          child("kid", "shaanxi", name="王小明"), person("me", "shaanxi", name="李雷"),
                          person("gd", "guangdong", name="陈美玲"), person("gd2", "guangdong", name="陈志强"),
                          wallets=[{"owner": "kid", "balance": "0.00"}], today="2026-03-02T09:00:00"))


def raw(api: Api, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return api.session.request(method, api.base + path, json=body, headers=headers, timeout=30)


def send(people: dict[str, str], **change: Any) -> dict[str, Any]:
    return {"from": people["gran"], "to": people["kid"], "amount": "300.00", "relation": "grandparent",
            "verification": "pin", "pin": PIN, "names": {people["kid"]: "王小明"}} | change


@pytest.mark.parametrize("pin", [
    PIN.translate(FULLWIDTH), "000000".translate(MATH_BOLD), "000000".translate(ARABIC_INDIC),
    PIN[:5] + PIN[5].translate(FULLWIDTH), "１" + PIN[1:], 123456, f" {PIN}", f"{PIN} ", "12345", "1234567",
    "12345a", "", True, [PIN], {"pin": PIN}])
def test_a_pin_in_any_other_form_is_malformed_and_moves_nothing(api: Api, people: dict[str, str], pin: Any) -> None:
    with api.acting(people["gran"]):
        api.refused(SEND, send(people, pin=pin), "ERR_PIN_MALFORMED")
        # the check runs whatever `verification` says: a PIN that is sent is read and compared
        api.refused(SEND, send(people, pin=pin, verification="face"), "ERR_PIN_MALFORMED")


def test_a_sent_pin_is_always_compared(api: Api, people: dict[str, str]) -> None:
    with api.acting(people["gran"]):
        api.refused(SEND, send(people, pin="654321"), "ERR_PIN_WRONG")
        api.refused(SEND, send(people, pin="654321", verification="face"), "ERR_PIN_WRONG")
        api.refused(SEND, {k: v for k, v in send(people).items() if k != "pin"}, "ERR_VERIFICATION_REQUIRED")
        assert api.post(SEND, send(people))["status"] == "pending"  # the real PIN, in ASCII digits
    assert api.balances()["accounts"][people["gran"]] == "4700.00"


def test_passwords_are_strings_compared_as_sent(api: Api, people: dict[str, str]) -> None:
    certno = api.get(f"/admin/persons/{people['me']}")["certno"]
    right = certno[-6:]
    for password in (f" {right}", f"{right} ", right.translate(FULLWIDTH)):
        resp = raw(api, "POST", "/app/login", {"certno": certno, "password": password})
        assert resp.status_code == 401 and resp.json()["code"] == "ERR_LOGIN_FAILED", password
    for password in (int(right[:-1]), None, "", ["x"], "x" * 129):
        resp = raw(api, "POST", "/app/login", {"certno": certno, "password": password})
        assert resp.status_code == 400 and resp.json()["code"] == "ERR_BAD_FIELD", password
    assert raw(api, "POST", "/app/login", {"certno": certno, "password": right}).status_code == 200


def test_a_login_naming_two_people_is_refused(api: Api, people: dict[str, str]) -> None:
    mine = api.get(f"/admin/persons/{people['me']}")
    other = api.get(f"/admin/persons/{people['gran']}")
    for body in ({"certno": mine["certno"], "psn_no": people["gran"], "password": mine["certno"][-6:]},
                 {"certno": other["certno"], "psn_no": people["me"], "password": mine["certno"][-6:]},
                 {"certno": mine["certno"], "psn_no": people["me"][:-3] + "999", "password": mine["certno"][-6:]},
                 {"agency": "610103", "psn_no": people["me"], "password": "agency-610103"}):
        resp = raw(api, "POST", "/app/login", body)
        assert resp.status_code == 401 and resp.json()["code"] == "ERR_LOGIN_FAILED", body
    both = {"certno": mine["certno"], "psn_no": people["me"], "password": mine["certno"][-6:]}
    assert raw(api, "POST", "/app/login", both).json()["psn_no"] == people["me"]


def test_an_agency_exists_only_for_an_area_the_world_names(api: Api, people: dict[str, str]) -> None:
    for area in ("999999", "110101"):  # nobody insured there, no institution there, not in `agencies`
        resp = raw(api, "POST", "/app/login", {"agency": area, "password": f"agency-{area}"})
        assert resp.status_code == 401 and resp.json()["code"] == "ERR_LOGIN_FAILED", area
    for area in ("610103", "440106"):  # people are insured there
        assert raw(api, "POST", "/app/login", {"agency": area, "password": f"agency-{area}"}).status_code == 200
    for bad in ("６１０１０３", 610103, " 610103"):
        resp = raw(api, "POST", "/app/login", {"agency": bad, "password": "agency-610103"})
        assert resp.status_code == 401 and resp.json()["code"] == "ERR_LOGIN_FAILED", bad


def test_an_agency_on_a_person_route_is_403(api: Api, people: dict[str, str]) -> None:
    token = api.login("agency:610103")
    before = db_dump(api.engine)
    for method, path, body in (("POST", "/app/wallets", {"psn_no": people["me"]}), ("POST", SEND, send(people)),
                               ("GET", f"/app/persons/{people['me']}/funders", None)):
        resp = raw(api, method, path, body, token=token)
        assert resp.status_code == 403 and resp.json()["code"] == "ERR_NOT_A_PERSON", (path, resp.text)
    assert db_dump(api.engine) == before


def _alike(api: Api, token: str, path: str, existing: dict[str, Any], missing: dict[str, Any],
           psn_no: str, nobody: str) -> str:
    """POST both bodies; they must answer exactly alike (status, code, message but for the psn_no)."""
    before = db_dump(api.engine)
    found, absent = raw(api, "POST", path, existing, token), raw(api, "POST", path, missing, token)
    assert found.status_code == absent.status_code == 404, (found.text, absent.text)
    assert found.json()["code"] == absent.json()["code"] == "ERR_PERSON_UNKNOWN"
    assert found.json()["message"].replace(psn_no, nobody) == absent.json()["message"]
    assert db_dump(api.engine) == before
    return str(found.json()["message"])


def test_a_counterparty_not_proven_answers_like_nobody(api: Api, people: dict[str, str]) -> None:
    """`me` has no wallet: with proof that is ERR_WALLET_UNKNOWN; without, it must look like an unknown psn_no."""
    nobody = people["me"][:-3] + "999"
    token = api.login(people["gran"])
    assert token is not None
    body = send(people, to=people["me"], names={})
    _alike(api, token, SEND, body, body | {"to": nobody}, people["me"], nobody)
    wrong_name = body | {"names": {people["me"]: "李*"}}
    _alike(api, token, SEND, wrong_name, wrong_name | {"to": nobody, "names": {nobody: "李*"}}, people["me"], nobody)
    with api.acting(people["gran"]):  # proven: the real rule answers
        api.refused(SEND, body | {"names": {people["me"]: "李雷"}}, "ERR_WALLET_UNKNOWN")


def test_a_binding_or_pool_counterparty_not_proven_answers_like_nobody(api: Api, people: dict[str, str]) -> None:
    nobody = people["gd"][:-3] + "999"
    token = api.login(people["me"])
    assert token is not None
    # Shaanxi `me` asking Guangdong `gd` to fund them: out of scope once proven, unknown before
    bind = {"funder": people["gd"], "beneficiary": people["me"], "relation": "spouse"}
    _alike(api, token, REQ, bind, bind | {"funder": nobody}, people["gd"], nobody)
    with api.acting(people["me"]):
        api.refused(REQ, bind | {"names": {people["gd"]: "陈美玲"}}, "ERR_OUT_OF_SCOPE")


def test_replies_mask_everyone_but_the_caller(api: Api, people: dict[str, str]) -> None:
    """A Guangdong binding request used to echo the other person's full name and insured area."""
    with api.acting(people["gd"]):
        made = api.post(REQ, {"funder": people["gd2"], "beneficiary": people["gd"], "relation": "spouse",
                              "face_verified": True})
    assert made["funder"] == {"psn_no": people["gd2"], "name": "陈*"}
    assert made["beneficiary"] == {"psn_no": people["gd"], "name": "陈美玲", "insuplc": "440106"}
    with api.acting("agency:440106"):  # the reviewing agency sees the request whole
        seen = api.get(f"{REQ}/{made['binding_id']}")
    assert seen["funder"]["name"] == "陈志强" and seen["funder"]["insuplc"] == "440106"
    with api.acting(people["gran"]):
        sent = api.post(SEND, send(people))
    assert sent["receiver"] == {"psn_no": people["kid"], "name": "王*"}
    assert sent["sender"]["name"] == "王秀英"
