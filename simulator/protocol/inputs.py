"""Reading transaction input nodes: required fields, flags, amounts and fee lines, refusing precisely."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from simulator.domain.models import FeeLine
from simulator.domain.money import parse_amount, parse_decimal
from simulator.domain.refusals import (
    BadField,
    BadJson,
    BadNumber,
    BadTraceCode,
    LineAmount,
    MissingField,
    MissingNode,
)
from simulator.domain.split import line_amount
from simulator.domain.trace import MAX_CODES_PER_LINE

# The longest value a field may carry: the store's column width (others: 50).
MAX_LEN = {"psn_no": 32, "omsgid": 40, "setl_id": 40, "mdtrt_id": 40, "file_qury_no": 40, "filename": 200,
           "medins_list_name": 200}
MAX_DEPTH = 32  # levels of JSON objects/arrays a request body may nest (the deepest real one has 4)
_SURROGATE = re.compile("[\ud800-\udfff]")
LINE_FIELDS = ("feedetl_sn", "med_list_codg", "det_item_fee_sumamt", "cnt", "pric")


def node(payload: dict[str, Any], name: str) -> dict[str, Any]:
    found = payload.get(name)
    if not isinstance(found, dict):
        raise MissingNode(detail=f"输入缺少节点 {name}（须为 JSON 对象）")
    return found


def rows(payload: dict[str, Any], name: str, allow_empty: bool = False) -> list[dict[str, Any]]:
    found = payload.get(name)
    if not isinstance(found, list) or not all(isinstance(item, dict) for item in found):
        raise MissingNode(detail=f"输入缺少节点 {name}（须为对象数组）")
    if not found and not allow_empty:
        raise MissingNode(detail=f"节点 {name} 不能为空")
    return found


def text(obj: dict[str, Any], key: str, where: str, required: bool = True, max_len: int | None = None) -> str:
    """A short text field: not longer than its column (default 50), no control characters (NUL breaks
    PostgreSQL)."""
    value = obj.get(key)
    if value is None or value == "":
        if required:
            raise MissingField(detail=f"{where} 缺少必填字段 {key}")
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise BadField(detail=f"{where}.{key} 必须是字符串")
    return checked_text(str(value).strip(), f"{where}.{key}", max_len or MAX_LEN.get(key, 50))


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")  # Unicode category Cc, exactly (one regex, not a per-character lookup)


def checked_text(value: str, field: str, max_len: int) -> str:
    """No longer than `max_len`, no control characters (NUL breaks PostgreSQL), no lone surrogates
    (they cannot be stored or sent as UTF-8)."""
    if len(value) > max_len:
        raise BadField(detail=f"{field} 过长（最多 {max_len} 个字符，实际 {len(value)}）")
    if _CONTROL.search(value):
        raise BadField(detail=f"{field} 含有控制字符")
    if _SURROGATE.search(value):
        raise BadField(detail=f"{field} 含有无效的 Unicode 代理字符")
    return value


def check_tree(found: Any) -> None:
    """A parsed JSON body: at most MAX_DEPTH levels of objects/arrays, no lone surrogate in any key or
    string (refused before anything is looked up). Iterative, so no depth can exhaust the stack."""
    stack: list[tuple[Any, int, str]] = [(found, 1, "")]
    while stack:
        node, depth, path = stack.pop()
        if isinstance(node, str):
            if _SURROGATE.search(node):
                raise BadField(detail=f"请求体字段 {path or '(根)'} 含有无效的 Unicode 代理字符")
            continue
        if not isinstance(node, (dict, list)):
            continue
        if depth > MAX_DEPTH:
            raise BadJson(detail=f"请求体 JSON 嵌套过深（最多 {MAX_DEPTH} 层）")
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in items:
            here = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and _SURROGATE.search(key):
                raise BadField(detail=f"请求体字段名 {path or '(根)'} 含有无效的 Unicode 代理字符")
            stack.append((value, depth + 1, here[:200]))


def stamp(obj: dict[str, Any], key: str, where: str, required: bool = True) -> str:
    """A `yyyy-MM-dd HH:mm:ss` time such as `begntime`."""
    value = text(obj, key, where, required)
    if value:
        try:
            datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
        except ValueError:
            raise BadField(detail=f"{where}.{key} {value!r} 格式错误（yyyy-MM-dd HH:mm:ss）") from None
    return value


def require(obj: dict[str, Any], keys: Iterable[str], where: str) -> None:
    missing = [key for key in keys if obj.get(key) in (None, "")]
    if missing:
        raise MissingField(detail=f"{where} 缺少必填字段：{', '.join(missing)}")


def choice(obj: dict[str, Any], key: str, where: str, allowed: tuple[str, ...], default: str | None = None) -> str:
    value = text(obj, key, where, required=default is None) or (default or "")
    if value not in allowed:
        raise BadField(detail=f"{where}.{key} 取值 {value!r} 无效（可选：{'/'.join(allowed)}）")
    return value


def amount(obj: dict[str, Any], key: str, where: str) -> Decimal:
    if obj.get(key) in (None, ""):
        raise MissingField(detail=f"{where} 缺少必填字段 {key}")
    return parse_amount(obj[key], f"{where}.{key}")


def trace_codes_of(item: dict[str, Any], here: str) -> tuple[str, ...]:
    """A line's traceability codes: `drugtracinfo` [{drug_trac_codg}] (the newer form) or one `drug_trac_codg`
    text (the older form; several codes comma-separated). Both at once is refused."""
    nodes, flat = item.get("drugtracinfo"), item.get("drug_trac_codg")
    if nodes not in (None, "", []) and flat not in (None, ""):
        raise BadTraceCode(detail=f"{here} 同时填写了 drugtracinfo 与 drug_trac_codg")
    if nodes not in (None, "", []):
        if not isinstance(nodes, list) or len(nodes) > MAX_CODES_PER_LINE or not all(
                isinstance(n, dict) and set(n) == {"drug_trac_codg"} for n in nodes):
            raise BadTraceCode(detail=f"{here}.drugtracinfo 须为 [{{\"drug_trac_codg\": \"…\"}}, …]")
        return tuple(text(n, "drug_trac_codg", f"{here}.drugtracinfo", max_len=100) for n in nodes)
    if flat in (None, ""):
        return ()
    return tuple(c.strip() for c in text(item, "drug_trac_codg", here, max_len=20000).split(",") if c.strip())


def fee_lines(items: list[dict[str, Any]], where: str, batch: bool = False) -> list[FeeLine]:
    """Fee lines with `det_item_fee_sumamt == round2(cnt × pric)` checked per line."""
    out: list[FeeLine] = []
    for index, item in enumerate(items, start=1):
        here = f"{where}[{index}]"
        require(item, LINE_FIELDS + (("chrg_bchno",) if batch else ()), here)
        cnt = parse_decimal(item["cnt"], f"{here}.cnt", 4)
        pric = parse_decimal(item["pric"], f"{here}.pric", 6)
        amt = parse_amount(item["det_item_fee_sumamt"], f"{here}.det_item_fee_sumamt")
        if cnt <= 0:
            raise BadNumber(detail=f"{here}.cnt 必须大于 0")
        if amt != line_amount(cnt, pric):
            raise LineAmount(here=here, amt=amt, cnt=line_amount(cnt, pric))
        code = text(item, "med_list_codg", here)
        name = text(item, "medins_list_name", here, required=False) or text(item, "medins_list_codg", here, False)
        out.append(FeeLine(text(item, "feedetl_sn", here), code, name or code, cnt, pric, amt,
                           text(item, "chrg_bchno", here, required=False), trace_codes_of(item, here),
                           text(item, "medins_list_codg", here, False)))
    return out
