"""Cart lines, and the split of a cart into insurable lines and goods outside insurance (docs/domain.md §2.1)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from pos_plugin.domain.errors import InvalidAmount, InvalidCartLine
from pos_plugin.domain.money import ZERO, parse_decimal, round2
from pos_plugin.domain.trace import canonical_trace_code, trace_code_form

CatalogueClass = Literal["A", "B", "C"]
CLASS_TO_CHRGITM_LV: dict[str, str] = {"A": "01", "B": "02", "C": "03"}


@dataclass(frozen=True)
class CartLine:
    """One line of the cart: `insurable=False` for health foods, cosmetics and daily goods."""

    code: str
    name: str
    qty: Decimal
    price: Decimal
    insurable: bool = True
    cls: CatalogueClass = "C"
    selfpay_prop: Decimal = ZERO
    price_cap: Decimal | None = None
    trace_codes: tuple[str, ...] = ()  # 药品追溯码, one per box sold (drugtracinfo)
    item: str = ""  # the pharmacy's own item code (its 目录对照) when the line was planned from it; sent as medins_list_codg

    @property
    def amt(self) -> Decimal:
        """Line amount `round2(qty × price)`."""
        return round2(self.qty * self.price)


@dataclass(frozen=True)
class CartSplit:
    """The insurable lines go to the platform; the rest is rung up as cash outside the settlement."""

    insurable: tuple[CartLine, ...]
    outside: tuple[CartLine, ...]

    @property
    def insurable_total(self) -> Decimal:
        return sum((line.amt for line in self.insurable), ZERO)

    @property
    def outside_settlement(self) -> Decimal:
        return sum((line.amt for line in self.outside), ZERO)


def split_cart(lines: Iterable[CartLine]) -> CartSplit:
    """Separate insurable lines from goods that never enter the insurance settlement."""
    items = tuple(lines)
    return CartSplit(
        insurable=tuple(line for line in items if line.insurable),
        outside=tuple(line for line in items if not line.insurable),
    )


def cart_line_from_mapping(raw: Mapping[str, object]) -> CartLine:
    """Build a line from scenario/cart JSON (`code`, `name`, `qty`, `price`, `class` or `insurable: false`)."""
    code = _text(raw, "code")
    try:
        qty = parse_decimal(raw.get("qty", "1"), places=4, field=f"{code}.qty")
        price = parse_decimal(raw.get("price"), places=6, field=f"{code}.price")
        selfpay = parse_decimal(raw.get("selfpay_prop", "0"), places=6, field=f"{code}.selfpay_prop")
        cap_raw = raw.get("price_cap")
        cap = None if cap_raw is None else parse_decimal(cap_raw, places=6, field=f"{code}.price_cap")
    except InvalidAmount as exc:
        raise InvalidCartLine(exc.message) from exc
    if qty == 0:
        raise InvalidCartLine(f"商品 {code} 数量不能为 0")
    if selfpay > 1:
        raise InvalidCartLine(f"商品 {code} 自付比例不能大于 1: {selfpay}")
    insurable = raw.get("insurable", True)
    if not isinstance(insurable, bool):
        raise InvalidCartLine(f"商品 {code} 的 insurable 必须是 true/false")
    cls = str(raw.get("class", "C")) if insurable else "C"
    if cls not in CLASS_TO_CHRGITM_LV:
        raise InvalidCartLine(f"商品 {code} 目录类别必须是 A/B/C: {cls!r}")
    return CartLine(
        code=code,
        name=str(raw.get("name", code)),
        qty=qty,
        price=price,
        insurable=insurable,
        cls=cls,  # type: ignore[arg-type]  # checked against CLASS_TO_CHRGITM_LV above
        selfpay_prop=selfpay,
        price_cap=cap,
        trace_codes=_trace_codes(raw, code, qty),
        item=_item(raw, code),
    )


def _trace_codes(raw: Mapping[str, object], code: str, qty: Decimal) -> tuple[str, ...]:
    """`trace_codes`: one scanned traceability code per box (docs/protocol.md §7), each once."""
    given = raw.get("trace_codes", [])
    if not isinstance(given, (list, tuple)) or not all(isinstance(c, str) for c in given):
        raise InvalidCartLine(f"商品 {code} 的 trace_codes 必须是追溯码字符串数组")
    codes = tuple(canonical_trace_code(c.strip()) for c in given)
    bad = [c for c in codes if trace_code_form(c) is None]
    if bad:
        raise InvalidCartLine(f"商品 {code} 的药品追溯码格式错误：{bad[0]!r}（20 位 8 开头，或 GS1 (01)(21)）")
    if len(set(codes)) != len(codes):
        raise InvalidCartLine(f"商品 {code} 的同一药品追溯码扫了两次（一盒一码）")
    if codes and Decimal(len(codes)) != qty:
        raise InvalidCartLine(f"商品 {code} 数量 {qty}，药品追溯码 {len(codes)} 个（须一盒一码）")
    return codes


def _text(raw: Mapping[str, object], key: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InvalidCartLine(f"商品行缺少 {key}")
    return value.strip()


def _item(raw: Mapping[str, object], code: str) -> str:
    """The pharmacy's own item code a planned line carries (journal rows keep it); empty when there is none."""
    value = raw.get("item", "")
    if not isinstance(value, str):
        raise InvalidCartLine(f"商品 {code} 的本店商品编码 item 须为文本")
    return value.strip()
