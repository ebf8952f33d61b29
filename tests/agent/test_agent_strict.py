"""An agent a typed client can rely on (issue 15 item 3): closed request schemas, one code and status per
situation, the body limit first, a refused call changes nothing (the open quote survives), an honest /health,
a configurable platform timeout. Each test here failed before the change."""

from __future__ import annotations

import pytest
from agent_world import scenario

from pos_plugin.config import platform_timeouts
from pos_plugin.errors import InputError

LINE = {"code": "D4001", "name": "二甲双胍缓释片", "class": "A", "qty": "2", "price": "28.40"}


@pytest.fixture
def shop(admin, start_agent):
    scen = scenario("own-account-covers-everything")
    loaded = admin.load_world(scen)
    return scen, loaded, start_agent(scen)


def refused(answer, status, code, field=None):
    body = answer.json()
    assert (answer.status_code, body["code"]) == (status, code), answer.text
    assert body["message"] and set(body) <= {"code", "message", "field"}
    assert body.get("field") == field
    return body["message"]


def identified(agent, admin, loaded, who="zhao"):
    return agent.call("POST", "/identify", {"code": admin.evoucher(loaded["handles"][who])[0]}).json()["patient_id"]


def open_quote(agent, patient_id, **more):
    quote = agent.call("POST", "/sales", {"patient_id": patient_id, "lines": [LINE], **more})
    assert quote.status_code == 201, quote.text
    return quote.json()


def test_camel_case_use_account_is_refused_never_ignored(shop, admin):
    _, loaded, agent = shop
    patient = identified(agent, admin, loaded)
    before = admin.balances()
    message = refused(agent.call("POST", "/sales", {"patient_id": patient, "lines": [LINE], "useAccount": False}),
                      422, "ERR_UNKNOWN_FIELD", "useAccount")
    assert "useAccount" in message and "use_account" in message
    assert agent.call("GET", "/health").json()["open_quote"] is None  # nothing was quoted
    declined = open_quote(agent, patient, use_account=False)  # the documented spelling is honoured
    assert [leg["source"] for leg in declined["legs"]] == [] and declined["cash_total"] == "56.80"
    assert admin.balances() == before


def test_every_request_schema_is_closed(shop, admin):
    _, loaded, agent = shop
    patient = identified(agent, admin, loaded)
    refused(agent.call("POST", "/sales", {"patient_id": patient, "lines": [LINE | {"colour": "red"}]}), 422,
            "ERR_UNKNOWN_FIELD", "lines[0].colour")
    refused(agent.call("POST", "/identify", {"code": "x", "patientName": "赵明"}), 422, "ERR_UNKNOWN_FIELD",
            "patientName")
    refused(agent.call("POST", "/reconcile", {"day": "2026-04-20"}), 422, "ERR_UNKNOWN_FIELD", "day")
    refused(agent.call("POST", "/sales", {"patient_id": patient, "lines": [LINE | {"qty": 2}]}), 400, "ERR_INPUT")
    quote = open_quote(agent, patient)
    refused(agent.call("POST", f"/sales/{quote['quote_id']}/confirm", {"force": True}), 422, "ERR_UNKNOWN_FIELD",
            "force")
    refused(agent.call("POST", "/scan", files={"image": b"x", "other": b"y"}), 422, "ERR_UNKNOWN_FIELD", "other")
    assert agent.call("GET", "/health").json()["open_quote"] == quote["quote_id"]  # refusals left it open
    sale = agent.call("POST", f"/sales/{quote['quote_id']}/confirm", {})  # an empty object is no body
    assert sale.status_code == 201
    refused(agent.call("POST", f"/sales/{sale.json()['sale_id']}/refund", {"lines": ["D4001"], "patientId": patient}),
            422, "ERR_UNKNOWN_FIELD", "patientId")


def test_unknown_sale_is_404_and_already_revoked_is_409(shop, admin):
    _, loaded, agent = shop
    refused(agent.call("GET", "/sales/NO-SUCH/receipt"), 404, "ERR_SALE_UNKNOWN")
    refused(agent.call("POST", "/sales/NO-SUCH/revoke"), 404, "ERR_SALE_UNKNOWN")
    refused(agent.call("POST", "/sales/NO-SUCH/refund", {"lines": ["D4001"], "code": "x"}), 404, "ERR_SALE_UNKNOWN")
    quote = open_quote(agent, identified(agent, admin, loaded))
    sale = agent.call("POST", f"/sales/{quote['quote_id']}/confirm").json()
    assert agent.call("POST", f"/sales/{sale['sale_id']}/revoke").status_code == 200
    after = admin.balances()
    refused(agent.call("POST", f"/sales/{sale['sale_id']}/revoke"), 409, "ERR_ALREADY_REVOKED")
    refused(agent.call("POST", f"/sales/{sale['sale_id']}/refund", {"lines": ["D4001"], "code": "x"}), 409,
            "ERR_ALREADY_REVOKED")
    assert admin.balances() == after


