"""`pos-plugin catalogue sync`, `catalogue map` and `catalogue mappings`: download what changed (1312 pages
from the stored version), upload the pharmacy's item-code mapping (3301), learn the platform's review of each
mapping (1317), and keep them all in the terminal's `CatalogueBook`."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pos_plugin.catalogue.book import CatalogueBook, CatalogueEntry, ItemMapping
from pos_plugin.errors import BadReply, InputError
from pos_plugin.platform import PlatformClient

LV_CLASS = {"01": "A", "02": "B", "03": "C"}
PAGE_SIZE = 500
MAPPING_KEYS = frozenset({"item", "med_list_codg", "name", "list_type"})
REVIEW_STATES = ("0", "1", "2")  # 1317 / 3301 chk_stas: 待审核 / 审核通过 / 审核不通过 (docs/protocol.md §6)


@dataclass(frozen=True)
class SyncResult:
    fetched: int  # entries stored by this sync (new or changed)
    pages: int
    version: str  # the greatest updt_time now held
    total: int  # entries held after the sync


def sync_catalogue(client: PlatformClient, book: CatalogueBook, page_size: int = PAGE_SIZE,
                   progress: Callable[[int, int], None] = lambda page, pages: None) -> SyncResult:
    """Fetch every entry updated since the stored version, page by page; each page is stored with the
    version it reached in one local transaction, so an interrupted sync resumes where it stopped."""
    since = book.version() or ""
    page, pages, fetched = 1, 1, 0
    version = since
    while page <= pages:
        reply = client.call("1312", {"data": {"updt_time": since, "page_num": str(page), "page_size": str(page_size)}})
        out = reply.output
        rows = out.get("data")
        if not isinstance(rows, list):
            raise BadReply("1312 应答缺少 data 数组")
        entries = [_entry(row) for row in rows]
        pages = int(str(out.get("pages") or 0))
        version = max([version, *(e.updt_time for e in entries)])
        if entries or not since:
            book.save(entries, version or "0000-00-00 00:00:00")
        fetched += len(entries)
        progress(page, pages)
        if not entries:
            break
        page += 1
    return SyncResult(fetched, max(page - 1, 1), book.version() or "", book.count())


def _entry(row: Any) -> CatalogueEntry:
    if not isinstance(row, Mapping):
        raise BadReply("1312 应答的 data 行不是对象")
    try:
        cls = LV_CLASS[str(row["chrgitm_lv"])]
        cap = row.get("hilist_pric_uplmt_amt")
        return CatalogueEntry(
            code=str(row["hilist_code"]), name=str(row.get("hilist_name") or row["hilist_code"]),
            cls=cls,  # type: ignore[arg-type]  # one of LV_CLASS's values
            selfpay_prop=Decimal(str(row.get("selfpay_prop") or "0")),
            price_cap=None if cap in (None, "") else Decimal(str(cap)), begndate=str(row["begndate"]),
            enddate=None if row.get("enddate") in (None, "") else str(row["enddate"]),
            expired_use="refuse" if row.get("expired_use") == "refuse" else "own_pay",
            traced=str(row.get("trac_rqr_flag") or "0") == "1", lmt_note=str(row.get("memo") or ""),
            updt_time=str(row["updt_time"]))
    except (KeyError, InvalidOperation) as exc:
        raise BadReply(f"1312 应答的目录行无法读取: {exc!r}") from None


def load_mapping_file(path: str | Path) -> list[ItemMapping]:
    """A JSON list (or {"mappings": [...]}) of {item, med_list_codg, name?, list_type?}."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"无法读取目录对照文件 {path}: {exc}") from None
    return mappings_of(raw)


def mappings_of(raw: Any) -> list[ItemMapping]:
    """Mapping rows from JSON (a mapping file, or a scenario's `mapping`)."""
    if isinstance(raw, dict) and set(raw) == {"mappings"}:
        raw = raw["mappings"]
    if not isinstance(raw, list) or not raw:
        raise InputError("目录对照文件须为非空数组（或 {\"mappings\": [...]}）")
    out: list[ItemMapping] = []
    for index, row in enumerate(raw, start=1):
        if not isinstance(row, dict):
            raise InputError(f"目录对照第 {index} 行须为对象")
        unknown = sorted(set(row) - MAPPING_KEYS)
        if unknown:
            raise InputError(f"目录对照第 {index} 行含未知字段：{', '.join(unknown)}")
        item, code = row.get("item"), row.get("med_list_codg")
        if not isinstance(item, str) or not item.strip() or not isinstance(code, str) or not code.strip():
            raise InputError(f"目录对照第 {index} 行须有 item（本店商品编码）与 med_list_codg（医保编码）")
        out.append(ItemMapping(item.strip(), code.strip(), str(row.get("name") or item).strip(),
                               str(row.get("list_type") or "101")))
    items = [m.item for m in out]
    if len(set(items)) != len(items):
        raise InputError("目录对照文件中本店商品编码 item 重复")
    return out


def upload_mappings(client: PlatformClient, book: CatalogueBook, mappings: Sequence[ItemMapping],
                    begndate: str, enddate: str = "2099-12-31") -> int:
    """3301 the whole mapping in one upload; stored locally only once the platform accepted it."""
    rows = [{"fixmedins_hilist_id": m.item, "fixmedins_hilist_name": m.name, "list_type": m.list_type,
             "med_list_codg": m.med_list_codg, "begndate": begndate, "enddate": enddate} for m in mappings]
    reply = client.call("3301", {"data": rows})
    data = reply.output.get("data") if isinstance(reply.output, Mapping) else None
    state = str(data.get("chk_stas") or "") if isinstance(data, Mapping) else ""
    book.save_mappings([replace(m, chk_stas=state if state in REVIEW_STATES else "", chk_memo="") for m in mappings])
    return len(rows)


@dataclass(frozen=True)
class MappingReview:
    item: str
    med_list_codg: str
    chk_stas: str
    chk_memo: str


def fetch_reviews(client: PlatformClient, book: CatalogueBook, page_size: int = PAGE_SIZE) -> list[MappingReview]:
    """Every mapping of this institution as the platform holds it (1317, page by page), its review state stored
    for the items this terminal mapped."""
    found: list[MappingReview] = []
    page, pages = 1, 1
    while page <= pages:
        out = client.call("1317", {"data": {"page_num": str(page), "page_size": str(page_size)}}).output
        rows = out.get("data")
        if not isinstance(rows, list):
            raise BadReply("1317 应答缺少 data 数组")
        for row in rows:
            if not isinstance(row, Mapping) or str(row.get("chk_stas")) not in REVIEW_STATES \
                    or not row.get("medins_list_codg"):
                raise BadReply(f"1317 应答的目录对照行无法读取: {row!r}")
            found.append(MappingReview(str(row["medins_list_codg"]), str(row.get("med_list_codg") or ""),
                                       str(row["chk_stas"]), str(row.get("chk_memo") or "")))
        pages = int(str(out.get("pages") or 0))
        if not rows:
            break
        page += 1
    at = client.clock().strftime("%Y-%m-%d %H:%M:%S")
    book.save_reviews([(r.item, r.chk_stas, r.chk_memo, at) for r in found])
    return found
