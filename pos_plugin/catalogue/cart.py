"""Cart lines planned from the terminal's catalogue (README "The catalogue at the till").

* `{"item": "SKU-0001", "qty": "2", "price": "28.40"}` — the pharmacy's own item code: its mapping gives the
  insurance code, the catalogue the class, self-pay proportion and price cap; the line is sent with the item
  code as `medins_list_codg`, and a mapping the platform has not approved (待审核 / 审核不通过, as this
  terminal last learnt it: 3301's reply, `catalogue mappings`) is refused before anything is sent.
* `{"code": "A001", "qty": …, "price": …}` — an insurance code without a class: planned from the catalogue.
* `{"code": "A001", "class": "A", …}` — the old, class-annotated form: still accepted, and checked against the
  catalogue when the terminal has one (a class, self-pay proportion or price cap that disagrees is refused
  before anything is sent). A terminal that never synced plans it exactly as written.
* `{"insurable": false, …}` — goods outside insurance, never looked up.

The platform splits each line by the code sent (docs/protocol.md §6), so a line planned here from a stale
copy would show the cashier legs the platform then refuses to match; `catalogue sync` first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from pos_plugin.catalogue.book import CHK_STAS, CatalogueBook, CatalogueEntry, ItemMapping
from pos_plugin.domain.cart import CartLine, cart_line_from_mapping
from pos_plugin.errors import InputError

CLASS_NAMES = {"A": "甲类", "B": "乙类", "C": "丙类"}


class CatalogueMismatch(InputError):
    code = "ERR_CATALOGUE_MISMATCH"
    default_message = "商品行与医保目录不符"


class NoCatalogue(InputError):
    code = "ERR_NO_CATALOGUE"
    default_message = "本机尚无医保目录：请先执行 pos-plugin catalogue sync"


class TraceCodesMissing(InputError):
    code = "ERR_TRACE_CODES_MISSING"
    default_message = "须扫药品追溯码（一盒一码）"


class ItemUnmapped(InputError):
    code = "ERR_ITEM_UNMAPPED"
    default_message = "商品未做目录对照"


class MappingUnapproved(InputError):
    code = "ERR_MAPPING_UNAPPROVED"
    default_message = "商品的目录对照未审核通过"


def resolve_cart(raw_lines: Sequence[Mapping[str, object]], book: CatalogueBook | None,
                 today: str) -> tuple[CartLine, ...]:
    """Every line as the platform will split it, or a refusal naming the first line that cannot be."""
    synced = book is not None and book.version() is not None
    if not synced:
        if any("item" in raw for raw in raw_lines):
            raise NoCatalogue()
        return tuple(cart_line_from_mapping(raw) for raw in raw_lines)
    assert book is not None
    items = [str(raw["item"]) for raw in raw_lines if "item" in raw and raw.get("insurable", True) is not False]
    mappings = book.mappings(items)
    codes = [mappings[i].med_list_codg for i in items if i in mappings]
    codes += [str(raw["code"]) for raw in raw_lines if "item" not in raw and "code" in raw]
    entries = book.entries(codes)
    return tuple(_line(raw, mappings, entries, today) for raw in raw_lines)


def _line(raw: Mapping[str, object], mappings: Mapping[str, object], entries: Mapping[str, CatalogueEntry],
          today: str) -> CartLine:
    if raw.get("insurable", True) is False:
        return cart_line_from_mapping({k: v for k, v in raw.items() if k != "item"} | {"code": _code(raw)})
    if "item" in raw:
        if "code" in raw or "class" in raw:
            raise InputError(f"商品 {raw['item']}：按本店商品编码（item）开单时不填 code / class")
        mapping = mappings.get(str(raw["item"]))
        if mapping is None:
            raise ItemUnmapped(f"商品 {raw['item']} 未做目录对照（pos-plugin catalogue map）")
        _check_reviewed(mapping)  # type: ignore[arg-type]
        code, name = mapping.med_list_codg, mapping.name  # type: ignore[attr-defined]
    else:
        code, name = str(raw.get("code") or ""), str(raw.get("name") or raw.get("code") or "")
    entry = entries.get(code)
    if "class" in raw:
        _check_claim(raw, code, entry, today)
        return _traced(cart_line_from_mapping(raw), entry, today)
    planned = _planned(code, entry, today)
    line = {k: v for k, v in raw.items() if k not in ("item", "code", "name")} | {"code": code, "name": name}
    if "item" in raw:
        line["item"] = raw["item"]
    return _traced(cart_line_from_mapping(line | planned), entry, today)


def _check_reviewed(mapping: ItemMapping) -> None:
    """The platform bills a mapped item only once it approved the mapping (docs/protocol.md §6); a mapping this
    terminal knows to be 待审核 or 审核不通过 is refused here, before anything is sent."""
    if mapping.chk_stas in ("0", "2"):
        why = f"（{mapping.chk_memo}）" if mapping.chk_memo else ""
        raise MappingUnapproved(f"商品 {mapping.item} 的目录对照{CHK_STAS[mapping.chk_stas]}{why}，不能医保结算："
                                "审核通过后 pos-plugin catalogue mappings 刷新，或按自费商品（insurable: false）销售")


def _traced(line: CartLine, entry: CatalogueEntry | None, today: str) -> CartLine:
    if entry is not None and entry.traced and entry.valid_on(today) and Decimal(len(line.trace_codes)) != line.qty:
        raise TraceCodesMissing(f"商品 {line.code} 须扫药品追溯码（一盒一码）：数量 {line.qty}，已扫 "
                                f"{len(line.trace_codes)} 个")
    return line


def _code(raw: Mapping[str, object]) -> str:
    return str(raw.get("code") or raw.get("item") or "")


def _planned(code: str, entry: CatalogueEntry | None, today: str) -> dict[str, object]:
    """The class, self-pay proportion and price cap the platform will split the line by."""
    if entry is None or not entry.valid_on(today):
        if entry is not None and entry.expired_use == "refuse":
            raise CatalogueMismatch(f"医保编码 {code} 已不在有效期内（{entry.begndate} 至 {entry.enddate}），"
                                    "目录规定不得医保结算")
        return {"class": "C"}  # the platform splits it as 丙 (and warns)
    planned: dict[str, object] = {"class": entry.cls, "selfpay_prop": str(entry.selfpay_prop)}
    if entry.price_cap is not None:
        planned["price_cap"] = str(entry.price_cap)
    return planned


def _check_claim(raw: Mapping[str, object], code: str, entry: CatalogueEntry | None, today: str) -> None:
    """A class-annotated line must say what the catalogue says, or it is refused before anything is sent."""
    planned = _planned(code, entry, today)
    claimed = cart_line_from_mapping(raw)
    expected = cart_line_from_mapping({"code": code, "price": "0"} | planned)
    if claimed.cls != expected.cls:
        where = "不在医保目录中（将按丙类全自费结算）" if entry is None else f"在医保目录中为{CLASS_NAMES[expected.cls]}"
        raise CatalogueMismatch(f"商品 {code} 标注为{CLASS_NAMES[claimed.cls]}，但{where}")
    if expected.cls == "B" and claimed.selfpay_prop != expected.selfpay_prop:
        raise CatalogueMismatch(f"商品 {code} 的自付比例 {claimed.selfpay_prop} 与医保目录的 "
                                f"{expected.selfpay_prop} 不符")
    if expected.cls != "C" and _cap(claimed.price_cap) != _cap(expected.price_cap):
        raise CatalogueMismatch(f"商品 {code} 的限价 {claimed.price_cap} 与医保目录的 {expected.price_cap} 不符")


def _cap(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.normalize()
