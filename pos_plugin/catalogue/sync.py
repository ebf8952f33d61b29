"""`pos-plugin catalogue sync`, `catalogue map` and `catalogue mappings`: download the catalogue (the first time
by file, 130x + 9102; then what changed, 1312/1318/1319 pages from the stored version), upload the pharmacy's item-code mapping (3301), learn the platform's review of each
mapping (1317), and keep them all in the terminal's `CatalogueBook`."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pos_plugin.catalogue.book import CatalogueBook, CatalogueEntry, ItemMapping
from pos_plugin.catalogue.files import download_files
from pos_plugin.errors import BadReply, InputError
from pos_plugin.platform import PlatformClient

LV_CLASS = {"01": "A", "02": "B", "03": "C"}
PAGE_SIZE = 500
MAPPING_KEYS = frozenset({"item", "med_list_codg", "name", "list_type"})
REVIEW_STATES = ("0", "1", "2")  # 1317 / 3301 chk_stas: 待审核 / 审核通过 / 审核不通过 (docs/protocol.md §6)


@dataclass(frozen=True)
class SyncResult:
    fetched: int  # entries stored by this sync (new or changed)
    pages: int  # 1312 pages read (each with its 1318 and 1319 page)
    version: str  # the greatest updt_time now held
    total: int  # entries held after the sync
    files: int = 0  # catalogue files downloaded (130x + 9102): a first full download


def sync_catalogue(client: PlatformClient, book: CatalogueBook, page_size: int = PAGE_SIZE,
                   progress: Callable[[int, int], None] = lambda page, pages: None,
                   by_file: bool | None = None) -> SyncResult:
    """Fetch every entry updated since the stored version. A terminal that never synced, facing more than
    FILE_AFTER_PAGES pages, first downloads the catalogue files (130x, then 9102; `by_file` True / False forces
    it either way), stored in one local transaction; then, from
    the version held, page by page: 1312 (name, class, dates, limits), 1318 (price cap) and 1319 (self-pay
    proportion) of the same page, each page stored with the version it reached in one local transaction, so an
    interrupted sync resumes where it stopped."""
    files = 0
    fetched = 0
    if by_file is None and book.version() is None:  # a first download: by file when it is large
        by_file = _page(client, "1312", "", 1, page_size)[1] > FILE_AFTER_PAGES
    if by_file:
        entries, version, files = download_files(client, _entry)
        book.save(entries, version or "0000-00-00 00:00:00")
        fetched = len(entries)
    since = book.version() or ""
    page, pages = 1, 1
    version = since
    while page <= pages:
        rows, pages = _page(client, "1312", since, page, page_size)
        caps, _ = _page(client, "1318", since, page, page_size)
        props, _ = _page(client, "1319", since, page, page_size)
        codes = [str(row.get("hilist_code")) for row in rows]
        by_cap, by_prop = _by_code(caps, "1318"), _by_code(props, "1319")
        if set(by_cap) != set(codes) or set(by_prop) != set(codes):
            raise BadReply("医保目录在同步期间有变化（1312/1318/1319 同一页的目录不一致），请重新同步")
        entries = [_entry(row, by_cap[code], by_prop[code]) for row, code in zip(rows, codes, strict=True)]
        version = max([version, *(e.updt_time for e in entries)])
        if entries or not since:
            book.save(entries, version or "0000-00-00 00:00:00")
        fetched += len(entries)
        progress(page, pages)
        if not entries:
            break
        page += 1
    return SyncResult(fetched, max(page - 1, 1), book.version() or "", book.count(), files)


FILE_AFTER_PAGES = 4  # a first download longer than this many pages goes by file


def _page(client: PlatformClient, infno: str, since: str, page: int,
          page_size: int) -> tuple[list[Mapping[str, Any]], int]:
    reply = client.call(infno, {"data": {"updt_time": since, "page_num": str(page), "page_size": str(page_size)}})
    rows = reply.output.get("data")
    if not isinstance(rows, list) or not all(isinstance(row, Mapping) for row in rows):
        raise BadReply(f"{infno} 应答缺少 data 数组")
    return rows, int(str(reply.output.get("pages") or 0))


def _by_code(rows: list[Mapping[str, Any]], infno: str) -> dict[str, Mapping[str, Any]]:
    found = {str(row.get("hilist_code")): row for row in rows}
    if len(found) != len(rows):
        raise BadReply(f"{infno} 应答的同一页中目录编码重复")
    return found


def _entry(row: Any, cap_row: Mapping[str, Any], prop_row: Mapping[str, Any]) -> CatalogueEntry:
    """One entry from its 1312 row, its 1318 row (price cap) and its 1319 row (self-pay proportion); a catalogue
    file's line carries all three."""
    if not isinstance(row, Mapping):
        raise BadReply("1312 应答的 data 行不是对象")
    try:
        cls = LV_CLASS[str(row["chrgitm_lv"])]
        cap = cap_row.get("hilist_pric_uplmt_amt")
        return CatalogueEntry(
            code=str(row["hilist_code"]), name=str(row.get("hilist_name") or row["hilist_code"]),
            cls=cls,  # type: ignore[arg-type]  # one of LV_CLASS's values
            selfpay_prop=Decimal(str(prop_row.get("selfpay_prop") or "0")),
            price_cap=None if cap in (None, "") else Decimal(str(cap)), begndate=str(row["begndate"]),
            enddate=None if row.get("enddate") in (None, "") else str(row["enddate"]),
            expired_use="refuse" if row.get("expired_use") == "refuse" else "own_pay",
            traced=str(row.get("trac_rqr_flag") or "0") == "1", lmt_note=str(row.get("memo") or ""),
            updt_time=str(row["updt_time"]))
    except (KeyError, InvalidOperation) as exc:
        raise BadReply(f"目录行无法读取: {exc!r}") from None


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
