"""Component schemas of the OpenAPI document (OpenAPI 3.0 JSON Schema subset)."""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(required: dict[str, Schema], optional: dict[str, Schema] | None = None, extra: bool = True) -> Schema:
    """An object with these required (and optional) properties; `extra`: other keys allowed."""
    out: Schema = {"type": "object", "required": sorted(required), "properties": required | (optional or {})}
    if not extra:
        out["additionalProperties"] = False
    return out


def array(items: Schema) -> Schema:
    return {"type": "array", "items": items}


def nullable(schema: Schema) -> Schema:
    return schema | {"nullable": True}


STR: Schema = {"type": "string"}
INT: Schema = {"type": "integer"}
BOOL: Schema = {"type": "boolean"}
ANY_OBJ: Schema = {"type": "object"}
MONEY: Schema = {"type": "string", "pattern": r"^-?\d+\.\d{2}$", "example": "35.20"}
DATE: Schema = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$", "example": "2026-03-02"}
STAMP: Schema = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}$"}
PSN_NO: Schema = {"type": "string", "example": "61010300000000100001"}
RELATION: Schema = {"type": "string", "enum": ["spouse", "parent", "child", "sibling", "grandparent", "grandchild"],
                    "description": "what the funder / creator / sender / guardian is to the other person"}
BY: Schema = {"type": "string", "description": "psn_no of the person acting in the app"}
PIN: Schema = {"type": "string", "pattern": "^[0-9]{6}$", "description": "six ASCII digits, as a JSON string"}
NAMES: Schema = {"type": "object", "additionalProperties": STR,
                 "description": "{psn_no: full name} of the other party: proves the caller knows them (without it, "
                                "or with a wrong name, the person answers as unknown)"}
AREA_NOTE = "the person's insured area: shown only for the caller themselves (and to an agency)"

_FAMILY: dict[str, Schema] = {
    "Error": obj({"code": {"type": "string", "pattern": "^ERR_[A-Z_]+$"}, "message": STR}),
    "Party": obj({"psn_no": PSN_NO, "name": {"type": "string", "description": "full for the caller, masked (王*) "
                                                                            "for anyone else"}},
                 {"insuplc": {"type": "string", "description": AREA_NOTE}}),
    "BindingEvent": obj({"at": STAMP, "action": {"type": "string", "enum": [
        "requested", "approved", "rejected", "rank_changed", "ended", "auto_ended"]},
        "actor": nullable(STR), "detail": nullable(STR)}),
    "Binding": obj({"binding_id": INT, "funder": ref("Party"), "beneficiary": ref("Party"), "rank": INT,
                    "relation": STR, "start": nullable(DATE), "end": nullable(DATE),
                    "state": {"type": "string", "enum": ["active", "pending", "ended", "rejected"]},
                    "in_force": BOOL, "reason": nullable(STR), "history": array(ref("BindingEvent"))}),
    "Spending": obj({"setl_id": STR, "entry": {"type": "string", "enum": ["settle", "revoke"]}, "at": STAMP,
                     "rank": nullable(INT), "patient": obj({"psn_no": PSN_NO, "name": STR}),
                     "fixmedins_code": STR, "amount": MONEY}),
    "FunderList": obj({"psn_no": PSN_NO, "bindings": array(ref("Binding"))}),
    "BeneficiaryList": obj({"psn_no": PSN_NO, "bindings": array(ref("Binding")), "spending": array(ref("Spending"))}),
    "BindingRequest": obj({"funder": PSN_NO, "beneficiary": PSN_NO, "relation": RELATION}, {
        "rank": INT, "start": DATE, "end": DATE, "requested_by": STR,
        "face_verified": {"oneOf": [BOOL, obj({}, {"funder": BOOL, "beneficiary": BOOL})]}, "face": ref("Face"),
        "names": NAMES}),
    "PoolEvent": obj({"at": STAMP, "action": {"type": "string", "enum": [
        "created", "member_added", "member_removed", "allot", "dissolved"]},
        "psn_no": nullable(STR), "relation": nullable(STR), "amount": nullable(MONEY)}),
    "Pool": obj({"pool_id": STR, "creator": ref("Party"), "state": {"type": "string", "enum": ["active", "dissolved"]},
                 "balance": MONEY, "members": array(obj({"psn_no": PSN_NO, "name": STR, "relation": nullable(STR)})),
                 "history": array(ref("PoolEvent")), "spending": array(ref("Spending"))}),
    "Wallet": obj({"wallet_id": STR, "balance": MONEY, "status": STR}),
    "Transfer": obj({"transfer_id": STR, "sender": ref("Party"), "receiver": ref("Party"),
                     "source": {"type": "string", "enum": ["account", "wallet"]}, "amount": MONEY,
                     "relation": STR, "verification": {"type": "string", "enum": ["face", "pin"]},
                     "status": {"type": "string", "enum": ["pending", "accepted", "bounced"]},
                     "created_at": STAMP, "due_at": STAMP, "closed_at": nullable(STAMP)}),
    "WalletOpened": obj({"psn_no": PSN_NO, "wallet": ref("Wallet")}),
    "WalletHistory": obj({"psn_no": PSN_NO, "wallet": nullable(ref("Wallet")), "transfers": array(
        {"allOf": [ref("Transfer"), obj({"direction": {"type": "string", "enum": ["sent", "received"]}})]})}),
    "TransferRequest": obj({"from": PSN_NO, "to": PSN_NO, "amount": MONEY, "relation": RELATION,
                            "verification": {"type": "string", "enum": ["face", "pin"]}},
                           {"source": {"type": "string", "enum": ["account", "wallet"], "default": "account"},
                            "pin": PIN, "face": ref("Face"), "names": NAMES}),
    "Minors": obj({"psn_no": PSN_NO, "name": STR, "minors": array(obj({
        "psn_no": PSN_NO, "name": STR, "relation": STR, "age": INT, "added_at": STAMP},
        {"insuplc": {"type": "string", "description": AREA_NOTE}}))}),
    "AppEvoucher": obj({"psn_no": PSN_NO, "name": STR, "expires_at": STAMP, "expires_in": INT,
                        "png_base64": STR}),
    "StatusChanged": obj({"psn_no": PSN_NO, "status": STR, "ended_bindings": array(INT)}),
}

