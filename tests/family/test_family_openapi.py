"""The OpenAPI document served at /openapi.json is kept true: every /app and /admin route is documented
(and nothing else), and real responses validate against the documented schemas."""

from __future__ import annotations

import re
from typing import Any

import pytest
from family_api import Api
from family_flows import buy, item, till
from family_world import PHARMACY, child, person, world

_CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")
_SKIP = {"HEAD", "OPTIONS"}


def routes(app: Any) -> set[tuple[str, str]]:
    """(OpenAPI path, method) of every /app and /admin rule of the Flask app."""
    out = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(("/app/", "/admin/")):
            path = _CONVERTER.sub(r"{\1}", rule.rule)
            out |= {(path, method.lower()) for method in rule.methods - _SKIP}
    return out


def documented(doc: dict[str, Any]) -> set[tuple[str, str]]:
    return {(path, method) for path, item_ in doc["paths"].items() for method in item_ if method != "parameters"}


# a tiny validator for the JSON Schema subset the document uses ------------------------------------------------
def check(value: Any, schema: dict[str, Any], doc: dict[str, Any], where: str = "$") -> None:
    if "$ref" in schema:
        return check(value, doc["components"]["schemas"][schema["$ref"].split("/")[-1]], doc, where)
    if value is None:
        assert schema.get("nullable"), f"{where}: null not allowed"
        return None
    for part in schema.get("allOf", []):
        check(value, part, doc, where)
    if "oneOf" in schema:
        assert sum(_valid(value, s, doc) for s in schema["oneOf"]) == 1, f"{where}: not exactly one of oneOf"
    kind = schema.get("type")
    types = {"object": dict, "array": list, "string": str, "boolean": bool, "integer": int, "number": (int, float)}
    if kind is not None:
        assert isinstance(value, types[kind]) and not (kind == "integer" and isinstance(value, bool)), \
            f"{where}: {value!r} is not {kind}"
    if "enum" in schema:
        assert value in schema["enum"], f"{where}: {value!r} not in {schema['enum']}"
    if "pattern" in schema:
        assert re.search(schema["pattern"], value), f"{where}: {value!r} !~ {schema['pattern']}"
    if kind == "object":
        for key in schema.get("required", []):
            assert key in value, f"{where}: missing {key}"
        extra = schema.get("additionalProperties", True)
        for key, sub in value.items():
            if key in schema.get("properties", {}):
                check(sub, schema["properties"][key], doc, f"{where}.{key}")
            elif isinstance(extra, dict):
                check(sub, extra, doc, f"{where}.{key}")
            else:
                assert extra is not False, f"{where}: unexpected {key}"
    if kind == "array":
        for index, sub in enumerate(value):
            check(sub, schema["items"], doc, f"{where}[{index}]")
    return None


def _valid(value: Any, schema: dict[str, Any], doc: dict[str, Any]) -> bool:
    try:
        check(value, schema, doc)
    except AssertionError:
        return False
    return True


@pytest.fixture
def doc(api: Api) -> dict[str, Any]:
    found = api.get("/openapi.json")
    assert found["openapi"].startswith("3.")
    return dict(found)


def test_every_route_is_documented_and_every_documented_path_exists(doc: dict[str, Any], live_sim: Any) -> None:
    served = routes(live_sim.app)
    assert served - documented(doc) == set(), "routes missing from the OpenAPI document"
    assert documented(doc) - served == set(), "documented paths or methods the simulator does not serve"


def test_path_parameters_match_the_templates(doc: dict[str, Any]) -> None:
    for path, item_ in doc["paths"].items():
        declared = sorted(p["name"] for p in item_.get("parameters", []) if p["in"] == "path")
        assert declared == sorted(re.findall(r"{(\w+)}", path)), path
        for method, op in item_.items():
            if method != "parameters":
                assert "200" in op["responses"] and op["summary"], (path, method)


