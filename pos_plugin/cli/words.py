"""What the counter's commands tell the cashier after a revoke, a refund and a recovery, in the cashier's terms.

Every leg is named in Chinese with its rank (本人账户, 共济账户(第一顺位 王*), 家庭共济账户, 医保钱包, 现金) and
its amount is positive under 退回; a refund ends with the cash to hand back or to collect; `recover` gives one
line per sale saying what to do, and counts as pending only what is still pending.
"""

from __future__ import annotations

from decimal import Decimal

from pos_plugin.checkout.till import Recovered, Refunded, Revoked
from pos_plugin.domain.money import ZERO, format_amount
from pos_plugin.domain.payer_chain import Leg
from pos_plugin.journal.recovery import (
    ANSWERED_OUTCOME,
    CONFIRMED_OUTCOME,
    FAILED_OUTCOME,
    REVERSED_OUTCOME,
    REVOKED_BEFORE,
    UNRESOLVED_OUTCOME,
    Resolution,
)
from pos_plugin.journal.store import REVOKES
from pos_plugin.platform.models import PayLeg
from pos_plugin.present import leg_labels, table

WIDTH = 40


def given_back(legs: list[PayLeg]) -> list[Leg]:
    """A revoke's legs (the platform reports them negated) as positive amounts, zero legs left out."""
    return [Leg(leg.source, abs(leg.amount), leg.psn_no or None, leg.rank, leg.pool_id or None,  # type: ignore[arg-type]
                leg.name) for leg in legs if leg.amount != 0]


def revoked_text(revoked: Revoked) -> str:
    """`已撤销结算 …`, then 退回 with every leg and the cash, and the cash to hand back."""
    done = revoked.settlement
    if done is None:
        return (f"已撤销交易 {revoked.sale_id}：没有医保结算\n"
                f"请退还顾客现金 {format_amount(revoked.cash_back)}")
    legs = given_back(done.payleg)
    rows = [("  " + label, format_amount(leg.amount)) for label, leg in zip(leg_labels(legs), legs, strict=True)]
    rows.append(("  现金", format_amount(revoked.cash_back)))
    return "\n".join([f"已撤销结算 {revoked.sale_id}：医疗费 {format_amount(done.amount('medfee_sumamt').copy_abs())}",
                      "退回:", *table(rows, (WIDTH - 12, 12)),
                      f"请退还顾客现金 {format_amount(revoked.cash_back)}"])


def cash_settlement(refunded: Refunded) -> str:
    """The refund's last line: the cash back from the revoke less the cash the kept lines cost now."""
    collect = refunded.new.sale.cash_total if refunded.new is not None else ZERO
    balance: Decimal = refunded.revoked.cash_back - collect
    detail = f"（退回现金 {format_amount(refunded.revoked.cash_back)}，新结算应收现金 {format_amount(collect)}）"
    if balance > 0:
        return f"合计：请退还顾客现金 {format_amount(balance)}{detail}"
    if balance < 0:
        return f"合计：请向顾客收取现金 {format_amount(-balance)}{detail}"
    return f"合计：现金两清，无需找补 0.00{detail}"


def resolution_line(item: Resolution) -> str:
    """One unknown outcome `recover` resolved (or could not), and what the cashier does about it."""
    return _resolution_line(item)


def booked_line(setl_id: str) -> str:
    return f"[booked] 结算 {setl_id} 已扣款但本机未入账（结算时中断）：已补记，请补打小票，不要重新收费"


def pending_line(recovered: Recovered) -> str:
    """The last line of `recover`: how many it settled, and how many are still pending (and only those)."""
    pending = sum(item.outcome == UNRESOLVED_OUTCOME for item in recovered.resolutions)
    done = len(recovered.resolutions) - pending + len(recovered.booked)
    head = f"已处理 {done} 笔，仍待处理 {pending} 笔"
    return head + ("：这些交易结果未知，请勿重新收费，联网后再次运行 pos-plugin recover" if pending else "")


def _resolution_line(item: Resolution) -> str:
    what = "撤销" if item.infno in REVOKES else "结算"
    where = f"{what}（{item.infno}，流水号 {item.msgid}）"
    if item.outcome == REVERSED_OUTCOME and item.infno in REVOKES:  # the journal's sentence says which case
        return f"[reversed] {where}：{item.message}"
    if item.outcome == REVERSED_OUTCOME:
        return f"[reversed] {where}：未扣款，可重新收费"
    if item.outcome == CONFIRMED_OUTCOME and item.infno in REVOKES:
        return f"[confirmed] {where}：撤销已完成，钱已退回；不要再次撤销"
    if item.outcome in (CONFIRMED_OUTCOME, ANSWERED_OUTCOME):
        return f"[confirmed] {where}：已扣款，请补打小票，不要重新收费"
    if item.outcome == REVOKED_BEFORE:
        return f"[revoked_before] {where}：{item.message}"
    if item.outcome == FAILED_OUTCOME:
        return f"[failed] {where}：平台未受理，未扣款，可重新收费"
    return (f"[unresolved] {where}：结果仍未知，请勿重新收费；检查网络后再次运行 pos-plugin recover，"
            f"仍不能确定请联系医保平台（{item.message}）")
