"""1312 医保目录信息查询 (paged by `updt_time`), 3301 目录对照上传, 3302 目录对照撤销, 1317 医药机构目录匹配信息查询
(the institution's mappings with the platform's review state) (docs/protocol.md §6)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from simulator.domain.catalogue import CHK_STAS, LIST_TYPES, CatalogueEntry, MappingRecord
from simulator.domain.refusals import BadField, BadMapping
from simulator.platform.catalogue.ops import MAX_PAGE_SIZE
from simulator.platform.service import Platform
from simulator.protocol import inputs
from simulator.protocol.envelope import Envelope

# 1312 input keys the public integrations send; the simulator filters on the four it names, and refuses a
# value in any other (a filter it would otherwise silently ignore).
QUERY_FILTERS = ("updt_time", "page_num", "page_size", "hilist_code")
QUERY_IGNORED_WHEN_EMPTY = ("query_date", "insu_admdvs", "begndate", "hilist_name", "wubi", "pinyin",
                            "med_chrgitm_type", "chrgitm_lv", "lmt_used_flag", "list_type", "med_use_flag",
                            "matn_used_flag", "hilist_use_type", "lmt_cpnd_type", "vali_flag")
MAPPING_QUERY_FILTERS = ("updt_time", "page_num", "page_size", "medins_list_codg", "fixmedins_code")
MAPPING_QUERY_IGNORED_WHEN_EMPTY = ("query_date", "medins_list_name", "insu_admdvs", "list_type", "med_list_codg",
                                    "begndate", "vali_flag")
MAPPING_KEYS = ("fixmedins_hilist_id", "fixmedins_hilist_name", "list_type", "med_list_codg", "begndate", "enddate")
MAPPING_OPTIONAL = ("aprvno", "dosform", "exct_cont", "item_cont", "prcunt", "spec", "pacspec", "memo")


def page_number(data: dict[str, Any], key: str, default: int, top: int) -> int:
    raw = data.get(key, default)
    if raw in (None, ""):
        return default
    if isinstance(raw, bool) or not str(raw).isdigit() or not 1 <= int(str(raw)) <= top:
        raise BadField(detail=f"data.{key} 须为 1–{top} 的整数")
    return int(str(raw))


def entry_row(entry: CatalogueEntry, today: date) -> dict[str, Any]:
    """One 1312 `data[]` row; ⊕ selfpay_prop (1319's field), hilist_pric_uplmt_amt (1318's), expired_use, trac_rqr_flag."""
    return {
        "hilist_code": entry.code, "hilist_name": entry.name, "chrgitm_lv": entry.lv, "list_type": entry.list_type,
        "lmt_used_flag": entry.lmt_used_flag, "memo": entry.lmt_note, "begndate": entry.begndate,
        "enddate": entry.enddate, "vali_flag": "1" if entry.valid_on(today.isoformat()) else "0",
        "updt_time": entry.updt_time, "selfpay_prop": str(entry.selfpay_prop),
        "hilist_pric_uplmt_amt": None if entry.price_cap is None else str(entry.price_cap),
        "expired_use": entry.expired_use, "trac_rqr_flag": "1" if entry.traced else "0",
    }


def query_input(env: Envelope, filters: tuple[str, ...], ignored: tuple[str, ...]) -> dict[str, Any]:
    """A query's `data`: unknown keys refused, and so is a value in a filter the simulator does not apply."""
    data = inputs.node(env.input, "data")
    unknown = sorted(set(data) - set(filters) - set(ignored))
    if unknown:
        raise BadField(detail=f"data 含未知字段：{', '.join(unknown)}")
    given = [key for key in ignored if data.get(key) not in (None, "")]
    if given:
        raise BadField(detail=f"模拟平台不支持按 {', '.join(given)} 查询（可用：{', '.join(filters)}）")
    return data


def paged_query(row: Callable[[CatalogueEntry, date], dict[str, Any]],
                ignored: tuple[str, ...]) -> Callable[[Platform, Envelope], dict[str, Any]]:
    """A catalogue download paged by `updt_time` (1312, 1318, 1319): the same input and paging, its own row."""
    def handler(platform: Platform, env: Envelope) -> dict[str, Any]:
        data = query_input(env, QUERY_FILTERS, ignored)
        since = inputs.stamp(data, "updt_time", "data", required=False) or "0000-00-00 00:00:00"
        page = platform.catalogue.query(env.meta(), since, page_number(data, "page_num", 1, 1_000_000),
                                        page_number(data, "page_size", 100, MAX_PAGE_SIZE),
                                        inputs.text(data, "hilist_code", "data", required=False))
        today = platform.today()
        return {"data": [row(e, today) for e in page.entries], "recordCounts": page.total, "pages": page.pages,
                "pageNum": page.page_num, "pageSize": page.page_size}
    return handler