def test_validator_rejects_what_it_should(doc: dict[str, Any]) -> None:
    """The checker used below can fail (a wrong amount format, a missing field, a wrong enum)."""
    money = {"type": "string", "pattern": r"^-?\d+\.\d{2}$"}
    assert not _valid("35.2", money, doc) and _valid("35.20", money, doc)
    assert not _valid({"code": "ERR_X"}, {"$ref": "#/components/schemas/Error"}, doc)
    assert not _valid({"ok": False}, {"$ref": "#/components/schemas/Ok"}, doc)


def _schema(doc: dict[str, Any], path: str, method: str, status: str = "200") -> dict[str, Any]:
    content = doc["paths"][path][method]["responses"][status]["content"]
    return dict(next(iter(content.values()))["schema"])


def test_real_responses_match_the_documented_schemas(api: Api, doc: dict[str, Any]) -> None:
    h = api.load(world(person("ben", "shaanxi", account="10.00"), person("f1", "shaanxi"),
                       person("gran", "national"), child("kid", "shaanxi"),
                       wallets=[{"owner": "kid", "balance": "5.00"}]))
    made = api.post("/app/bindings", {"funder": h["f1"], "beneficiary": h["ben"], "relation": "child",
                                      "face_verified": True, "start": "2026-01-01", "end": "2026-12-31"})
    buy(api, till(api, PHARMACY["shaanxi"], "610103"), h["ben"], [item("A001", "1", "30.00")])
    sent = api.post("/app/wallet-transfers", {"from": h["gran"], "to": h["kid"], "amount": "9.00",
                                              "relation": "grandparent", "verification": "face"})
    api.post("/app/guardians", {"guardian": h["f1"], "minor": h["kid"], "relation": "parent"})
    samples = [
        ("/app/bindings", "post", made),
        ("/app/persons/{psn_no}/funders", "get", api.get(f"/app/persons/{h['ben']}/funders")),
        ("/app/persons/{psn_no}/beneficiaries", "get", api.get(f"/app/persons/{h['f1']}/beneficiaries")),
        ("/app/wallet-transfers", "post", sent),
        ("/app/persons/{psn_no}/wallet", "get", api.get(f"/app/persons/{h['kid']}/wallet")),
        ("/app/persons/{psn_no}/minors", "get", api.get(f"/app/persons/{h['f1']}/minors")),
        ("/app/persons/{psn_no}/evoucher", "post", api.post(f"/app/persons/{h['kid']}/evoucher")),
        ("/admin/balances", "get", api.get("/admin/balances")),
        ("/admin/conservation", "get", api.get("/admin/conservation")),
        ("/admin/persons/{psn_no}", "get", api.get(f"/admin/persons/{h['kid']}")),
        ("/admin/clock", "get", api.get("/admin/clock")),
        ("/admin/bindings", "get", api.get(f"/admin/bindings?beneficiary={h['ben']}")),
        ("/admin/ledger", "get", api.get("/admin/ledger")),
        ("/admin/settlements", "get", api.get("/admin/settlements")),
        ("/admin/handles", "get", api.get("/admin/handles")),
        ("/admin/health", "get", api.get("/admin/health")),
        ("/admin/audit", "get", api.get(f"/admin/audit?institution={PHARMACY['shaanxi']}")),
        ("/admin/evouchers", "post", api.post("/admin/evouchers", {"psn_no": h["ben"]})),
        ("/admin/persons/{psn_no}/status", "post", api.post(f"/admin/persons/{h['gran']}/status", {"status": "1"})),
    ]
    for path, method, body in samples:
        check(body, _schema(doc, path, method), doc, f"{method.upper()} {path}")
    refused = api.call("POST", "/app/bindings", {"funder": h["f1"]})
    check(refused.json(), _schema(doc, "/app/bindings", "post", str(refused.status_code)), doc)
    pool = api.load(world(person("dad", "gansu")))
    created = api.post("/app/pools", {"creator": pool["dad"], "face_verified": True})
    check(created, _schema(doc, "/app/pools", "post"), doc)
