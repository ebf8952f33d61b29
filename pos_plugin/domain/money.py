"""Exact money: wire amounts (strings or numbers) to `Decimal`, and back to 2-place strings.

Amounts are yuan with 2 places (fen). Prices carry up to 6 places and quantities up to 4
(the platform's `pric` 16,6 and `cnt` 16,4). Rounding is ROUND_HALF_UP and happens only where
docs/domain.md says (`round2`).
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from pos_plugin.domain.errors import InvalidAmount

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
_NUMERIC = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
# Largest magnitude at which a float still carries every fen of a 2-place amount (15 significant digits).
_FLOAT_SAFE_LIMIT = Decimal("1e13")


def round2(value: Decimal) -> Decimal:
    """Round half up to the fen — the only rounding docs/domain.md allows."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def parse_decimal(
    value: object, *, places: int = 2, allow_negative: bool = False, field: str = "amount"
) -> Decimal:
    """Parse a wire number to an exact `Decimal` with at most `places` decimals, or raise InvalidAmount.

    Accepts str, int and Decimal; a float only when it is the exact image of a short decimal
    (e.g. 12.5 or 0.1 as JSON parsers produce) — floats that would lose a fen are refused.
    """
    number = _to_decimal(value, field)
    if not number.is_finite():
        raise InvalidAmount(f"{field} 不是有限数值: {value!r}")
    if number < 0 and not allow_negative:
        raise InvalidAmount(f"{field} 不能为负数: {value!r}")
    quantum = Decimal(1).scaleb(-places)
    try:
        exact = number == number.quantize(quantum, rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:  # more digits than the context holds: no real price or amount
        raise InvalidAmount(f"{field} 数值过大: {value!r}") from exc
    if not exact:
        raise InvalidAmount(f"{field} 小数位数超过 {places} 位: {value!r}")
    return number


def parse_amount(value: object, *, allow_negative: bool = False, field: str = "amount") -> Decimal:
    """Parse a money amount (2 places) and return it quantized to the fen."""
    return parse_decimal(value, places=2, allow_negative=allow_negative, field=field).quantize(CENT)


def format_amount(value: Decimal) -> str:
    """Format money for the wire and for people: always exactly 2 places, no exponent."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise InvalidAmount(f"无法格式化金额: {value!r}")
    if value != round2(value):
        raise InvalidAmount(f"金额超过 2 位小数，不能直接格式化: {value!r}")
    return f"{value.quantize(CENT):f}"


def _to_decimal(value: object, field: str) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise InvalidAmount(f"{field} 不是金额: {value!r}")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return _float_to_decimal(value, field)
    if isinstance(value, str):
        text = value.strip()
        if not _NUMERIC.match(text):
            raise InvalidAmount(f"{field} 不是数字: {value!r}")
        try:
            return Decimal(text)
        except InvalidOperation as exc:  # pragma: no cover - the regex already guards this
            raise InvalidAmount(f"{field} 不是数字: {value!r}") from exc
    raise InvalidAmount(f"{field} 类型不支持: {type(value).__name__}")


def _float_to_decimal(value: float, field: str) -> Decimal:
    if value != value or value in (float("inf"), float("-inf")):
        raise InvalidAmount(f"{field} 不是有限数值: {value!r}")
    shortest = Decimal(repr(value))
    if abs(shortest) >= _FLOAT_SAFE_LIMIT:
        raise InvalidAmount(f"{field} 浮点数过大，会丢失精度，请以字符串传递: {value!r}")
    return shortest
