"""What a settlement looks like to the protocol layer, from a fresh plan or from stored rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from simulator.domain.chain import Leg
from simulator.domain.models import Institution, Person
from simulator.domain.money import ZERO, from_fen
from simulator.domain.plan import SettlementPlan
from simulator.domain.records import LedgerEntry, SettlementRecord
from simulator.domain.split import LineSplit

# wire name -> settlements column prefix
AMOUNT_COLUMNS = {
    "medfee_sumamt": "medfee", "fulamt_ownpay_amt": "fulamt", "overlmt_selfpay": "overlmt",
    "preselfpay_amt": "preself", "inscp_scp_amt": "inscp", "act_pay_dedc": "dedc", "hifp_pay": "hifp",
    "fund_pay_sumamt": "hifp", "psn_part_amt": "psn_part", "acct_pay": "acct", "acct_mulaid_pay": "mulaid",
    "wallet_pay": "wallet", "psn_cash_pay": "cash",
}


@dataclass(frozen=True)
class SettlementView:
    """One settlement (or its revocation, with negated amounts) ready to be shaped into setlinfo."""

    patient: Person
    institution: Institution
    mdtrt_id: str
    setl_id: str | None
    setl_time: str | None
    med_type: str
    clr_type: str
    insutype: str
    amounts: dict[str, Decimal]
    balc: Decimal
    legs: tuple[Leg, ...]
    msgid: str | None = None
    status: str = "settled"
    init_setl_id: str | None = None
    revocation: tuple[str, str, str] | None = None  # 5203 of a revoked settlement: (setl_id, time, msgid)
    splits: tuple[LineSplit, ...] = field(default=())
    warnings: tuple[str, ...] = ()
    traced: frozenset[str] = frozenset()


def plan_amounts(plan: SettlementPlan) -> dict[str, Decimal]:
    return {
        "medfee_sumamt": plan.medfee_sumamt, "fulamt_ownpay_amt": plan.totals.fulamt,
        "overlmt_selfpay": plan.totals.overlmt, "preselfpay_amt": plan.totals.preself,
        "inscp_scp_amt": plan.totals.inscp, "act_pay_dedc": plan.fund.act_pay_dedc,
        "hifp_pay": plan.fund.hifp_pay, "fund_pay_sumamt": plan.fund_pay_sumamt,
        "psn_part_amt": plan.psn_part_amt, "acct_pay": plan.acct_pay, "acct_mulaid_pay": plan.acct_mulaid_pay,
        "wallet_pay": plan.wallet_pay, "psn_cash_pay": plan.psn_cash_pay,
    }


def balance_after(patient: Person, plan: SettlementPlan) -> Decimal:
    """The patient's own account balance after this plan is applied (0.00 without an account)."""
    return ZERO if patient.balance is None else patient.balance - plan.own_pay()


def row_amounts(row: SettlementRecord, sign: int = 1) -> dict[str, Decimal]:
    return {wire: from_fen(sign * int(getattr(row, f"{col}_fen"))) for wire, col in AMOUNT_COLUMNS.items()}


def ledger_legs(entries: list[LedgerEntry], sign: int = 1) -> tuple[Leg, ...]:
    """The payment legs (not the fund) of a settlement's `settle` ledger entries, in chain order."""
    return tuple(
        Leg(source=e.source, rank=e.rank, psn_no=e.psn_no or "", name=e.name,
            amount=from_fen(sign * int(e.amount_fen)), person_id=e.person_id, pool_row=e.pool_row,
            pool_id=e.pool_id, wallet_row=e.wallet_row, wallet_id=e.wallet_id)
        for e in entries if e.entry == "settle" and e.source != "fund"
    )
