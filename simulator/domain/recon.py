"""Reconciliation rules (pure): records of a period, totals, the detail file, comparison, the result file.

Records in a period, `refd_setl_flag = 0`: the settlements made in it that are still in effect.
`refd_setl_flag = 1`: every settlement made in it (revoked or not) plus every revocation made in it,
as its own record with negated amounts under the revocation's setl_id. Reversed (2601) settlements
never happened and are never records.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from simulator.domain.money import ZERO, fmt, from_fen, parse_amount
from simulator.domain.records import SettlementRecord
from simulator.domain.refusals import BadFile

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


def records_of(rows: list[SettlementRecord], period: Period) -> list[Record]:
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
            out.append(Record(row.revoke_setl_id or "", row.mdtrt_id, row.psn_no, -medfee, -fund, -acct, "1"))
    return out


def parse_detail_file(content: bytes) -> list[Record]:
    """The institution's detail file: a zip holding one text file, or the text itself; tab-separated
    setl_id, mdtrt_id, psn_no, medfee_sumamt, fund_pay_sumamt, acct_pay, refd_setl_flag."""
    if content[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                content = archive.read(archive.namelist()[0])
        except (zipfile.BadZipFile, IndexError):
            raise BadFile(detail="对账明细文件不是有效的 zip") from None
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise BadFile(detail="对账明细文件须为 UTF-8 文本") from None
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        cells = line.split("\t")
        if len(cells) != 7:
            raise BadFile(detail=f"对账明细文件第 {number} 行应有 7 列（制表符分隔），实有 {len(cells)} 列")
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


def totals_verdict(mine: Totals, declared: Totals) -> tuple[str, str]:
    """3201: ("0", "对账平衡") or ("1", a description of every difference)."""
    pairs = (("医疗费总额", fmt(mine.medfee), fmt(declared.medfee)), ("基金支付总额", fmt(mine.fund), fmt(declared.fund)),
             ("个人账户支付总额", fmt(mine.acct), fmt(declared.acct)),
             ("结算笔数", str(mine.count), str(declared.count)))
    diffs = [f"{name} 平台 {ours} / 机构 {theirs}" for name, ours, theirs in pairs if ours != theirs]
    return ("0", "对账平衡") if not diffs else ("1", "对账不平：" + "；".join(diffs))


def declared_matches(theirs: list[Record], declared: Totals) -> bool:
    """The detail file adds up to the totals the institution declared next to it."""
    own = totals(theirs)
    return (own.medfee, own.fund, own.cash, own.count) == (declared.medfee, declared.fund, declared.cash,
                                                           declared.count)
