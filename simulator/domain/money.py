"""Exact money: Decimal yuan on the wire and in rules, integer fen in the database."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from simulator.domain.refusals import BadNumber

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?\Z", re.ASCII)
LIMIT = Decimal("10000000000")  # 10^10 yuan: far above any bill, far below what 64-bit fen can hold


def round2(value: Decimal) -> Decimal:
    """Round half up to the fen (docs/domain.md `round2`)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def to_fen(value: Decimal) -> int:
    """Yuan with at most 2 places -> integer fen (exact; refuses sub-fen amounts)."""
    fen = value * 100
    if fen != fen.to_integral_value():
        raise ValueError(f"sub-fen amount {value}")
    return int(fen)


def from_fen(fen: int) -> Decimal:
    """Integer fen -> yuan with exactly 2 places."""
    return (Decimal(fen) / 100).quantize(CENT)


def fmt(value: Decimal) -> str:
    """Yuan -> wire string with exactly 2 places (the value must already be exact to the fen)."""
    return f"{value.quantize(CENT):f}"


def parse_decimal(raw: object, field: str, places: int, allow_negative: bool = False) -> Decimal:
    """A wire number (string, int or Decimal — never float) -> Decimal with at most `places` places."""
    if isinstance(raw, bool) or not isinstance(raw, (str, int, Decimal)):
        raise BadNumber(detail=f"字段 {field} 的数值格式错误：{raw!r}")
    if isinstance(raw, str) and not _PLAIN_NUMBER.match(raw.strip()):  # Decimal() also takes "1_000", "١٢"
        raise BadNumber(detail=f"字段 {field} 的数值格式错误：{raw!r}")
    try:
        value = Decimal(raw.strip()) if isinstance(raw, str) else Decimal(raw)
    except InvalidOperation:
        raise BadNumber(detail=f"字段 {field} 的数值格式错误：{raw!r}") from None
    if not value.is_finite():
        raise BadNumber(detail=f"字段 {field} 的数值格式错误：{raw!r}")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -places:
        raise BadNumber(detail=f"字段 {field} 最多 {places} 位小数：{raw!r}")
    if value < 0 and not allow_negative:
        raise BadNumber(detail=f"字段 {field} 不能为负数：{raw!r}")
    if value.is_zero():
        value = abs(value)  # "-0.00" is 0.00
    if abs(value) >= LIMIT:
        raise BadNumber(detail=f"字段 {field} 数值超出范围（须小于 {LIMIT}）：{raw!r}")
    return value


def parse_amount(raw: object, field: str) -> Decimal:
    """A money amount on the wire: at most 2 decimal places, not negative; returned with 2 places."""
    return parse_decimal(raw, field, 2).quantize(CENT)
