"""/openapi.json against the app: every route is documented and every documented operation is a route
(both ways), and real answers — successes and refusals — validate against the document's schemas."""

from __future__ import annotations

import re

import pytest
from agent_world import scenario
from jsonschema import Draft202012Validator

from pos_plugin.agent.openapi import document

PAGE_ROUTES = {("GET", "/"), ("GET", "/static/{name}"), ("GET", "/openapi.json")}  # the page and the document


def app_routes(app) -> set[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        found |= {(method, path) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return found


def test_routes_and_document_agree_both_ways(admin, start_agent):
    agent = start_agent(scenario("own-account-covers-everything"))
    served = agent.call("GET", "/openapi.json").json()
    assert served == document() and served["openapi"].startswith("3.")
    documented = {(method.upper(), path) for path, ops in served["paths"].items() for method in ops}
    app = start_agent.apps[-1]
    assert app_routes(app) - PAGE_ROUTES == documented
    for schema in served["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)


class Checker:
    """Validates an answer against the documented response schema for its operation and status."""

    def __init__(self, doc):
        self.doc = doc
        self.seen: set[tuple[str, str, int]] = set()

    def __call__(self, method: str, template: str, answer) -> dict:
        op = self.doc["paths"][template][method.lower()]
        status = str(answer.status_code)
        assert status in op["responses"], f"{method} {template} answered undocumented {status}: {answer.text}"
        schema = op["responses"][status]["content"]["application/json"]["schema"]
        Draft202012Validator({**schema, "components": self.doc["components"]}).validate(answer.json())
        self.seen.add((method, template, answer.status_code))
        return answer.json()


def test_real_answers_validate_against_the_document(admin, start_agent):
    scen = scenario("own-account-covers-everything")
    loaded = admin.load_world(scen)
    agent = start_agent(scen)
    check = Checker(document())
    code, png = admin.evoucher(loaded["handles"]["zhao"])
    goods = {"code": "G001", "name": "维生素软糖", "insurable": False, "qty": "1", "price": "59.00"}

    check("GET", "/health", agent.call("GET", "/health"))
    synced = check("POST", "/catalogue/sync", agent.call("POST", "/catalogue/sync"))
    assert synced["total"] == 2 and synced["fetched"] == 2
    mapping = {"mappings": [{"item": "SKU-4001", "med_list_codg": "D4001", "name": "二甲双胍缓释片"}]}
    assert check("POST", "/catalogue/mappings", agent.call("POST", "/catalogue/mappings", mapping)) == {
        "mapped": 1, "chk_stas": "1"}
    states = check("GET", "/catalogue/mappings", agent.call("GET", "/catalogue/mappings"))
    assert [(m["item"], m["chk_stas"], m["chk_stas_name"]) for m in states["mappings"]] == [
        ("SKU-4001", "1", "审核通过")]
    check("POST", "/catalogue/mappings", agent.call("POST", "/catalogue/mappings", {"mappings": [{"item": "X"}]}))
    check("POST", "/scan", agent.call("POST", "/scan", files={"image": ("f.png", png, "image/png")}))
    check("POST", "/scan", agent.call("POST", "/scan"))
    who = check("POST", "/identify", agent.call("POST", "/identify", {"code": code}))
    check("POST", "/identify", agent.call("POST", "/identify", {"code": "6901234567892"}))
    body = {"patient_id": who["patient_id"], "lines": scen["checkout"]["lines"] + [goods]}
    quote = check("POST", "/sales", agent.call("POST", "/sales", body))
    check("POST", "/sales", agent.call("POST", "/sales", {"patient_id": "nobody", "lines": [goods]}))
    quote = check("POST", "/sales", agent.call("POST", "/sales", body))
    sale = check("POST", "/sales/{quote_id}/confirm", agent.call("POST", f"/sales/{quote['quote_id']}/confirm"))
    check("POST", "/sales/{quote_id}/confirm", agent.call("POST", f"/sales/{quote['quote_id']}/confirm"))
    check("GET", "/sales/{sale_id}/receipt", agent.call("GET", f"/sales/{sale['sale_id']}/receipt"))
    refund = {"code": admin.evoucher(loaded["handles"]["zhao"])[0], "lines": ["D4002"]}
    new = check("POST", "/sales/{sale_id}/refund", agent.call("POST", f"/sales/{sale['sale_id']}/refund", refund))
    check("POST", "/sales/{sale_id}/refund", agent.call("POST", f"/sales/{sale['sale_id']}/refund", refund))
    check("POST", "/sales/{sale_id}/revoke", agent.call("POST", f"/sales/{new['new']['sale_id']}/revoke"))
    check("POST", "/sales/{sale_id}/revoke", agent.call("POST", f"/sales/{new['new']['sale_id']}/revoke"))
    check("POST", "/recover", agent.call("POST", "/recover"))
    check("POST", "/reconcile", agent.call("POST", "/reconcile", {}))
    check("POST", "/reconcile", agent.call("POST", "/reconcile", {"date": "yesterday"}))

    documented = {(m.upper(), p) for p, ops in document()["paths"].items() for m in ops
                  if not p.startswith(("/stays", "/visits"))}
    assert {(m, p) for m, p, _ in check.seen} == documented  # every operation answered for real (stays: test_agent_stays,
    # visits: test_agent_visits)
    assert {s for _, _, s in check.seen} >= {200, 201, 400, 404, 409, 422}


@pytest.mark.parametrize("token", ["", "t"])
def test_the_page_is_served_as_package_data(admin, start_agent, token):
    agent = start_agent(scenario("own-account-covers-everything"), token=token, state=f"s{token}")
    for path, text in (("/", "医保收银台"), ("/static/till.js", "Idempotency-Key"), ("/static/till.css", "#error"),
                       ("/static/hospital.js", "/stays/")):
        answer = agent.http.get(agent.base + path, timeout=10)
        assert answer.status_code == 200 and text in answer.text


def test_every_operation_has_an_id_and_documents_405_413_and_the_replay_header():
    doc = document()
    ops = [(path, method, op) for path, methods in doc["paths"].items() for method, op in methods.items()]
    ids = [op.get("operationId") for _, _, op in ops]
    assert all(ids) and len(set(ids)) == len(ids), ids
    for path, method, op in ops:
        assert {"405", "413", "422"} <= set(op["responses"]), (method, path)
        assert "Allow" in op["responses"]["405"]["headers"]
        keyed = any(p["name"] == "Idempotency-Key" for p in op.get("parameters", []))
        replayed = all("Idempotent-Replayed" in answer.get("headers", {}) for answer in op["responses"].values())
        assert keyed == replayed, (method, path)
    assert sum(any(p["name"] == "Idempotency-Key" for p in op.get("parameters", [])) for _, _, op in ops) == 8  # 4 sale, 2 stay, 2 visit
    for name in ("Credential", "SaleRequest", "CartLine", "RefundRequest", "ReconcileRequest", "Visit", "AdmitRequest",
                 "FeesRequest", "DischargeRequest", "StayQuoteRequest", "StaySettleRequest", "VisitRequest",
                 "VisitFeesRequest", "VisitQuoteRequest", "VisitSettleRequest"):
        assert doc["components"]["schemas"][name]["additionalProperties"] is False