def _day(row: dict[str, Any], key: str, where: str, required: bool) -> str | None:
    value = inputs.text(row, key, where, required=required)
    if not value:
        return None
    try:  # a date, or a date and time (some integrations send `yyyy-MM-dd HH:mm:ss`)
        if len(value) == 19:
            inputs.stamp(row, key, where)
        return date.fromisoformat(value[:10] if len(value) == 19 else value).isoformat()
    except (ValueError, BadField):
        raise BadMapping(detail=f"{where}.{key} 日期格式错误：{value!r}") from None


def upload_3301(platform: Platform, env: Envelope) -> dict[str, Any]:
    raw = env.input.get("data")
    items = [raw] if isinstance(raw, dict) else inputs.rows(env.input, "data")
    if not items:
        raise BadMapping(detail="data 中没有目录对照")
    now = platform.now_stamp()
    rows: list[MappingRecord] = []
    for index, item in enumerate(items, start=1):
        where = f"data[{index}]"
        unknown = sorted(set(item) - set(MAPPING_KEYS) - set(MAPPING_OPTIONAL))
        if unknown:
            raise BadMapping(detail=f"{where} 含未知字段：{', '.join(unknown)}")
        inputs.require(item, MAPPING_KEYS[:5], where)
        begndate = _day(item, "begndate", where, True) or ""
        enddate = _day(item, "enddate", where, False)
        if enddate is not None and enddate < begndate:
            raise BadMapping(detail=f"{where} 结束日期早于开始日期")
        rows.append(MappingRecord(
            env.fixmedins_code, inputs.text(item, "fixmedins_hilist_id", where, max_len=30),
            inputs.text(item, "fixmedins_hilist_name", where, max_len=200),
            inputs.choice(item, "list_type", where, LIST_TYPES), inputs.text(item, "med_list_codg", where),
            begndate, enddate, now))
    mapped, state = platform.catalogue.map_items(env.meta(), rows)
    return {"data": {"mapped": mapped, "chk_stas": state}}


def mapping_row(row: MappingRecord, today: date) -> dict[str, Any]:
    """One 1317 `data[]` row; ⊕ chk_stas (the review: 0 待审核 / 1 审核通过 / 2 审核不通过) and chk_memo (why not)."""
    valid = row.begndate <= today.isoformat() and (row.enddate is None or today.isoformat() <= row.enddate)
    return {"fixmedins_code": row.fixmedins_code, "medins_list_codg": row.fixmedins_hilist_id,
            "medins_list_name": row.fixmedins_hilist_name, "list_type": row.list_type,
            "med_list_codg": row.med_list_codg, "begndate": row.begndate, "enddate": row.enddate,
            "vali_flag": "1" if valid else "0", "updt_time": row.updt_time, "chk_stas": row.chk_stas,
            "chk_stas_name": CHK_STAS[row.chk_stas], "chk_memo": row.chk_memo}


def query_1317(platform: Platform, env: Envelope) -> dict[str, Any]:
    data = query_input(env, MAPPING_QUERY_FILTERS, MAPPING_QUERY_IGNORED_WHEN_EMPTY)
    named = inputs.text(data, "fixmedins_code", "data", required=False)
    if named and named != env.fixmedins_code:
        raise BadField(detail=f"data.fixmedins_code {named} 不是本机构（{env.fixmedins_code}）：只能查询本机构的目录对照")
    since = inputs.stamp(data, "updt_time", "data", required=False) or "0000-00-00 00:00:00"
    page_num = page_number(data, "page_num", 1, 1_000_000)
    page_size = page_number(data, "page_size", 100, MAX_PAGE_SIZE)
    rows, total = platform.catalogue.query_mappings(env.meta(), since, page_num, page_size,
                                                    inputs.text(data, "medins_list_codg", "data", required=False,
                                                                max_len=30))
    today = platform.today()
    return {"data": [mapping_row(r, today) for r in rows], "recordCounts": total,
            "pages": (total + page_size - 1) // page_size, "pageNum": page_num, "pageSize": page_size}


def revoke_3302(platform: Platform, env: Envelope) -> dict[str, Any]:
    data = inputs.node(env.input, "data")
    inputs.require(data, ("fixmedins_hilist_id",), "data")
    platform.catalogue.unmap_item(env.meta(), inputs.text(data, "fixmedins_hilist_id", "data", max_len=30))
    return {}


HANDLERS: dict[str, Callable[[Platform, Envelope], Any]] = {
    "1312": paged_query(entry_row, QUERY_IGNORED_WHEN_EMPTY), "1317": query_1317, "3301": upload_3301, "3302": revoke_3302,
}