def test_a_body_over_the_limit_is_413_before_anything_else_and_the_open_quote_survives(admin, start_agent):
    scen = scenario("own-account-covers-everything")
    loaded = admin.load_world(scen)
    agent = start_agent(scen, token="s3cret")
    quote = open_quote(agent, identified(agent, admin, loaded))
    big = {"patient_id": "P-x", "lines": [LINE | {"name": "x" * (8 * 1024 * 1024)}]}
    refused(agent.call("POST", "/sales", big), 413, "ERR_BODY_TOO_LARGE")
    refused(agent.call("POST", "/sales", big, headers={"Authorization": "Bearer wrong"}), 413, "ERR_BODY_TOO_LARGE")
    refused(agent.call("POST", "/scan", data=b"\0" * (11 * 1024 * 1024), headers={"Content-Type": "image/png"}),
            413, "ERR_BODY_TOO_LARGE")
    assert agent.call("GET", "/health").json()["open_quote"] == quote["quote_id"]
    assert agent.call("POST", f"/sales/{quote['quote_id']}/confirm").status_code == 201


def test_a_quote_the_platform_refuses_leaves_the_open_quote(shop, admin):
    _, loaded, agent = shop
    patient = identified(agent, admin, loaded)
    quote = open_quote(agent, patient)
    admin.arm_fault("2101", "error", message="预结算服务维护中")
    assert "维护中" in refused(agent.call("POST", "/sales", {"patient_id": patient, "lines": [LINE, LINE | {
        "code": "D4002"}]}), 422, "ERR_PLATFORM_REFUSED")
    assert agent.call("GET", "/health").json()["open_quote"] == quote["quote_id"]
    admin.arm_fault("2102", "error", message="结算服务维护中")
    refused(agent.call("POST", f"/sales/{quote['quote_id']}/confirm"), 422, "ERR_PLATFORM_REFUSED")
    assert agent.call("GET", "/health").json()["open_quote"] == quote["quote_id"]  # nothing moved: still open
    assert agent.call("POST", f"/sales/{quote['quote_id']}/confirm").status_code == 201


def test_wrong_method_says_which_are_allowed(shop):
    _, _, agent = shop
    answer = agent.call("DELETE", "/sales")
    refused(answer, 405, "ERR_METHOD_NOT_ALLOWED")
    assert "POST" in answer.headers["Allow"]


def test_health_reports_the_platform_and_the_sign_in(shop, admin, start_agent, free_port):
    _, loaded, agent = shop
    health = agent.call("GET", "/health").json()
    assert health["ok"] is True and health["platform"]["reachable"] is True and health["platform"]["error"] is None
    assert health["signed_in"] is False and health["platform"]["timeout_seconds"] == 20.0
    open_quote(agent, identified(agent, admin, loaded))
    assert agent.call("GET", "/health").json()["signed_in"] is True
    offline = start_agent(scenario("own-account-covers-everything"), platform=f"http://127.0.0.1:{free_port}",
                          state="offline", timeout=2.5)
    down = offline.call("GET", "/health")
    assert down.status_code == 200
    assert down.json()["ok"] is False and down.json()["platform"]["reachable"] is False
    assert down.json()["platform"]["error"]["code"] == "ERR_UNREACHABLE"
    assert down.json()["platform"]["timeout_seconds"] == 2.5


def test_the_platform_timeout_is_the_one_configured(admin, start_agent):
    scen = scenario("own-account-covers-everything")
    loaded = admin.load_world(scen)
    agent = start_agent(scen, timeout=0.5)
    patient = identified(agent, admin, loaded)
    admin.arm_fault("2101", "delay", delay_ms=1500, count=3)  # 2101 is a query: retried 3 times
    message = refused(agent.call("POST", "/sales", {"patient_id": patient, "lines": [LINE]}), 502, "ERR_TIMEOUT")
    assert "0.5 秒" in message
    with pytest.raises(InputError):
        platform_timeouts(0)
    assert platform_timeouts(7.5).read == 7.5
