"""Reconciliation: 3201 totals, 3202 detail against an uploaded file (9101), result file (9102).

Records in a period, `refd_setl_flag = 0`: the settlements made in it that are still in effect.
`refd_setl_flag = 1`: every settlement made in it (revoked or not) plus every revocation made in it,
as its own record with negated amounts under the revocation's setl_id. Reversed (2601) settlements
never happened and are never records.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from simulator.platform.base import PlatformBase, RequestMeta
from simulator.platform.clock import stamp
from simulator.platform.errors import NotFound, RequestRejected
from simulator.platform.money import ZERO, fmt, from_fen, parse_amount

RESULT_NAMES = {"0": "一致", "1": "医药机构多", "2": "中心多", "3": "数据不一致"}


@dataclass(frozen=True)
class Record:
    """One reconciliation record (a settlement, or a revocation with negated amounts)."""

    setl_id: str
    mdtrt_id: str
    psn_no: str
    medfee: Decimal
    fund: Decimal
    acct: Decimal
    refd: str

    @property
    def cash(self) -> Decimal:
        return self.medfee - self.fund - self.acct

    def amounts(self) -> tuple[Decimal, Decimal, Decimal]:
        return self.medfee, self.fund, self.acct


@dataclass(frozen=True)
class Period:
    """What a reconciliation request covers."""

    begin: date
    end: date
    clr_type: str
    setl_optins: str
    refd_setl_flag: str
    insutype: str = ""


@dataclass(frozen=True)
class Totals:
    medfee: Decimal
    fund: Decimal
    acct: Decimal
    cash: Decimal
    count: int


def totals(records: list[Record]) -> Totals:
    return Totals(sum((r.medfee for r in records), ZERO), sum((r.fund for r in records), ZERO),
                  sum((r.acct for r in records), ZERO), sum((r.cash for r in records), ZERO), len(records))


def _in(moment: str | None, period: Period) -> bool:
    return moment is not None and period.begin.isoformat() <= moment[:10] <= period.end.isoformat()


def records_of(rows: list[Any], period: Period) -> list[Record]:
    out: list[Record] = []
    for row in rows:
        if row.status == "reversed" or row.clr_type != period.clr_type or row.clr_optins != period.setl_optins:
            continue
        if period.insutype and row.insutype != period.insutype:
            continue
        medfee, fund, acct = from_fen(row.medfee_fen), from_fen(row.hifp_fen), from_fen(row.acct_fen)
        if _in(row.setl_time, period) and (row.status == "settled" or period.refd_setl_flag == "1"):
            out.append(Record(row.setl_id, row.mdtrt_id, row.psn_no, medfee, fund, acct, "0"))
        if period.refd_setl_flag == "1" and row.status == "revoked" and _in(row.revoked_at, period):
            out.append(Record(row.revoke_setl_id, row.mdtrt_id, row.psn_no, -medfee, -fund, -acct, "1"))
    return out


def parse_detail_file(content: bytes) -> list[Record]:
    """The institution's detail file: a zip holding one text file, or the text itself; tab-separated
    setl_id, mdtrt_id, psn_no, medfee_sumamt, fund_pay_sumamt, acct_pay, refd_setl_flag."""
    if content[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                content = archive.read(archive.namelist()[0])
        except (zipfile.BadZipFile, IndexError):
            raise RequestRejected("ERR_BAD_FILE", "对账明细文件不是有效的 zip") from None
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise RequestRejected("ERR_BAD_FILE", "对账明细文件须为 UTF-8 文本") from None
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        cells = line.split("\t")
        if len(cells) != 7:
            raise RequestRejected("ERR_BAD_FILE", f"对账明细文件第 {number} 行应有 7 列（制表符分隔），实有 {len(cells)} 列")
        amounts = [_signed_amount(cell, number) for cell in cells[3:6]]
        records.append(Record(cells[0], cells[1], cells[2], amounts[0], amounts[1], amounts[2], cells[6]))
    return records


def _signed_amount(cell: str, line: int) -> Decimal:
    negative = cell.startswith("-")
    value = parse_amount(cell[1:] if negative else cell, f"对账明细文件第{line}行金额")
    return -value if negative else value


def compare(theirs: list[Record], ours: list[Record]) -> list[tuple[Record, str]]:
    """Each record with its result code: 0 match, 1 only the institution has it, 2 only the platform,
    3 both but different amounts."""
    mine = {r.setl_id: r for r in ours}
    seen: set[str] = set()
    out = []
    for record in theirs:
        other = mine.get(record.setl_id)
        seen.add(record.setl_id)
        out.append((record, "1" if other is None else ("0" if other.amounts() == record.amounts() else "3")))
    out += [(record, "2") for record in ours if record.setl_id not in seen]
    return out


def result_file(rows: list[tuple[Record, str]]) -> bytes:
    lines = ["\t".join((r.setl_id, r.mdtrt_id, r.psn_no, fmt(r.medfee), fmt(r.fund), fmt(r.acct), r.refd, code,
                        RESULT_NAMES[code])) for r, code in rows]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("result.txt", "\n".join(lines) + ("\n" if lines else ""))
    return buffer.getvalue()


class ReconOps(PlatformBase):
    """3201 / 3202 / 9101 / 9102."""

    def _records(self, meta: RequestMeta, period: Period) -> list[Record]:
        if period.end < period.begin:
            raise RequestRejected("ERR_BAD_PERIOD", "对账结束日期早于开始日期")
        with self.store.write() as tx:
            self.institution(tx, meta.fixmedins_code)
            self.claim(tx, meta)
            rows = tx.settlements_in_period(meta.fixmedins_code, f"{period.begin.isoformat()} 00:00:00",
                                            f"{period.end.isoformat()} 23:59:59")
        return records_of(rows, period)

    def reconcile_totals(self, meta: RequestMeta, period: Period, declared: Totals) -> tuple[str, str]:
        """3201: ("0", "对账平衡") or ("1", a description of every difference)."""
        mine = totals(self._records(meta, period))
        pairs = (("医疗费总额", fmt(mine.medfee), fmt(declared.medfee)), ("基金支付总额", fmt(mine.fund), fmt(declared.fund)),
                 ("个人账户支付总额", fmt(mine.acct), fmt(declared.acct)),
                 ("结算笔数", str(mine.count), str(declared.count)))
        diffs = [f"{name} 平台 {ours} / 机构 {theirs}" for name, ours, theirs in pairs if ours != theirs]
        return ("0", "对账平衡") if not diffs else ("1", "对账不平：" + "；".join(diffs))

    def upload_file(self, meta: RequestMeta, filename: str, content: bytes) -> str:
        """9101: keep the file; returns its file_qury_no."""
        if not content:
            raise RequestRejected("ERR_BAD_FILE", "上传文件内容为空")
        number = self.ids.file_qury_no()
        with self.store.write() as tx:
            self.institution(tx, meta.fixmedins_code)
            self.claim(tx, meta)
            tx.insert_file(file_qury_no=number, fixmedins_code=meta.fixmedins_code, filename=filename,
                           content=content, created_at=self.now_stamp())
        return number

    def reconcile_detail(self, meta: RequestMeta, period: Period, file_qury_no: str,
                         declared: Totals) -> tuple[str, str, str, dict[str, int]]:
        """3202: compare the uploaded file with the platform; returns (file_qury_no, filename,
        download deadline, counts per result code) of the result file."""
        with self.store.read() as tx:
            found = tx.file(file_qury_no)
        if found is None or found.fixmedins_code != meta.fixmedins_code:
            raise NotFound("ERR_FILE_UNKNOWN", f"文件查询号 {file_qury_no} 不存在，请先上传（9101）")
        theirs = parse_detail_file(bytes(found.content))
        own = totals(theirs)
        if (own.medfee, own.fund, own.cash, own.count) != (declared.medfee, declared.fund, declared.cash,
                                                           declared.count):
            raise RequestRejected("ERR_FILE_TOTALS_MISMATCH", "对账明细文件合计与申报的总额或笔数不一致")
        number, filename = self.ids.file_qury_no(), f"{file_qury_no}_result.zip"  # before the transaction opens
        rows = compare(theirs, self._records(meta, period))
        with self.store.write() as tx:
            tx.insert_file(file_qury_no=number, fixmedins_code=meta.fixmedins_code, filename=filename,
                           content=result_file(rows), created_at=self.now_stamp())
        counts = {code: sum(1 for _, c in rows if c == code) for code in RESULT_NAMES}
        return number, filename, stamp(self.now() + timedelta(days=1)), counts

    def download_file(self, meta: RequestMeta, file_qury_no: str) -> tuple[str, bytes]:
        """9102: (filename, content) of an uploaded or result file of this institution."""
        with self.store.write() as tx:
            found = tx.file(file_qury_no)
            if found is None or found.fixmedins_code != meta.fixmedins_code:  # refused: the msgid stays unused
                raise NotFound("ERR_FILE_UNKNOWN", f"文件查询号 {file_qury_no} 不存在")
            self.claim(tx, meta)
        return str(found.filename), bytes(found.content)
