"""Traceability codes on a sale (docs/protocol.md §7): checked with the catalogue lookup, recorded when a
settlement commits, freed by a revoke or a reversal. Shared by every flow that settles fee lines."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from simulator.domain.catalogue import LineCatalogue
from simulator.domain.models import FeeLine
from simulator.domain.refusals import TraceCodeSold
from simulator.domain.trace import TraceRecord, check_line_codes
from simulator.platform.catalogue.repository import TraceCodeRepository


def check_sale_codes(repo: TraceCodeRepository, lines: Sequence[FeeLine], found: LineCatalogue) -> None:
    """Form, one code per box of a traced drug, and no box already sold (`ERR_TRACE_CODE_SOLD`)."""
    check_line_codes(lines, [code for code in found.items if found.traced(code)])
    taken = repo.sold(code for line in lines for code in line.trace_codes)
    if taken:
        first = min(taken.values(), key=lambda r: r.code)
        raise TraceCodeSold(code=first.code, setl_id=first.setl_id)


def sold_records(lines: Sequence[FeeLine], setl_id: str, fixmedins_code: str, at: str) -> list[TraceRecord]:
    return [TraceRecord(code, setl_id, line.feedetl_sn, line.code, fixmedins_code, at)
            for line in lines for code in line.trace_codes]


def resell_codes(repo: TraceCodeRepository, row: Any, outpatient_sns: Sequence[str], at: str) -> None:
    """A reversed revoke charges the sale again: its boxes are sold again, unless one was sold since."""
    if row.clr_type == "11":
        visit_codes = repo.uploaded(row.mdtrt_id)
        codes = [c for sn in outpatient_sns for c in visit_codes.get(sn, [])]
    else:
        codes = [r.code for r in repo.of_settlement(row.setl_id)]
    taken = repo.sold(codes)
    if taken:
        first = min(taken.values(), key=lambda r: r.code)
        raise TraceCodeSold(code=first.code, setl_id=first.setl_id)
    if row.clr_type == "11":
        repo.settle_uploaded(row.mdtrt_id, outpatient_sns, row.setl_id, at)
    else:
        repo.resell(row.setl_id, at)
