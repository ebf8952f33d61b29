"""The admin API's door: a configured token is required on every /admin call; serve refuses to expose
an open /admin beyond loopback."""

from __future__ import annotations

import pytest
from sim_apps import AppPool, fresh

from simulator.protocol.admin_access import check_bind
from tools.worlds import world


@pytest.fixture(scope="module")
def guarded_app(tmp_path_factory):
    pool = AppPool(f"sqlite:///{tmp_path_factory.mktemp('guarded') / 'sim.sqlite'}")
    yield pool.lease({"admin_token": "s3cret"}, 0)
    pool.close()


@pytest.fixture()
def guarded(guarded_app):
    return fresh(guarded_app).test_client()


def test_admin_without_token_is_refused_and_changes_nothing(guarded) -> None:
    for call in (guarded.post("/admin/reset"), guarded.get("/admin/clock"),
                 guarded.post("/admin/clock", json={"now": "2030-01-01T00:00:00"},
                              headers={"Authorization": "Bearer wrong"})):
        assert call.status_code == 401
        assert call.get_json()["code"] == "ERR_ADMIN_TOKEN"
    now = guarded.get("/admin/clock", headers={"X-Admin-Token": "s3cret"}).get_json()["now"]
    assert not now.startswith("2030")


def test_admin_with_token_works(guarded) -> None:
    assert guarded.post("/admin/reset", headers={"Authorization": "Bearer s3cret"}).status_code == 200


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20"])
def test_serve_beyond_loopback_needs_a_token(host: str) -> None:
    with pytest.raises(SystemExit, match="--admin-token"):
        check_bind(host, "")
    check_bind(host, "t")
    check_bind("127.0.0.1", "")


def test_the_consoles_people_search_and_evouchers_need_the_admin_token(guarded) -> None:
    """No name search and no live e-voucher of anyone without the admin token (issue 12: psn_nos must not
    be enumerable by name)."""
    client = guarded
    good = {"Authorization": "Bearer s3cret"}
    assert client.post("/admin/world", json=world(), headers=good).status_code == 200
    psn_no = client.get("/admin/handles", headers=good).json["handles"]["pat"]
    for method, path in (("get", "/console/api/persons?q=周"), ("get", f"/console/api/persons/{psn_no}"),
                         ("post", f"/console/api/persons/{psn_no}/evoucher")):
        resp = getattr(client, method)(path)
        assert resp.status_code == 401 and resp.json["code"] == "ERR_ADMIN_TOKEN", path
        assert getattr(client, method)(path, headers=good).status_code == 200, path
