"""Shared by the family app blueprints: the per-app FamilyOps, and reading JSON bodies precisely.

Errors are raised as `PlatformError` and rendered by protocol/errors.py (JSON {"code", "message"},
HTTP 400, or 404 for something that does not exist), like the admin API.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from flask import current_app, request

from simulator.domain.refusals import BadDate, BadField, BadJson, MissingField
from simulator.platform.family.ops import FamilyOps
from simulator.protocol import inputs
from simulator.protocol.envelope import parse_json

BODY = "请求体"


def family() -> FamilyOps:
    found: FamilyOps = current_app.extensions["family"]
    return found


def body() -> dict[str, Any]:
    """The JSON object sent (numbers as Decimal, never float); an empty body is {}."""
    raw = request.get_data()
    found = parse_json(raw) if raw.strip() else {}
    if not isinstance(found, dict):
        raise BadJson(detail="请求体必须是 JSON 对象")
    return found


def text(obj: dict[str, Any], key: str, required: bool = True) -> str:
    return inputs.text(obj, key, BODY, required)


def choice(obj: dict[str, Any], key: str, allowed: tuple[str, ...], default: str | None = None) -> str:
    return inputs.choice(obj, key, BODY, allowed, default)


def amount(obj: dict[str, Any], key: str) -> Decimal:
    return inputs.amount(obj, key, BODY)


def flag(obj: dict[str, Any], key: str) -> bool:
    """An optional JSON boolean (absent: false)."""
    value = obj.get(key, False)
    if not isinstance(value, bool):
        raise BadField(detail=f"{BODY}.{key} 必须是 true 或 false")
    return value


def optional_integer(obj: dict[str, Any], key: str) -> int | None:
    value = obj.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).strip().lstrip("-").isdigit():
        raise BadField(detail=f"{BODY}.{key} 必须是整数：{value!r}")
    return int(value)


def integer(obj: dict[str, Any], key: str) -> int:
    found = optional_integer(obj, key)
    if found is None:
        raise MissingField(detail=f"{BODY} 缺少必填字段 {key}")
    return found


def day(obj: dict[str, Any], key: str) -> date | None:
    """An optional `YYYY-MM-DD` date."""
    value = obj.get(key)
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise BadDate(body=BODY, key=key, value=value) from None
