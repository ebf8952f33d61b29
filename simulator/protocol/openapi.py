"""The OpenAPI 3.0 document of the app (/app) and admin (/admin) APIs, served at GET /openapi.json.

tests/family/test_family_openapi.py keeps it true: every /app and /admin route is documented, every
documented path and method exists, and real responses validate against the documented schemas.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response

from simulator.protocol.openapi_schemas import ANY_OBJ, BY, MONEY, NAMES, SCHEMAS, STR, Schema, obj, ref
from simulator.protocol.runtime import json_response

openapi = Blueprint("openapi", __name__)

JSON = "application/json"


def op(summary: str, response: Schema | str, body: Schema | None = None, query: tuple[str, ...] = (),
       media: str = JSON, tag: str = "app") -> dict[str, Any]:
    """One operation: a 200 response (`response` a schema or a component name), errors as `Error`."""
    schema = ref(response) if isinstance(response, str) else response
    out: dict[str, Any] = {"summary": summary, "tags": [tag], "responses": {
        "200": {"description": "OK", "content": {media: {"schema": schema}}},
        "400": {"description": "refused; nothing changed", "content": {JSON: {"schema": ref("Error")}}},
        "401": {"description": "no valid login token (/app) or admin token (/admin)",
                "content": {JSON: {"schema": ref("Error")}}},
        "403": {"description": "logged in, but this role may not do it (an agency on a person's route: "
                               "ERR_NOT_A_PERSON)", "content": {JSON: {"schema": ref("Error")}}},
        "404": {"description": "not found, or not the caller's to see", "content": {JSON: {"schema": ref("Error")}}},
        "413": {"description": "request body too large", "content": {JSON: {"schema": ref("Error")}}}}}
    if tag == "app":
        out["security"] = [{"bearerAuth": []}, {"cookieAuth": []}]
    if body is not None:
        out["requestBody"] = {"required": True, "content": {JSON: {"schema": body}}}
    if query:
        out["parameters"] = [{"name": q, "in": "query", "required": False, "schema": STR} for q in query]
    return out


def _by(**more: Schema) -> Schema:
    return obj({"by": BY} | more)


_HTML = {"type": "string", "description": "text/html page"}
_PNG = {"type": "string", "format": "binary"}

def _optional_body(operation: dict[str, Any]) -> dict[str, Any]:
    return operation | {"requestBody": operation["requestBody"] | {"required": False}}


def _public(operation: dict[str, Any]) -> dict[str, Any]:
    return operation | {"security": []}


def _throttled(operation: dict[str, Any]) -> dict[str, Any]:
    """A login: too many wrong passwords lock the account for a while (docs/simulator-api.md, "Doors")."""
    locked = {"description": "too many wrong passwords: the account is locked for a while (ERR_LOGIN_LOCKED)",
              "content": {JSON: {"schema": ref("Error")}}}
    return operation | {"responses": operation["responses"] | {"429": locked}}


APP_PATHS: dict[str, dict[str, dict[str, Any]]] = {
    "/app/login": {"post": _throttled(_public(op("Log in as a person (certno or psn_no) or an area's agency; returns a bearer "
                                      "token, also set as the HttpOnly cookie the app page uses",
                                      "Login", ref("LoginRequest")))),
                   "get": _public(op("Login page (HTML)", _HTML, media="text/html"))},
    "/app/logout": {"post": op("End this session", "Ok")},
    "/app/bindings": {"post": op("Request a binding (active at once, or pending where the region reviews)",
                                 "Binding", ref("BindingRequest"))},
    "/app/bindings/{binding_id}": {"get": op("One binding with its history", "Binding")},
    "/app/bindings/{binding_id}/approve": {"post": op("Agency approves a pending binding", "Binding",
                                                      obj({}, {"reviewer": STR}))},
    "/app/bindings/{binding_id}/reject": {"post": op("Agency rejects a pending binding", "Binding",
                                                     obj({}, {"reason": STR}))},
    "/app/bindings/{binding_id}/rank": {"post": op("Beneficiary moves a funder to a rank (swaps with its holder)",
                                                   "Binding", _by(rank={"type": "integer"}))},
    "/app/bindings/{binding_id}/end": {"post": op("Either party ends the binding", "Binding", _by())},
    "/app/persons/{psn_no}/funders": {"get": op("Beneficiary's view: bindings by rank", "FunderList")},
    "/app/persons/{psn_no}/beneficiaries": {"get": op("Funder's view: bindings and spending (家庭共济消费查询)",
                                                      "BeneficiaryList")},
    "/app/pools": {"post": op("Create a family pool (Gansu)", "Pool",
                              obj({"creator": STR}, {"face_verified": {"type": "boolean"},
                                                                     "face": ref("Face")}))},
    "/app/pools/{pool_id}": {"get": op("A family pool: members, balance, history, spending", "Pool")},
    "/app/pools/{pool_id}/members": {"post": op("Creator adds a member", "Pool", obj(
        {"psn_no": STR, "relation": STR, "by": BY}, {"face_verified": {"type": "boolean"}, "face": ref("Face"),
                                                     "names": NAMES}))},
    "/app/pools/{pool_id}/members/{psn_no}/remove": {"post": op("Creator removes a member", "Pool", _by())},
    "/app/pools/{pool_id}/allot": {"post": op("划拨: creator's account -> pool", "Pool", _by(amount=MONEY))},
    "/app/pools/{pool_id}/dissolve": {"post": op("Dissolve; the balance returns to the creator", "Pool", _by())},
    "/app/wallets": {"post": op("Open a wallet", "WalletOpened", obj({"psn_no": STR}))},
    "/app/persons/{psn_no}/wallet": {"get": op("Wallet and transfer history", "WalletHistory")},
    "/app/wallet-transfers": {"post": op("Send money to a near relative's wallet (pending until accepted)",
                                         "Transfer", ref("TransferRequest"))},
    "/app/wallet-transfers/{transfer_id}": {"get": op("One transfer", "Transfer")},
    "/app/wallet-transfers/{transfer_id}/accept": {"post": op("Receiver accepts into their wallet", "Transfer",
                                                              _by())},
    "/app/guardians": {"post": op("Add a minor to a guardian's 亲情账户", "Minors",
                                  obj({"guardian": STR, "minor": STR, "relation": STR, "face": ref("Face")}))},
    "/app/persons/{psn_no}/minors": {"get": op("The minors in a guardian's 亲情账户", "Minors")},
    "/app/persons/{psn_no}": {"get": op("App page: the person's e-voucher QR (HTML)", _HTML, media="text/html")},
    "/app/persons/{psn_no}/evoucher": {"post": op("A fresh e-voucher for the page", "AppEvoucher")},
    "/app/persons/{psn_no}/minors/{minor}": {"get": op("Guardian view: the minor's own QR (HTML)", _HTML,
                                                       media="text/html")},
    "/app/persons/{psn_no}/minors/{minor}/evoucher": {"post": op("A fresh e-voucher of the minor",
                                                                 "AppEvoucher")},
}


def _admin(summary: str, response: Schema | str, body: Schema | None = None, query: tuple[str, ...] = (),
           media: str = JSON) -> dict[str, Any]:
    return op(summary, response, body, query, media, tag="admin")


ADMIN_PATHS: dict[str, dict[str, dict[str, Any]]] = {
    "/admin/reset": {"post": _admin("Empty every table (the clock stays)", "Ok")},
    "/admin/world": {"post": _admin("Load a scenario or world file", "WorldLoaded", ANY_OBJ)},
    "/admin/handles": {"get": _admin("Handles of the loaded people and pools", "Handles")},
    "/admin/persons/{psn_no}": {"get": _admin("A person", "Person")},
    "/admin/persons/{psn_no}/status": {"post": _admin(
        "Set insurance status (1/2/4); ≠ 1 ends the bindings they fund", "StatusChanged", obj({"status": STR}))},
    "/admin/balances": {"get": _admin("Every account, pool and wallet balance", "Balances")},
    "/admin/bindings": {"get": _admin("Bindings of a beneficiary or a funder", "AdminBindings",
                                      query=("beneficiary", "funder"))},
    "/admin/ledger": {"get": _admin("Ledger entries", "Ledger", query=("setl_id", "psn_no"))},
    "/admin/settlements": {"get": _admin("Settlements", "Settlements", query=("fixmedins_code",))},
    "/admin/clock": {"get": _admin("Platform clock", "Clock"),
                     "post": _admin("Set the clock", "Clock", obj({"now": STR}, {"frozen": {"type": "boolean"}}))},
    "/admin/clock/advance": {"post": _admin("Move the clock (due wallet transfers bounce)", "Clock",
                                            obj({"seconds": {"type": "number"}}))},
    "/admin/faults": {"get": _admin("Armed faults", "Faults"),
                      "post": _admin("Arm a fault", "Ok", ref("FaultRequest")),
                      "delete": _admin("Clear faults", "Ok")},
    "/admin/conservation": {"get": _admin("Money conservation check", "Conservation")},
    "/admin/topup": {"post": _admin("Add money to an account, pool or wallet", "TopUp",
                                    obj({"amount": MONEY}, {"target": STR, "psn_no": STR, "pool_id": STR}))},
    "/admin/uploads": {"get": _admin("An institution's sales uploads (3505/3506) against its settlements", ANY_OBJ,
                                     query=("fixmedins_code",))},
    "/admin/mappings": {"get": _admin("An institution's 目录对照 rows (3301) with their review state", ANY_OBJ,
                                      query=("fixmedins_code",))},
    "/admin/mappings/review": {"post": _admin(
        "Approve (chk_stas 1) or reject (2, with chk_memo) uploaded 目录对照 rows", ANY_OBJ,
        obj({"fixmedins_code": STR, "items": {"type": "array", "items": STR}, "chk_stas": STR},
            {"chk_memo": STR}, extra=False))},
    "/admin/catalogue": {"post": _admin("Add or replace catalogue entries (served by 1312 from now on)", "CatalogueUpdated",
                                        obj({"entries": {"type": "array", "items": ANY_OBJ}}))},
    "/admin/evouchers": {"post": _admin("Issue an e-voucher", "EvoucherIssued", obj({"psn_no": STR}))},
    "/admin/evouchers/{psn_no}.png": {"get": _admin("A fresh e-voucher as PNG (header X-Ecode)", _PNG,
                                                    media="image/png")},
    "/admin/echo": {"get": _admin("Echo (benchmark baseline)", ANY_OBJ),
                    "post": _optional_body(_admin("Echo the JSON body (none: {})", ANY_OBJ, ANY_OBJ))},
    "/admin/health": {"get": _admin("Liveness and database kind", "Health")},
    "/admin/audit": {"get": _admin("Conformance report of an institution's recorded traffic (docs/audit.md)",
                                   "AuditReport", query=("institution", "since", "resolve_within", "waive"))},
}

_PARAM = re.compile(r"{(\w+)}")


def _with_path_params(paths: dict[str, dict[str, dict[str, Any]]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for path, operations in paths.items():
        params = [{"name": name, "in": "path", "required": True,
                   "schema": {"type": "integer"} if name == "binding_id" else STR}
                  for name in _PARAM.findall(path)]
        out[path] = ({"parameters": params} if params else {}) | operations
    return out


def document() -> dict[str, Any]:
    """The whole OpenAPI document."""
    return {"openapi": "3.0.3",
            "info": {"title": "yibao-pos simulator: family app API and admin API", "version": "1",
                     "description": "JSON in and out; money is a string with 2 decimals; a refusal is HTTP 400 "
                                    "(404: not found or not yours; 401: not logged in) with {code: ERR_*, "
                                    "message: 中文} and changes nothing. Every /app route but login acts "
                                    "for the logged-in person only."},
            "tags": [{"name": "app", "description": "what the national and provincial apps do"},
                     {"name": "admin", "description": "testers' control of the simulator"}],
            "paths": _with_path_params(APP_PATHS | ADMIN_PATHS),
            "components": {"schemas": SCHEMAS, "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer",
                               "description": "token from POST /app/login (the /admin token when one is set)"},
                "cookieAuth": {"type": "apiKey", "in": "cookie", "name": "yibao_app_token"}}}}


@openapi.get("/openapi.json")
def openapi_json() -> Response:
    return json_response(document())
