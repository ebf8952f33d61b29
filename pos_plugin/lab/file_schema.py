"""The JSON Schemas of scenario and world files, and checking a file against them (the lab's one jsonschema use).

The schemas ship in the data package `yibao_fixtures` (`schemas/yibao-scenario-1.schema.json`,
`schemas/yibao-world-1.schema.json`); `pos-plugin scenarios schema` prints them. Every object is closed: an
unknown key is reported with its JSON path (`expect.legz: 未知字段`), never ignored (docs/scenarios.md §5).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from pos_plugin.profiles import installed_fixtures

FILES = {"scenario": "yibao-scenario-1.schema.json", "world": "yibao-world-1.schema.json"}
FORMATS = {"scenario": "yibao-scenario/1", "world": "yibao-world/1"}


def schema_text(kind: str) -> str:
    """The schema file of `kind` (scenario | world) as shipped."""
    return (installed_fixtures() / "schemas" / FILES[kind]).read_text(encoding="utf-8")


@cache
def _validator(kind: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads(schema_text(kind)))


def problems(data: Any, kind: str) -> list[str]:
    """Every way `data` breaks the schema of `kind`, one `json.path: 中文说明` line each, in document order."""
    errors = sorted(_validator(kind).iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    return [line for error in errors for line in _lines(error, FORMATS[kind])]


def json_path(parts: Iterable[Any]) -> str:
    """`["expect", "legs", 0, "amount"]` -> `expect.legs[0].amount`; the root is `$`."""
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "$"


def _lines(error: ValidationError, fmt: str) -> list[str]:
    path = list(error.absolute_path)
    here = json_path(path)
    kind, value, instance = error.validator, error.validator_value, error.instance
    if kind == "additionalProperties" and isinstance(instance, dict):
        known = set(error.schema.get("properties", {}))
        return [f"{json_path([*path, key])}: 未知字段（{fmt} 中没有此字段）" for key in instance if key not in known]
    if kind == "required" and isinstance(instance, dict):
        return [f"{json_path([*path, key])}: 缺少必填字段" for key in value  # one error per missing key
                if key not in instance and repr(key) in error.message]
    if kind == "enum":
        return [f"{here}: 取值 {instance!r} 无效（可选：{', '.join(map(str, value))}）"]
    if kind == "const":
        return [f"{here}: 须为 {value!r}，实际 {instance!r}"]
    if kind == "type":
        wanted = "/".join(value) if isinstance(value, list) else value
        return [f"{here}: 类型应为 {wanted}，实际 {type(instance).__name__} {instance!r}"]
    if kind == "pattern":
        return [f"{here}: 格式错误 {instance!r}（{error.schema.get('description') or value}）"]
    if kind in ("minLength", "minItems"):
        return [f"{here}: 不能为空"]
    if kind == "propertyNames":
        return [f"{here}: 键 {instance!r} 格式错误"]
    if kind == "oneOf":
        return [f"{here}: 取值 {instance!r} 不符合任何允许的形式（{error.schema.get('description', '见 schema')}）"]
    return [f"{here}: {error.message}"]
