"""The first full download of a large catalogue by file (docs/protocol.md §6): one file per list type (1301
西药中成药, 1302 中药饮片, 1303 医疗机构制剂, 1305 医疗服务项目, 1306 医用耗材 目录下载, `ver` empty = everything),
each fetched with 9102 — a zip of one UTF-8 text file, a header line of field names, then one tab-separated
line per entry. The catalogue's increments then come as 1312/1318/1319 pages (sync.py)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Mapping
from typing import Any

from pos_plugin.catalogue.book import CatalogueEntry
from pos_plugin.errors import BadReply
from pos_plugin.platform import PlatformClient

FILE_INFNOS = ("1301", "1302", "1303", "1305", "1306")
MAX_FILE_BYTES = 200 * 1024 * 1024


EntryOf = Callable[[Mapping[str, Any], Mapping[str, Any], Mapping[str, Any]], CatalogueEntry]


def download_files(client: PlatformClient, entry_of: EntryOf) -> tuple[list[CatalogueEntry], str, int]:
    """(every entry of every list type's file, the version to continue from, files downloaded). The version is
    the earliest the five replies name (`ver`): a change made while the files were cut is fetched again by the
    next page sync rather than missed."""
    entries: list[CatalogueEntry] = []
    versions: list[str] = []
    for infno in FILE_INFNOS:
        out = client.call(infno, {"data": {"ver": ""}}).output
        number, filename = out.get("file_qury_no"), str(out.get("filename") or "")
        if not isinstance(number, str) or not number:
            raise BadReply(f"{infno} 应答缺少 file_qury_no")
        versions.append(str(out.get("ver") or ""))
        rows = file_rows(client.download_file(file_qury_no=number, filename=filename), infno)
        if out.get("data_cnt") not in (None, "") and str(out["data_cnt"]) != str(len(rows)):
            raise BadReply(f"{infno} 目录文件行数 {len(rows)} 与应答 data_cnt {out['data_cnt']} 不符")
        entries += [entry_of(row, row, row) for row in rows]
    return entries, min(versions), len(FILE_INFNOS)


def file_rows(content: bytes, infno: str) -> list[Mapping[str, Any]]:
    """The rows of one catalogue file, each as {field name: text}."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = archive.namelist()
            if len(names) != 1 or archive.getinfo(names[0]).file_size > MAX_FILE_BYTES:
                raise BadReply(f"{infno} 目录文件须为只含一个文本文件的 zip")
            text = archive.read(names[0]).decode("utf-8")
    except (zipfile.BadZipFile, UnicodeDecodeError) as exc:
        raise BadReply(f"{infno} 目录文件无法读取: {exc}") from None
    lines = text.splitlines()
    if not lines:
        raise BadReply(f"{infno} 目录文件没有表头")
    header = lines[0].split("\t")
    rows: list[Mapping[str, Any]] = []
    for number, line in enumerate(lines[1:], start=2):
        values = line.split("\t")
        if len(values) != len(header):
            raise BadReply(f"{infno} 目录文件第 {number} 行有 {len(values)} 列，表头 {len(header)} 列")
        rows.append({k: (v if v != "" else None) for k, v in zip(header, values, strict=True)})
    return rows
