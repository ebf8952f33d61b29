"""Catalogue entries from a world file, a scenario's cart lines or `POST /admin/catalogue` (docs/simulator-api.md)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from simulator.domain.catalogue import LIST_TYPES, CatalogueEntry

CLASS_LV = {"A": "01", "B": "02", "C": "03"}
ENTRY_KEYS = frozenset({"code", "name", "class", "selfpay_prop", "price_cap", "begndate", "enddate", "list_type",
                        "lmt_used_flag", "lmt_note", "expired_use", "traced"})
DEFAULT_BEGNDATE = "2000-01-01"


def parse_entry(item: Any, updt_time: str, cart: bool = False) -> CatalogueEntry:
    """One entry; `cart`: a scenario's cart line, whose other keys (qty, price, …) belong to the cart."""
    if not isinstance(item, dict):
        raise ValueError("目录项必须是对象")
    code = item.get("code")
    if not isinstance(code, str) or not code.strip():
        raise ValueError("目录项缺少字段 code")
    where = f"目录项 {code}"
    unknown = sorted(set(item) - ENTRY_KEYS)
    if unknown and not cart:
        raise ValueError(f"{where} 含未知字段：{', '.join(unknown)}")
    cls = item.get("class")
    if cls not in CLASS_LV:
        raise ValueError(f"{where} 的类别 {cls!r} 无效（A/B/C）")
    prop = _decimal(item.get("selfpay_prop") or "0", f"{where} 的自付比例")
    if not Decimal(0) <= prop <= Decimal(1):
        raise ValueError(f"{where} 的自付比例无效")
    cap_raw = item.get("price_cap")
    cap = None if cap_raw in (None, "") else _decimal(cap_raw, f"{where} 的限价")
    if cap is not None and (cap < 0 or cap.as_tuple().exponent < -6):  # type: ignore[operator]
        raise ValueError(f"{where} 的限价无效")
    begndate = _day(item.get("begndate") or DEFAULT_BEGNDATE, f"{where}.begndate")
    enddate = None if item.get("enddate") in (None, "") else _day(item.get("enddate"), f"{where}.enddate")
    if enddate is not None and enddate < begndate:
        raise ValueError(f"{where} 的结束日期早于开始日期")
    list_type = str(item.get("list_type") or "101")
    if list_type not in LIST_TYPES:
        raise ValueError(f"{where} 的目录类别 {list_type!r} 无效（{'/'.join(LIST_TYPES)}）")
    flag = str(item.get("lmt_used_flag") or "0")
    if flag not in ("0", "1"):
        raise ValueError(f"{where} 的限制使用标志须为 0/1")
    expired = item.get("expired_use") or "own_pay"
    if expired not in ("own_pay", "refuse"):
        raise ValueError(f"{where} 的 expired_use 须为 own_pay/refuse")
    traced = item.get("traced", False)
    if not isinstance(traced, bool):
        raise ValueError(f"{where} 的 traced 须为 true/false")
    note = item.get("lmt_note") or ""
    if not isinstance(note, str):
        raise ValueError(f"{where} 的 lmt_note 须为文本")
    return CatalogueEntry(
        code=code.strip(), name=str(item.get("name") or code), lv=CLASS_LV[cls], selfpay_prop=prop, price_cap=cap,
        begndate=begndate, enddate=enddate, updt_time=updt_time, list_type=list_type, lmt_used_flag=flag,
        lmt_note=note, expired_use="refuse" if expired == "refuse" else "own_pay", traced=traced)


def _decimal(raw: Any, what: str) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        raise ValueError(f"{what}须为数字文本")
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise ValueError(f"{what}无效：{raw!r}") from None
    if not value.is_finite():
        raise ValueError(f"{what}无效：{raw!r}")
    return value


def _day(raw: Any, where: str) -> str:
    try:
        return date.fromisoformat(str(raw)).isoformat()
    except ValueError:
        raise ValueError(f"{where} 日期格式错误：{raw!r}") from None
