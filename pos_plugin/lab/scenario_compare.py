"""Scenario files (`yibao-scenario/1`): loading (checked against the shipped schema), and comparing what came
out with `expect`.

Pure: the runner (pos_plugin.lab.scenario_runner) produces an `actual` dict in the same shape as `expect`,
with people and pools named by the file's handles; this module lists every difference as
`path: expected X, got Y`, comparing money as `Decimal`, exactly.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pos_plugin.domain.errors import DomainError
from pos_plugin.lab.file_schema import problems

FORMAT = "yibao-scenario/1"
LEG_KEYS = ("source", "rank", "person", "pool", "amount")


class ScenarioError(DomainError):
    code = "ERR_SCENARIO"


def load_scenario(path: str | Path) -> dict[str, Any]:
    """Read a scenario file and check it against the `yibao-scenario/1` schema; a bad file is a ScenarioError
    naming every problem with its JSON path (`expect.legz: 未知字段…`)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScenarioError(f"场景文件不存在: {path}") from None
    except (OSError, ValueError) as exc:
        raise ScenarioError(f"无法读取场景文件 {path}: {exc}") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ScenarioError(f"场景文件格式必须是 {FORMAT}: {path}")
    found = problems(data, "scenario")
    if found:
        raise ScenarioError(f"场景文件 {path} 不符合 {FORMAT}: " + "；".join(found))
    return data


def compare(expect: Mapping[str, Any], actual: Mapping[str, Any], prefix: str = "") -> list[str]:
    """Every difference between an `expect` block and the actual outcome, one `path: ...` line each."""
    diffs: list[str] = []
    for key, wanted in expect.items():
        path = f"{prefix}{key}"
        got = actual.get(key)
        if key == "setlinfo":
            diffs += _compare_money_map(wanted, got or {}, path, only_expected=True)
        elif key == "legs":
            diffs += _compare_legs(wanted, got or [], path)
        elif key in ("balances_after", "pools_after", "wallets_after"):
            diffs += _compare_money_map(wanted, got or {}, path, only_expected=True)
        elif key in ("outside_settlement", "cash_total"):
            if not _same_money(wanted, got):
                diffs.append(f"{path}: expected {wanted}, got {got}")
        elif key == "error":
            want_code = (wanted or {}).get("code") if isinstance(wanted, Mapping) else wanted
            got_code = (got or {}).get("code") if isinstance(got, Mapping) else got
            if want_code != got_code:
                diffs.append(f"{path}: expected {want_code}, got {got_code}")
    if "error" not in expect and actual.get("error"):
        diffs.append(f"{prefix}error: expected None, got {actual['error'].get('code')}")
    return diffs


def _compare_money_map(wanted: Mapping[str, Any], got: Mapping[str, Any], path: str, *, only_expected: bool) -> list[str]:
    keys = list(wanted) if only_expected else sorted(set(wanted) | set(got))
    return [f"{path}.{k}: expected {wanted.get(k)}, got {got.get(k)}" for k in keys
            if not _same_money(wanted.get(k), got.get(k))]


def _compare_legs(wanted: Sequence[Mapping[str, Any]], got: Sequence[Mapping[str, Any]], path: str) -> list[str]:
    diffs = []
    if len(wanted) != len(got):
        diffs.append(f"{path}: expected {len(wanted)} legs, got {len(got)} ({_leg_names(got)})")
    for index, (want, have) in enumerate(zip(wanted, got, strict=False)):
        for key in LEG_KEYS:
            if key not in want:
                continue
            same = _same_money(want[key], have.get(key)) if key == "amount" else want[key] == have.get(key)
            if not same:
                diffs.append(f"{path}[{index}].{key}: expected {want[key]}, got {have.get(key)}")
    return diffs


def _leg_names(legs: Sequence[Mapping[str, Any]]) -> str:
    return ", ".join(f"{leg.get('source')} {leg.get('amount')}" for leg in legs) or "none"


def _same_money(a: object, b: object) -> bool:
    if a is None or b is None:
        return a is b
    try:
        return Decimal(str(a)) == Decimal(str(b))
    except InvalidOperation:
        return a == b
