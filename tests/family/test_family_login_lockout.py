"""Doors that hold under a probe (issue 15 item 7): `POST /app/login` does not take unlimited password
guesses. After 5 wrong passwords in a row an account is locked for 15 minutes (429 ERR_LOGIN_LOCKED, the
right password included); an unknown account locks the same way; other accounts are untouched; a reset
clears the locks; refusals change nothing. Before: every guess was an ERR_LOGIN_FAILED, for ever."""

from __future__ import annotations

from typing import Any

import pytest
from family_api import Api, db_dump
from family_world import person, world

from simulator.protocol.login_throttle import LOCK_SECONDS, MAX_FAILURES, LoginThrottle


@pytest.fixture
def people(api: Api) -> dict[str, str]:
    return api.load(world(person("me", "shaanxi"), person("other", "shaanxi")))


def login(api: Api, body: dict[str, Any]) -> Any:
    return api.session.post(api.base + "/app/login", json=body, timeout=30)


def test_five_wrong_passwords_lock_the_account(api: Api, people: dict[str, str]) -> None:
    certno = api.get(f"/admin/persons/{people['me']}")["certno"]
    before = db_dump(api.engine)
    for guess in range(MAX_FAILURES):
        resp = login(api, {"certno": certno, "password": f"{guess:06d}"})
        assert (resp.status_code, resp.json()["code"]) == (401, "ERR_LOGIN_FAILED")
    locked = login(api, {"certno": certno, "password": certno[-6:]})  # the right one, too late
    assert (locked.status_code, locked.json()["code"]) == (429, "ERR_LOGIN_LOCKED")
    assert "15 分钟" in locked.json()["message"]
    by_psn_no = login(api, {"psn_no": people["me"], "password": certno[-6:]})  # the same account, other name
    assert by_psn_no.status_code == 429
    assert db_dump(api.engine) == before  # no session was opened, nothing else changed
    other = api.get(f"/admin/persons/{people['other']}")["certno"]
    assert login(api, {"certno": other, "password": other[-6:]}).status_code == 200
    api.post("/admin/reset")
    api.load(world(person("me", "shaanxi")))
    assert login(api, {"certno": certno, "password": certno[-6:]}).status_code == 200


def test_an_unknown_account_locks_like_a_known_one(api: Api, people: dict[str, str]) -> None:
    nobody = {"certno": "61010319800101999X", "password": "x"}
    answers = [login(api, nobody) for _ in range(MAX_FAILURES + 1)]
    assert [a.status_code for a in answers] == [401] * MAX_FAILURES + [429]
    assert answers[-1].json()["code"] == "ERR_LOGIN_LOCKED"


def test_a_good_login_clears_the_count(api: Api, people: dict[str, str]) -> None:
    certno = api.get(f"/admin/persons/{people['me']}")["certno"]
    for _ in range(3):
        for _ in range(MAX_FAILURES - 1):
            assert login(api, {"certno": certno, "password": "000000"}).status_code == 401
        assert login(api, {"certno": certno, "password": certno[-6:]}).status_code == 200


def test_the_lock_ends_after_its_time() -> None:
    now = [1000.0]
    throttle = LoginThrottle(clock=lambda: now[0])
    for _ in range(MAX_FAILURES):
        throttle.failed("person:P1")
    assert throttle.locked_for("person:P1") == LOCK_SECONDS and throttle.locked_for("person:P2") == 0
    now[0] += LOCK_SECONDS - 1
    assert throttle.locked_for("person:P1") == 1 and throttle.minutes(1) == 1
    now[0] += 1
    assert throttle.locked_for("person:P1") == 0
