"""The insurance catalogue (医保目录) as the platform serves it, and how a fee line finds its entry.

A line is split by the insurance code the till sends (`med_list_codg`), never by a class the till claims
(docs/domain.md §2.2, docs/protocol.md §6). `resolve_codes` is the one lookup every flow that splits lines
calls (2101/2102 pharmacy, 2204 outpatient fee upload, and inpatient fee lines): an unknown code, or one
outside its validity dates, splits as 丙 (class C, all own-pay) with a warning, or is refused when its entry
says so (`expired_use = "refuse"`). Pure: standard library only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from simulator.domain.models import CatalogueItem
from simulator.domain.refusals import ListCodeRefused

ExpiredUse = Literal["own_pay", "refuse"]
LIST_TYPES = ("101", "102", "103", "201", "301")  # 西药中成药 / 中药饮片 / 医疗机构制剂 / 医疗服务项目 / 医用耗材


@dataclass(frozen=True)
class CatalogueEntry:
    """One insurance catalogue entry (1312 `hilist_code` …); dates are `YYYY-MM-DD`, `updt_time` a stamp."""

    code: str
    name: str
    lv: str  # chrgitm_lv 01 甲 / 02 乙 / 03 丙
    selfpay_prop: Decimal
    price_cap: Decimal | None
    begndate: str
    enddate: str | None
    updt_time: str
    list_type: str = "101"
    lmt_used_flag: str = "0"  # 1: 限制使用 (the note says the limit)
    lmt_note: str = ""  # e.g. 限定支付范围
    expired_use: ExpiredUse = "own_pay"
    traced: bool = False  # every box sold must carry its traceability code (药品追溯码)

    def item(self) -> CatalogueItem:
        """What the split (§2.2) needs of the entry."""
        return CatalogueItem(self.code, self.name, self.lv, self.selfpay_prop, self.price_cap)

    def valid_on(self, day: str) -> bool:
        return self.begndate <= day and (self.enddate is None or day <= self.enddate)


ChkStas = Literal["0", "1", "2"]
CHK_STAS: dict[str, str] = {"0": "待审核", "1": "审核通过", "2": "审核不通过"}  # docs/protocol.md §6


@dataclass(frozen=True)
class MappingRecord:
    """One 目录对照 row (3301): the institution's own item code mapped to an insurance code, and the platform's
    review of it (`chk_stas`): uploaded `0` 待审核, then approved `1` or rejected `2` (`chk_memo` says why).
    Only an approved mapping may be billed (docs/protocol.md §6)."""

    fixmedins_code: str
    fixmedins_hilist_id: str
    fixmedins_hilist_name: str
    list_type: str
    med_list_codg: str
    begndate: str
    enddate: str | None
    uploaded_at: str
    chk_stas: ChkStas = "0"
    chk_memo: str = ""
    reviewed_at: str | None = None

    @property
    def approved(self) -> bool:
        return self.chk_stas == "1"

    @property
    def updt_time(self) -> str:
        """When the row last changed (uploaded or reviewed): what 1317 pages by."""
        return max(self.uploaded_at, self.reviewed_at or "")


@dataclass(frozen=True)
class LineCatalogue:
    """The entries the lines split by (codes that split as 丙 for want of a valid entry are absent)."""

    items: dict[str, CatalogueItem]
    entries: dict[str, CatalogueEntry]
    warnings: tuple[str, ...]

    def traced(self, code: str) -> bool:
        entry = self.entries.get(code)
        return entry is not None and entry.traced and code in self.items

    def traced_codes(self) -> frozenset[str]:
        return frozenset(code for code in self.items if self.traced(code))


def resolve_codes(found: Mapping[str, CatalogueEntry], codes: Iterable[str], today: str) -> LineCatalogue:
    """Which entry each line code splits by on `today`; refuses a code whose entry forbids its use."""
    items: dict[str, CatalogueItem] = {}
    entries: dict[str, CatalogueEntry] = {}
    warnings: list[str] = []
    for code in dict.fromkeys(codes):
        entry = found.get(code)
        if entry is None:
            warnings.append(f"医保目录编码 {code} 不在医保目录中，按丙类（全自费）结算")
            continue
        entries[code] = entry
        if entry.valid_on(today):
            items[code] = entry.item()
            continue
        window = f"{entry.begndate} 至 {entry.enddate or '长期'}"
        if entry.expired_use == "refuse":
            raise ListCodeRefused(code=code, window=window)
        warnings.append(f"医保目录编码 {code} 不在有效期内（{window}），按丙类（全自费）结算")
    return LineCatalogue(items, entries, tuple(warnings))
