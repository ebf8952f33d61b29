"""The catalogue's other downloads (docs/protocol.md §6): 1318 医保目录限价信息查询 and 1319 医保目录先自付比例信息查询,
paged by `updt_time` like 1312, and the catalogue file of one list type (1301 西药中成药, 1302 中药饮片, 1303
医疗机构制剂, 1305 医疗服务项目, 1306 医用耗材 目录下载 by `ver`), which a till then downloads with 9102."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import date
from typing import Any

from simulator.domain.catalogue import CatalogueEntry
from simulator.domain.refusals import BadField
from simulator.platform.service import Platform
from simulator.protocol import inputs
from simulator.protocol.envelope import Envelope
from simulator.protocol.handlers_catalogue import entry_row, paged_query

_COMMON_IGNORED = ("query_date", "insu_admdvs", "begndate", "enddate", "vali_flag", "rid", "tabname", "poolarea_no")
PRICE_IGNORED_WHEN_EMPTY = ("hilist_lmtpric_type", "overlmt_dspo_way", *_COMMON_IGNORED)
SELFPAY_IGNORED_WHEN_EMPTY = ("selfpay_prop_psn_type", "selfpay_prop_type", *_COMMON_IGNORED)
FILE_LIST_TYPES = {"1301": "101", "1302": "102", "1303": "103", "1305": "201", "1306": "301"}


def price_row(entry: CatalogueEntry, today: date) -> dict[str, Any]:
    """One 1318 row: the entry's price cap (`null`, `vali_flag` 0, when it has none)."""
    capped = entry.price_cap is not None
    return {"hilist_code": entry.code, "hilist_pric_uplmt_amt": str(entry.price_cap) if capped else None,
            "begndate": entry.begndate, "enddate": entry.enddate,
            "vali_flag": "1" if capped and entry.valid_on(today.isoformat()) else "0", "updt_time": entry.updt_time}


def selfpay_row(entry: CatalogueEntry, today: date) -> dict[str, Any]:
    """One 1319 row: the entry's self-pay proportion (先自付比例; `0` for a 甲 or 丙 entry)."""
    return {"hilist_code": entry.code, "selfpay_prop": str(entry.selfpay_prop), "begndate": entry.begndate,
            "enddate": entry.enddate, "vali_flag": "1" if entry.valid_on(today.isoformat()) else "0",
            "updt_time": entry.updt_time}


FILE_COLUMNS = ("hilist_code", "hilist_name", "chrgitm_lv", "list_type", "lmt_used_flag", "memo", "begndate",
                "enddate", "vali_flag", "updt_time", "selfpay_prop", "hilist_pric_uplmt_amt", "expired_use",
                "trac_rqr_flag")


def _cell(value: Any) -> str:
    return "" if value is None else " ".join(str(value).replace("\t", " ").splitlines())


def catalogue_zip(infno: str, entries: list[CatalogueEntry], today: date) -> bytes:
    """A zip of one UTF-8 text file: a header line of the 1312 row's field names (⊕ those of 1318/1319), then
    one tab-separated line per entry."""
    lines = ["\t".join(FILE_COLUMNS)]
    for entry in entries:
        row = entry_row(entry, today)
        lines.append("\t".join(_cell(row[column]) for column in FILE_COLUMNS))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{infno}.txt", "\n".join(lines) + "\n")
    return out.getvalue()


def catalogue_file(platform: Platform, env: Envelope) -> dict[str, Any]:
    """130x: the entries of one list type changed since `ver` (empty or `0`: all), as a file for 9102; ⊕`ver`
    is the platform's newest catalogue version when the file was cut."""
    data = inputs.node(env.input, "data")
    unknown = sorted(set(data) - {"ver"})
    if unknown:
        raise BadField(detail=f"data 含未知字段：{', '.join(unknown)}")
    ver = data.get("ver")
    since = "0000-00-00 00:00:00" if ver in (None, "", "0") else inputs.stamp(data, "ver", "data")
    entries, newest = platform.catalogue.of_list_type(env.meta(), FILE_LIST_TYPES[env.infno], since)
    filename = f"{env.infno}_{(newest or '0').replace('-', '').replace(':', '').replace(' ', '')}.zip"
    number, deadline = platform.catalogue.keep_file(env.meta(), filename,
                                                    catalogue_zip(env.infno, entries, platform.today()))
    return {"file_qury_no": number, "filename": filename, "dld_end_time": deadline, "data_cnt": len(entries),
            "ver": newest or ""}


HANDLERS: dict[str, Callable[[Platform, Envelope], Any]] = {
    "1318": paged_query(price_row, PRICE_IGNORED_WHEN_EMPTY), "1319": paged_query(selfpay_row, SELFPAY_IGNORED_WHEN_EMPTY),
    **dict.fromkeys(FILE_LIST_TYPES, catalogue_file),
}
