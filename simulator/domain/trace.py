"""Drug traceability codes (药品追溯码): their form, one code per box of a traced drug, never sold twice.

Forms accepted on the wire (docs/protocol.md §7): the 20-digit code starting with `8` printed on Chinese drug
boxes, and a GS1 element string (DataMatrix on imported drugs) in bracketed form with a GTIN-14 `(01)` whose
check digit is right and a serial `(21)` (a till sends a raw DataMatrix string, FNC1/GS separated, bracketed).
Standard library only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from simulator.domain.models import FeeLine
from simulator.domain.refusals import BadTraceCode, TraceCountMismatch

MAX_CODES_PER_LINE = 1000
_DOMESTIC = re.compile(r"8\d{19}")
_GS1_BRACKETS = re.compile(r"\(01\)(\d{14})(?:\(17\)\d{6}|\(10\)[!-~]{1,20})*\(21\)([!-~]{1,20})(?:\(.+)?")


def gtin_ok(gtin: str) -> bool:
    digits = [int(c) for c in gtin]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits[:-1])))
    return (10 - total % 10) % 10 == digits[-1]


def trace_code_form(code: str) -> str | None:
    """`domestic` / `gs1`, or None when `code` is not a traceability code."""
    if _DOMESTIC.fullmatch(code):
        return "domestic"
    found = _GS1_BRACKETS.fullmatch(code)
    if found and gtin_ok(found.group(1)):
        return "gs1"
    return None


@dataclass(frozen=True)
class TraceRecord:
    """One box sold under a settlement (released when the settlement is revoked or reversed)."""

    code: str
    setl_id: str
    feedetl_sn: str
    med_list_codg: str
    fixmedins_code: str
    sold_at: str


def check_line_codes(lines: Sequence[FeeLine], traced: Iterable[str]) -> None:
    """Each code well-formed and once per request; a traced drug's line carries one code per box."""
    must = set(traced)
    seen: set[str] = set()
    for line in lines:
        for code in line.trace_codes:
            if trace_code_form(code) is None:
                raise BadTraceCode(detail=f"{line.feedetl_sn} 的药品追溯码 {code!r} 格式错误（20 位 8 开头，或 GS1 (01)(21)）")
            if code in seen:
                raise BadTraceCode(detail=f"药品追溯码 {code} 在本次结算中出现两次（一盒一码）")
            seen.add(code)
        if line.code not in must:
            continue
        if line.cnt != line.cnt.to_integral_value():
            raise TraceCountMismatch(detail=f"{line.feedetl_sn} {line.code} 须扫码追溯的药品不支持拆零数量 {line.cnt}")
        if Decimal(len(line.trace_codes)) != line.cnt:
            raise TraceCountMismatch(detail=f"{line.feedetl_sn} {line.code} 数量 {line.cnt} 盒，"
                                            f"药品追溯码 {len(line.trace_codes)} 个（须一盒一码）")
