"""Every refusal the agent writes: one JSON shape {"code", "message"} with the HTTP status of its class,
and nothing changed (balances as before)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from agent_world import ROOT, scenario
from click.testing import CliRunner

from pos_plugin.cli import main
from pos_plugin.cli.agent import check_binding, is_loopback
from pos_plugin.errors import InputError

LINE = {"code": "D4001", "name": "二甲双胍缓释片", "class": "A", "qty": "2", "price": "28.40"}


@pytest.fixture
def shop(admin, start_agent):
    scen = scenario("own-account-covers-everything")
    loaded = admin.load_world(scen)
    return scen, loaded, start_agent(scen)


def refused(answer, status, code):
    assert (answer.status_code, answer.json()["code"]) == (status, code), answer.text
    assert answer.json()["message"] and set(answer.json()) == {"code", "message"}
    return answer.json()["message"]


def test_token_is_required_on_every_api_call_when_configured(admin, start_agent):
    scen = scenario("own-account-covers-everything")
    admin.load_world(scen)
    agent = start_agent(scen, token="s3cret")
    assert agent.call("GET", "/health").json()["ok"] is True
    agent.token = ""
    refused(agent.call("GET", "/health"), 401, "ERR_UNAUTHORIZED")
    refused(agent.call("POST", "/sales", {"lines": [LINE]}, headers={"Authorization": "Bearer wrong"}), 401,
            "ERR_UNAUTHORIZED")
    refused(agent.call("GET", "/openapi.json", headers={"Authorization": "s3cret"}), 401, "ERR_UNAUTHORIZED")
    page = agent.call("GET", "/")  # the page carries no data; its own calls send the token
    assert page.status_code == 200 and "医保收银台" in page.text


def test_binding_beyond_loopback_needs_a_token(tmp_path):
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.20") and not is_loopback("till.local")
    check_binding("0.0.0.0", "s3cret")  # allowed with a token
    with pytest.raises(InputError, match="--token"):
        check_binding("192.168.1.20", "")
    shown = CliRunner().invoke(main, ["agent", "--host", "0.0.0.0", "--platform", "http://127.0.0.1:9",
                                      "--institution", "P1", "--institution-name", "药房", "--admdvs", "610103",
                                      "--state-dir", str(tmp_path)], env={"YIBAO_AGENT_TOKEN": ""})
    assert shown.exit_code == 2 and shown.output.startswith("ERR_INPUT: 拒绝在 0.0.0.0 上监听"), shown.output


def test_routes_methods_and_bodies(shop):
    _, _, agent = shop
    refused(agent.call("GET", "/nothing-here"), 404, "ERR_NOT_FOUND")
    refused(agent.call("GET", "/sales"), 405, "ERR_METHOD_NOT_ALLOWED")
    refused(agent.call("POST", "/sales", data=b"{not json", headers={"Content-Type": "application/json"}), 400,
            "ERR_INPUT")
    refused(agent.call("POST", "/sales", [LINE]), 400, "ERR_INPUT")
    refused(agent.call("POST", "/sales", {"code": "x", "lines": []}), 400, "ERR_INPUT")
    refused(agent.call("POST", "/sales", {"patient_id": "P-nobody", "lines": [LINE]}), 404, "ERR_PATIENT_UNKNOWN")
    refused(agent.call("POST", "/sales", {"patient_id": "P-x", "lines": [dict(LINE, price="abc")]}), 400,
            "ERR_INVALID_CART")
    refused(agent.call("POST", "/sales", {"patient_id": "P-x", "lines": [LINE], "use_wallet": "yes"}), 400,
            "ERR_INPUT")
    refused(agent.call("POST", "/sales", {"patient_id": "P-x", "lines": [LINE], "flow": "ward"}), 400, "ERR_INPUT")
    refused(agent.call("POST", "/identify", {}), 400, "ERR_INPUT")
    refused(agent.call("POST", "/identify", {"code": 42}), 400, "ERR_INPUT")
    refused(agent.call("POST", "/identify", {"code": "6901234567892"}), 422, "ERR_NOT_AN_INSURANCE_CODE")
    refused(agent.call("POST", "/reconcile", {"date": "2026-13-01"}), 400, "ERR_INPUT")
    refused(agent.call("POST", "/reconcile", {"with_refunds": "yes"}), 400, "ERR_INPUT")
    refused(agent.call("GET", "/sales/NO-SUCH/receipt"), 404, "ERR_SALE_UNKNOWN")
    refused(agent.call("POST", "/sales/NO-SUCH/revoke"), 404, "ERR_SALE_UNKNOWN")
    refused(agent.call("POST", "/sales/NO-SUCH/refund", {"code": "x"}), 400, "ERR_INPUT")  # no lines: the body first


def test_scan_uploads(shop):
    _, _, agent = shop
    refused(agent.call("POST", "/scan"), 400, "ERR_INPUT")
    refused(agent.call("POST", "/scan", data=b"not a picture", headers={"Content-Type": "image/png"}), 400,
            "ERR_IMAGE_UNREADABLE")
    refused(agent.call("POST", "/scan", data=b"\0" * (11 * 1024 * 1024), headers={"Content-Type": "image/png"}),
            413, "ERR_BODY_TOO_LARGE")


def test_identify_by_uploaded_image(shop, admin):
    _, loaded, agent = shop
    _, png = admin.evoucher(loaded["handles"]["zhao"])
    who = agent.call("POST", "/identify", data=png, headers={"Content-Type": "image/png"})
    assert who.status_code == 200 and who.json()["name"] == "赵*"


def test_one_open_quote_per_terminal_a_new_quote_replaces_it(shop, admin):
    _, loaded, agent = shop
    before = admin.balances()
    who = agent.call("POST", "/identify", {"code": admin.evoucher(loaded["handles"]["zhao"])[0]}).json()
    first = agent.call("POST", "/sales", {"patient_id": who["patient_id"], "lines": [LINE]}).json()
    second = agent.call("POST", "/sales", {"patient_id": who["patient_id"], "lines": [LINE, LINE | {"code": "D4002",
                                                                                                    "qty": "1"}]})
    assert second.status_code == 201
    assert agent.call("GET", "/health").json()["open_quote"] == second.json()["quote_id"]
    refused(agent.call("POST", f"/sales/{first['quote_id']}/confirm"), 409, "ERR_QUOTE_STALE")
    refused(agent.call("POST", "/sales/Q-from-another-terminal/confirm"), 409, "ERR_QUOTE_STALE")
    assert admin.balances() == before


def test_idempotency_key_reused_for_another_request_or_malformed(shop, admin):
    _, loaded, agent = shop
    who = agent.call("POST", "/identify", {"code": admin.evoucher(loaded["handles"]["zhao"])[0]}).json()
    quote = agent.call("POST", "/sales", {"patient_id": who["patient_id"], "lines": [LINE]}).json()
    refused(agent.call("POST", f"/sales/{quote['quote_id']}/confirm", key="a b"), 400, "ERR_INPUT")
    sale = agent.call("POST", f"/sales/{quote['quote_id']}/confirm", key="k1")
    assert sale.status_code == 201
    settled = admin.balances()
    refused(agent.call("POST", f"/sales/{sale.json()['sale_id']}/revoke", key="k1"), 422, "ERR_IDEMPOTENCY_CONFLICT")
    assert admin.balances() == settled
    assert agent.call("POST", f"/sales/{sale.json()['sale_id']}/revoke", key="k2").status_code == 200


def test_platform_refusal_on_confirm_is_its_own_words_and_nothing_moves(shop, admin):
    _, loaded, agent = shop
    who = agent.call("POST", "/identify", {"code": admin.evoucher(loaded["handles"]["zhao"])[0]}).json()
    quote = agent.call("POST", "/sales", {"patient_id": who["patient_id"], "lines": [LINE]}).json()
    before = admin.balances()
    admin.arm_fault("2102", "error", message="结算服务维护中")
    message = refused(agent.call("POST", f"/sales/{quote['quote_id']}/confirm", key="f1"), 422,
                      "ERR_PLATFORM_REFUSED")
    assert "结算服务维护中" in message
    assert admin.balances() == before
    again = agent.call("POST", f"/sales/{quote['quote_id']}/confirm", key="f1")  # the first answer, replayed
    assert again.json()["code"] == "ERR_PLATFORM_REFUSED" and again.headers["Idempotent-Replayed"] == "true"


def test_refund_by_someone_else_is_refused(shop, admin):
    _, loaded, agent = shop
    who = agent.call("POST", "/identify", {"code": admin.evoucher(loaded["handles"]["zhao"])[0]}).json()
    quote = agent.call("POST", "/sales", {"patient_id": who["patient_id"], "lines": [LINE]}).json()
    sale = agent.call("POST", f"/sales/{quote['quote_id']}/confirm").json()
    wife = admin.evoucher(loaded["handles"]["wife"])[0]
    refused(agent.call("POST", f"/sales/{sale['sale_id']}/refund", {"code": wife, "lines": ["D4001"]}), 422,
            "ERR_IDENTITY_MISMATCH")
    refused(agent.call("POST", f"/sales/{sale['sale_id']}/refund", {"code": wife, "lines": []}), 400, "ERR_INPUT")
    assert agent.call("POST", f"/sales/{sale['sale_id']}/revoke").status_code == 200


def test_unreachable_platform_is_a_502(admin, start_agent, free_port):
    scen = scenario("own-account-covers-everything")
    agent = start_agent(scen, platform=f"http://127.0.0.1:{free_port}", state="offline")
    refused(agent.call("POST", "/identify", {"code": scen["people"][0]["certno"]}), 502, "ERR_UNREACHABLE")


def test_recover_and_reconcile_answer(shop):
    _, _, agent = shop
    assert agent.call("POST", "/recover").json() == {"resolutions": [], "unresolved": 0, "booked": []}
    day = agent.call("POST", "/reconcile", {})
    assert day.status_code == 200 and day.json()["balanced"] is True


def test_the_agent_imports_no_simulator_or_lab_code():
    found = set()
    for path in sorted(Path(ROOT / "pos_plugin" / "agent").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                found.add(node.module)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
    assert "pos_plugin.service" in found or "pos_plugin.agent.service" in found  # the scan sees imports
    lab = {m for m in found if m.split(".")[0] == "simulator" or m == "pos_plugin.lab" or m.startswith("pos_plugin.lab.")}
    assert lab == set()
