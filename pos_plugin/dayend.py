"""Day end (日终对账): 3201 totals per (insutype, clr_type, 清算经办机构) and 3202 detail per (clr_type,
经办机构), built from the journal, with a readable report of every difference."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pos_plugin.domain.money import format_amount
from pos_plugin.journal import Journal
from pos_plugin.journal.totals import recon_groups, recon_records
from pos_plugin.platform import PlatformClient
from pos_plugin.platform.models import DetailOutcome, DetailRow, ReconTotals, StatementResult

RESULT_NAMES = {"1": "仅本机有", "2": "仅平台有", "3": "双方金额不一致"}


@dataclass(frozen=True)
class TotalsCheck:
    insutype: str
    clr_type: str
    setl_optins: str
    totals: ReconTotals
    statement: StatementResult


@dataclass(frozen=True)
class DetailCheck:
    clr_type: str
    setl_optins: str
    outcome: DetailOutcome
    differences: tuple[DetailRow, ...]


@dataclass(frozen=True)
class DayEndReport:
    begin: date
    end: date
    totals: tuple[TotalsCheck, ...]
    details: tuple[DetailCheck, ...]

    @property
    def balanced(self) -> bool:
        return all(t.statement.balanced for t in self.totals) and all(d.outcome.balanced for d in self.details)


def reconcile(client: PlatformClient, journal: Journal, begin: date, end: date | None = None, *,
              refd_setl_flag: str = "0") -> DayEndReport:
    """Declare the journal's figures to the platform (3201, then 9101 + 3202) and collect what differs."""
    end = end or begin
    groups = recon_groups(journal, begin, end)
    totals = []
    for insutype, clr_type, optins in groups:
        records = recon_records(journal, begin, end, clr_type=clr_type, setl_optins=optins, insutype=insutype,
                                refd_setl_flag=refd_setl_flag)
        figures = ReconTotals.of(records)
        statement = client.reconcile_totals(insutype=insutype, clr_type=clr_type, setl_optins=optins, begndate=begin,
                                            enddate=end, totals=figures, refd_setl_flag=refd_setl_flag)
        totals.append(TotalsCheck(insutype, clr_type, optins, figures, statement))
    details = []
    for clr_type, optins in sorted({(clr, optins) for _, clr, optins in groups}):
        records = recon_records(journal, begin, end, clr_type=clr_type, setl_optins=optins,
                                refd_setl_flag=refd_setl_flag)
        if not records:  # every sale of the group was revoked: no file to upload; 3201 checked the zero count
            details.append(DetailCheck(clr_type, optins, DetailOutcome.nothing_to_check(), ()))
            continue
        outcome = client.reconcile_detail(clr_type=clr_type, setl_optins=optins, begndate=begin, enddate=end,
                                          records=records, refd_setl_flag=refd_setl_flag)
        rows = () if outcome.balanced else tuple(r for r in client.detail_results(outcome) if not r.matches)
        details.append(DetailCheck(clr_type, optins, outcome, rows))
    return DayEndReport(begin, end, tuple(totals), tuple(details))


def render_report(report: DayEndReport) -> str:
    """The report a cashier or finance clerk reads: each group's verdict, then each differing record."""
    period = f"{report.begin}" if report.begin == report.end else f"{report.begin} 至 {report.end}"
    out = [f"日终对账 {period}：{'平账' if report.balanced else '不平'}"]
    if not report.totals:
        out.append("  本期没有医保结算")
    for check in report.totals:
        t = check.totals
        out.append(f"  [3201] 险种 {check.insutype} 清算类别 {check.clr_type} 经办机构 {check.setl_optins}: "
                   f"{'平' if check.statement.balanced else '不平'}  笔数 {t.count} 医疗费 {format_amount(t.medfee_sumamt)} "
                   f"基金 {format_amount(t.fund_pay_sumamt)} 账户 {format_amount(t.acct_pay)}"
                   + (f"  平台: {check.statement.stmt_rslt_dscr}" if check.statement.stmt_rslt_dscr else ""))
    for detail in report.details:
        out.append(f"  [3202] 清算类别 {detail.clr_type} 经办机构 {detail.setl_optins}: "
                   f"{'平' if detail.outcome.balanced else '不平'}"
                   + ("" if detail.outcome.uploaded else "（全部已撤销，无明细可上传，以 3201 为准）"))
        for row in detail.differences:
            r = row.record
            out.append(f"    {RESULT_NAMES.get(row.result, row.result_name or row.result)}: 结算号 {r.setl_id} "
                       f"人员 {r.psn_no} 医疗费 {format_amount(r.medfee_sumamt)} 基金 {format_amount(r.fund_pay_sumamt)} "
                       f"账户 {format_amount(r.acct_pay)}")
    return "\n".join(out) + "\n"
