"""Day-end figures from the journal: settled and revoked totals per insutype / clr_type / clr_optins,
and the records 3201/3202 reconcile, built the way the platform counts them.

Only answered rows count (done, or confirmed through 5203); reversed rows never happened. A settlement
is dated by its platform `setl_time`; a revoke by its own `setl_time` (or, if the platform left that
out, when it was answered). A revoke whose reply lacks insutype/clr_type inherits them from the
settlement it revoked.

Reconciliation records (`recon_records`): with refd_setl_flag 0, the settlements of the period still
in effect; with 1, every settlement of the period plus every revocation of the period as its own
record (negative amounts, the revocation's setl_id).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from pos_plugin.journal.store import REVOKES, SETTLES, Entry, Journal
from pos_plugin.platform.models import ReconRecord

ZERO = Decimal("0.00")
SUMMED = ("medfee_sumamt", "fund_pay_sumamt", "acct_pay", "psn_cash_pay")


@dataclass
class Totals:
    """Counts and sums for one (insutype, clr_type, clr_optins) group; revoke sums are as the platform
    reported them (negative)."""

    insutype: str
    clr_type: str
    clr_optins: str
    settled_cnt: int = 0
    settled: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(SUMMED, ZERO))
    revoked_cnt: int = 0
    revoked: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(SUMMED, ZERO))

    def net(self, name: str) -> Decimal:
        """Settled plus (negative) revoked: what is still charged after refunds."""
        return self.settled[name] + self.revoked[name]

    @property
    def net_cnt(self) -> int:
        return self.settled_cnt - self.revoked_cnt


def entry_day(entry: Entry) -> date:
    """The platform day of an answered row."""
    stamp = entry.setl_time or entry.updated_at
    return date.fromisoformat(stamp[:10])


def settlements_between(journal: Journal, begin: date, end: date) -> list[Entry]:
    """Answered settlements (2102/2207) dated begin..end inclusive, each with its fields filled."""
    return [e for e in _answered(journal) if e.infno in SETTLES and begin <= entry_day(e) <= end]


def revokes_between(journal: Journal, begin: date, end: date) -> list[Entry]:
    """Answered revokes (2103/2208) dated begin..end inclusive."""
    return [e for e in _answered(journal) if e.infno in REVOKES and begin <= entry_day(e) <= end]


def totals_between(journal: Journal, begin: date, end: date) -> list[Totals]:
    """Totals per (insutype, clr_type, clr_optins), sorted, for begin..end inclusive."""
    groups: dict[tuple[str, str, str], Totals] = {}
    for entry in settlements_between(journal, begin, end) + revokes_between(journal, begin, end):
        key = (entry.insutype or "", entry.clr_type or "", entry.clr_optins or "")
        group = groups.setdefault(key, Totals(*key))
        _add(group, entry)
    return [groups[key] for key in sorted(groups)]


def _add(group: Totals, entry: Entry) -> None:
    if entry.infno in REVOKES:
        group.revoked_cnt += 1
        sums = group.revoked
    else:
        group.settled_cnt += 1
        sums = group.settled
    for name in SUMMED:
        sums[name] += entry.amounts.get(name, ZERO)


def _answered(journal: Journal) -> list[Entry]:
    entries = journal.entries()
    by_setl_id = {e.setl_id: e for e in entries if e.infno in SETTLES and e.setl_id}
    return [_inherit(e, by_setl_id) for e in entries]


def _inherit(entry: Entry, settlements: dict[str, Entry]) -> Entry:
    origin = settlements.get(entry.orig_setl_id or "") if entry.infno in REVOKES else None
    if origin is None:
        return entry
    return replace(
        entry,
        insutype=entry.insutype or origin.insutype,
        clr_type=entry.clr_type or origin.clr_type,
        clr_optins=entry.clr_optins or origin.clr_optins,
    )


def recon_groups(journal: Journal, begin: date, end: date) -> list[tuple[str, str, str]]:
    """The (insutype, clr_type, clr_optins) groups with any answered settlement or revoke in the period."""
    return [(t.insutype, t.clr_type, t.clr_optins) for t in totals_between(journal, begin, end)]


def recon_records(journal: Journal, begin: date, end: date, *, clr_type: str, setl_optins: str,
                  insutype: str | None = None, refd_setl_flag: str = "0") -> list[ReconRecord]:
    """The records the platform would count for this period and group (see the module docstring)."""
    answered = _answered(journal)
    revoked = {e.orig_setl_id for e in answered if e.infno in REVOKES}

    def wanted(e: Entry) -> bool:
        return (e.clr_type == clr_type and e.clr_optins == setl_optins and (insutype is None or e.insutype == insutype)
                and begin <= entry_day(e) <= end)

    records = [_record(e, "0") for e in answered if e.infno in SETTLES and wanted(e)
               and (refd_setl_flag == "1" or e.setl_id not in revoked)]
    if refd_setl_flag == "1":
        records += [_record(e, "1") for e in answered if e.infno in REVOKES and wanted(e)]
    return records


def _record(entry: Entry, refd: str) -> ReconRecord:
    amount = entry.amounts.get
    return ReconRecord(entry.setl_id or "", entry.mdtrt_id or "", entry.psn_no, amount("medfee_sumamt", ZERO),
                       amount("fund_pay_sumamt", ZERO), amount("acct_pay", ZERO), refd)