_ADMIN: dict[str, Schema] = {
    "Ok": obj({"ok": {"type": "boolean", "enum": [True]}}),
    "WorldLoaded": obj({"handles": {"type": "object", "additionalProperties": STR},
                        "pools": {"type": "object", "additionalProperties": STR},
                        "institutions": array(STR), "card_sn": {"type": "object", "additionalProperties": STR}},
                       {"wallets": {"type": "object", "additionalProperties": STR}}),
    "Handles": obj({"handles": {"type": "object", "additionalProperties": STR},
                    "pools": {"type": "object", "additionalProperties": STR}}),
    "Person": obj({"psn_no": PSN_NO, "name": STR, "certno": STR, "insutype": STR, "psn_type": STR, "insuplc": STR,
                   "status": STR, "balance": nullable(MONEY), "ytd_deductible_used": MONEY, "ytd_fund_paid": MONEY,
                   "card_sn": STR, "wallet": nullable(ref("Wallet")),
                   "inpatient_year": obj({"year": INT, "fund_paid": MONEY, "stays": INT})}),
    "Balances": obj({k: {"type": "object", "additionalProperties": MONEY} for k in ("accounts", "pools", "wallets")}),
    "AdminBindings": obj({"bindings": array(obj({"funder": PSN_NO, "beneficiary": PSN_NO, "rank": INT,
                                                 "relation": STR, "start": nullable(DATE), "end": nullable(DATE),
                                                 "state": STR}))}),
    "Ledger": obj({"entries": array(obj({"setl_id": STR, "entry": STR, "source": STR, "rank": nullable(INT),
                                         "psn_no": nullable(STR), "amount": MONEY}))}),
    "Settlements": obj({"settlements": array(obj({"setl_id": STR, "psn_no": PSN_NO, "status": STR,
                                                  "medfee": MONEY}))}),
    "Clock": obj({"now": STAMP, "frozen": BOOL}),
    "Faults": obj({"faults": array(ANY_OBJ)}),
    "FaultRequest": obj({"infno": STR, "kind": {"type": "string", "enum": [
        "error", "http500", "delay", "drop", "drop_after_commit"]}}, {"count": INT, "message": STR, "delay_ms": INT}),
    "Conservation": obj({"ok": BOOL, "loaded": MONEY, "topups": MONEY, "held": MONEY, "in_transit": MONEY,
                         "fund_paid": MONEY, "difference": MONEY}),
    "CatalogueUpdated": obj({"saved": {"type": "integer"}, "updt_time": STR}),
    "TopUp": obj({"target": STR, "ref": STR, "amount": MONEY}),
    "EvoucherIssued": obj({"code": {"type": "string", "pattern": r"^\d{28}$"}, "expires_at": STAMP,
                           "png_base64": STR}),
    "Health": obj({"ok": BOOL, "db": STR, "now": STAMP}),
    "AuditReport": obj({"format": {"type": "string", "enum": ["yibao-audit/1"]}, "institution": STR, "passed": BOOL,
                        "verdict": {"type": "string", "enum": ["pass", "fail", "incomplete"]},
                        "exchanges": INT, "requests": INT, "waived": array(STR),
                        "scopes": obj({"every": BOOL, "stay": BOOL}),
                        "counts": obj({"pass": INT, "fail": INT, "not_exercised": INT, "waived": INT,
                                       "not_applicable": INT}),
                        "faults": array(ANY_OBJ), "rules": array(obj({
                            "id": STR, "zh": STR, "en": STR, "checked": INT,
                            "scope": {"type": "string", "enum": ["every", "stay"]},
                            "status": {"type": "string", "enum": ["pass", "fail", "not_exercised", "waived",
                                                                  "not_applicable"]},
                            "breaches": array(obj({"msgids": array(STR), "note": STR})),
                            "evidence": array(obj({"msgids": array(STR), "note": STR}))}))}),
}

_LOGIN: dict[str, Schema] = {
    "LoginRequest": obj({"password": {"type": "string", "minLength": 1, "maxLength": 128,
                                      "description": "compared exactly as sent (never trimmed)"}}, {
        "certno": {"type": "string", "description": "a person logs in with their ID number or psn_no (both: they "
                                                    "must name the same person)"},
        "psn_no": PSN_NO, "agency": {"type": "string", "pattern": r"^\d{6}$",
                                     "description": "an area's insurance agency (reviews bindings)"}}),
    "Login": obj({"token": STR, "role": {"type": "string", "enum": ["person", "agency"]}, "expires_in": INT},
                 {"psn_no": PSN_NO, "agency": STR}),
    "Face": {"description": "face secrets standing for passed face verification: {psn_no: secret}, or one "
                            "string for the logged-in person's own face",
             "oneOf": [STR, {"type": "object", "additionalProperties": STR}]},
}

SCHEMAS: dict[str, Schema] = _FAMILY | _ADMIN | _LOGIN
