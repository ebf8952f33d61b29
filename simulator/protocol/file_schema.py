"""World and scenario files against their shipped JSON Schemas (the simulator's one jsonschema use).

`POST /admin/world` and `yibao-sim serve --load` check the body against `yibao-world/1` or `yibao-scenario/1`
(`yibao_fixtures/schemas/`, the same files `pos-plugin scenarios schema` prints) before anything is loaded:
an unknown key anywhere is refused with its JSON path (`people[0].acount: 未知字段`), never ignored.
`yibao-sim schema` prints them.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from simulator.domain.refusals import BadWorld
from simulator.platform.profiles import installed_fixtures

FILES = {"yibao-scenario/1": "yibao-scenario-1.schema.json", "yibao-world/1": "yibao-world-1.schema.json"}
# What only the scenario runner reads: the simulator ignores it (docs/simulator-api.md), so it does not insist on
# its required keys — but an unknown key there is still refused.
RUNNER_ONLY = ("name", "checkout", "expect", "then")
KINDS = {"scenario": "yibao-scenario/1", "world": "yibao-world/1"}


def schema_text(fmt: str) -> str:
    return (installed_fixtures() / "schemas" / FILES[fmt]).read_text(encoding="utf-8")


@cache
def _validator(fmt: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads(schema_text(fmt)))


def check_world_file(body: Any) -> None:
    """BadWorld listing every breach of the body's schema; a body of another format is left to the loader."""
    fmt = body.get("format") if isinstance(body, dict) else None
    if not isinstance(fmt, str) or fmt not in FILES:
        return
    errors = sorted((e for e in _validator(fmt).iter_errors(body) if not _runners_business(e)),
                    key=lambda e: [str(p) for p in e.absolute_path])
    found = [line for error in errors for line in _lines(error, fmt)]
    if found:
        raise BadWorld(message=f"不符合 {fmt}：" + "；".join(found))


def _runners_business(error: ValidationError) -> bool:
    """A required key of the runner's part of a scenario (top-level name/checkout, anything under them)."""
    if error.validator != "required":
        return False
    path = list(error.absolute_path)
    return str(path[0]) in RUNNER_ONLY if path else all(key in RUNNER_ONLY for key in _missing(error))


def _missing(error: ValidationError) -> list[str]:
    """The key one `required` error is about (jsonschema reports each missing key as its own error)."""
    return [key for key in error.validator_value
            if isinstance(error.instance, dict) and key not in error.instance and repr(key) in error.message]


def _path(parts: list[Any]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "$"


def _lines(error: ValidationError, fmt: str) -> list[str]:
    path, instance = list(error.absolute_path), error.instance
    if error.validator == "additionalProperties" and isinstance(instance, dict):
        known = set(error.schema.get("properties", {}))
        return [f"{_path([*path, key])}: 未知字段（{fmt} 中没有此字段）" for key in instance if key not in known]
    if error.validator == "required" and isinstance(instance, dict):
        return [f"{_path([*path, key])}: 缺少必填字段" for key in _missing(error)]
    if error.validator in ("enum", "const", "type", "pattern", "oneOf", "minLength", "minItems", "minimum"):
        return [f"{_path(path)}: 取值 {instance!r} 无效（{error.schema.get('description') or error.message}）"]
    return [f"{_path(path)}: {error.message}"]
