"""Pharmacy (2101/2102), outpatient (2206/2207) and inpatient (2303/2304) pre-settlement and settlement.

A settlement is one write transaction: lock persons (ascending ids), the pool and the wallet, claim
the msgid, compute the plan from the locked values, check the payplan, then write every leg, the
accumulators, the settlement row and its ledger. Any refusal rolls the whole transaction back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from simulator.domain.chain import Leg, PayerContext
from simulator.domain.fund import InpatientYear
from simulator.domain.models import FeeLine
from simulator.domain.money import from_fen, to_fen
from simulator.domain.payplan import ExpContent, check_payplan
from simulator.domain.plan import SettlementPlan, plan_settlement
from simulator.domain.records import BalanceKind, FeeLineRecord, LedgerEntry, SettlementRecord, VisitRecord
from simulator.domain.refusals import (
    AlreadySettled,
    AmountMismatch,
    InsutypeMismatch,
    MedfeeMismatch,
    NoFeeLines,
    StayNotDischarged,
    StaySettled,
)
from simulator.domain.requests import RequestMeta, check_insuplc
from simulator.domain.views import SettlementView, balance_after, plan_amounts
from simulator.platform.catalogue.lookup import check_mapped, line_catalogue
from simulator.platform.catalogue.trace import check_sale_codes, sold_records
from simulator.platform.context import payer_context
from simulator.platform.deps import Deps
from simulator.platform.inpatient.stays import open_stay
from simulator.platform.ports import UnitOfWork

DECLARED = ("fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt")


@dataclass(frozen=True)
class SettleInput:
    """A pre-settlement or settlement request, parsed from the wire."""

    psn_no: str
    cert_type: str
    cert_no: str
    med_type: str
    insutype: str
    medfee_sumamt: Decimal
    use_account: bool
    exp: ExpContent
    card_sn: str = ""
    begntime: str = ""
    lines: tuple[FeeLine, ...] = ()
    mdtrt_id: str = ""
    chrg_bchno: str = ""
    declared: dict[str, Decimal] = field(default_factory=dict)


def leg_target(leg: Leg) -> tuple[BalanceKind, int]:
    """Which balance a leg moves: a person's account, a pool or a wallet."""
    if leg.source == "pool" and leg.pool_row is not None:
        return "pool", leg.pool_row
    if leg.source == "wallet" and leg.wallet_row is not None:
        return "wallet", leg.wallet_row
    if leg.person_id is None:
        raise AssertionError(f"leg without a balance: {leg}")
    return "account", leg.person_id


def ledger_entry(setl_id: str, leg: Leg, msgid: str, at: str) -> LedgerEntry:
    """The settle entry of one leg (the fund's share, or a payer's)."""
    return LedgerEntry(0, setl_id, "settle", leg.source, leg.rank, leg.person_id, leg.psn_no, leg.pool_row,
                       leg.pool_id, leg.wallet_row, leg.wallet_id, leg.name, to_fen(leg.amount), msgid, at)


def line_record(mdtrt_id: str, line: FeeLine, setl_id: str | None) -> FeeLineRecord:
    return FeeLineRecord(0, mdtrt_id, line.feedetl_sn, line.chrg_bchno, line.code, line.name, str(line.cnt),
                         str(line.pric), to_fen(line.amt), setl_id)


class SettleOps:
    """2101/2102/2206/2207."""

    def __init__(self, deps: Deps) -> None:
        self.store, self.clock, self.ids = deps.store, deps.clock, deps.ids
        self.lookups, self.msgids = deps.lookups, deps.msgids

    def _context(self, uow: UnitOfWork, meta: RequestMeta, inp: SettleInput, lock: bool) -> PayerContext:
        institution = self.lookups.institution(uow, meta.fixmedins_code)
        patient = self.lookups.patient(uow, inp.psn_no)
        check_insuplc(meta, patient)
        if inp.insutype and inp.insutype != patient.insutype:
            raise InsutypeMismatch(insutype=inp.insutype, insured=patient.insutype)
        self.lookups.check_certificate(uow, patient, inp.cert_type, inp.cert_no, inp.card_sn)
        return payer_context(uow, patient, institution, self.lookups.policy_of(uow, patient, institution), lock)

    def _plan(self, uow: UnitOfWork, ctx: PayerContext, lines: Sequence[FeeLine], inp: SettleInput,
              inpatient: InpatientYear | None = None) -> SettlementPlan:
        check_mapped(uow.catalogue, ctx.institution.code, lines)
        found = line_catalogue(uow.catalogue, (line.code for line in lines), self.clock.today())
        check_sale_codes(uow.trace_codes, lines, found)
        plan = replace(plan_settlement(ctx, lines, found.items, inp.med_type, inp.use_account, inp.exp.use_wallet,
                                       self.clock.today(), inpatient), warnings=found.warnings, traced=found.traced_codes())
        if plan.medfee_sumamt != inp.medfee_sumamt:
            raise MedfeeMismatch(medfee_sumamt=inp.medfee_sumamt, lines_total=plan.medfee_sumamt)
        return plan

    # pharmacy --------------------------------------------------------------------------------
    def pharmacy(self, meta: RequestMeta, inp: SettleInput, commit: bool) -> SettlementView:
        """2101 (commit=False: computes, changes nothing) or 2102 (settles)."""
        if not commit:
            with self.store.read() as uow:
                ctx = self._context(uow, meta, inp, lock=False)
                self.msgids.check_unused(uow, meta)
                view = self._view(ctx, self._plan(uow, ctx, inp.lines, inp), "", None, inp.med_type, "41")
            self.msgids.claim_read_only(meta, inp.psn_no)
            return view
        serials = (self.ids.serial("setl"), self.ids.serial("mdtrt"))
        with self.store.write() as uow:
            ctx = self._context(uow, meta, inp, lock=commit)
            admdvs = ctx.institution.admdvs
            setl_id, mdtrt_id = self.ids.setl_id(admdvs, serials[0]), self.ids.mdtrt_id(admdvs, serials[1])
            self.msgids.claim(uow, meta, inp.psn_no, setl_id)
            plan = self._plan(uow, ctx, inp.lines, inp)
            if inp.exp.payplan is not None:
                check_payplan(inp.exp.payplan, plan.legs)
            uow.visits.add(VisitRecord(0, mdtrt_id, ctx.patient.id, meta.fixmedins_code, "pharmacy",
                                       ctx.patient.insutype, inp.med_type, "registered",
                                       inp.begntime or self.clock.stamp(), meta.msgid, None))
            uow.visits.add_lines([line_record(mdtrt_id, replace(s.line, chrg_bchno=""), setl_id)
                                  for s in plan.splits])
            view = self._commit(uow, meta, ctx, plan, setl_id, mdtrt_id, inp.med_type, "41")
            uow.trace_codes.sell(mdtrt_id, sold_records(inp.lines, setl_id, meta.fixmedins_code, self.clock.stamp()))
            return view

    # outpatient ------------------------------------------------------------------------------
    def outpatient(self, meta: RequestMeta, inp: SettleInput, commit: bool) -> SettlementView:
        """2206 (commit=False) or 2207 over the visit's unsettled lines of the batch."""
        if not commit:
            return self._preview(meta, inp, self._batch_plan, inp.med_type, "11")
        serial = self.ids.serial("setl")
        with self.store.write() as uow:
            ctx = self._context(uow, meta, inp, lock=commit)
            setl_id = self.ids.setl_id(ctx.institution.admdvs, serial)
            self.msgids.claim(uow, meta, inp.psn_no, setl_id)
            rows, plan = self._batch_plan(uow, meta, ctx, inp, lock=True)
            if inp.exp.payplan is not None:
                check_payplan(inp.exp.payplan, plan.legs)
            uow.visits.settle_lines([r.id for r in rows], setl_id)
            uow.trace_codes.settle_uploaded(inp.mdtrt_id, [r.feedetl_sn for r in rows], setl_id, self.clock.stamp())
            return self._commit(uow, meta, ctx, plan, setl_id, inp.mdtrt_id, inp.med_type, "11")

    def _preview(self, meta: RequestMeta, inp: SettleInput, planner: Callable[..., tuple[Any, SettlementPlan]],
                 med_type: str, clr_type: str) -> SettlementView:
        """2206/2303: the plan of the lines `planner` picks, computed in a read transaction; changes nothing."""
        with self.store.read() as uow:
            ctx = self._context(uow, meta, inp, lock=False)
            self.msgids.check_unused(uow, meta)
            plan = planner(uow, meta, ctx, inp, lock=False)[1]
            view = self._view(ctx, plan, inp.mdtrt_id, None, med_type, clr_type)
        self.msgids.claim_read_only(meta, inp.psn_no)
        return view

    def _batch_plan(self, uow: UnitOfWork, meta: RequestMeta, ctx: PayerContext, inp: SettleInput,
                    lock: bool) -> tuple[list[FeeLineRecord], SettlementPlan]:
        """The visit's unsettled lines of the batch and their plan (declared amounts checked)."""
        rows = self._batch(uow, meta, ctx, inp, lock=lock)
        codes = uow.trace_codes.uploaded(inp.mdtrt_id)
        lines = [FeeLine(r.feedetl_sn, r.code, r.name, Decimal(r.cnt), Decimal(r.pric), from_fen(r.amt_fen),
                         r.chrg_bchno, tuple(codes.get(r.feedetl_sn, ()))) for r in rows]
        plan = self._plan(uow, ctx, lines, inp)
        self._check_declared(plan, inp.declared, "2206")
        return rows, plan

    def _batch(self, uow: UnitOfWork, meta: RequestMeta, ctx: PayerContext, inp: SettleInput,
               lock: bool) -> list[FeeLineRecord]:
        self.lookups.open_visit(uow, meta, inp.mdtrt_id, ctx.patient, lock, then="，不能结算")
        every = uow.visits.lines_of(inp.mdtrt_id)
        in_batch = [r for r in every if inp.chrg_bchno in ("", "0000") or r.chrg_bchno == inp.chrg_bchno]
        rows = [r for r in in_batch if r.setl_id is None]
        if not rows and in_batch:
            raise AlreadySettled(chrg_bchno=inp.chrg_bchno or '0000')
        if not rows:
            raise NoFeeLines(upload="2204")
        return rows

    # inpatient -------------------------------------------------------------------------------
    def inpatient(self, meta: RequestMeta, inp: SettleInput, commit: bool) -> SettlementView:
        """2303 (commit=False: computes, changes nothing) or 2304: a discharged stay's fee lines, settled once
        with the per-admission deductible and the inpatient cap (docs/domain.md §2.7)."""
        if not commit:
            return self._preview(meta, inp, self._stay_plan, "21", "21")
        serial = self.ids.serial("setl")
        with self.store.write() as uow:
            ctx = self._context(uow, meta, inp, lock=True)
            setl_id = self.ids.setl_id(ctx.institution.admdvs, serial)
            self.msgids.claim(uow, meta, inp.psn_no, setl_id)
            line_ids, plan = self._stay_plan(uow, meta, ctx, inp, lock=True)
            if inp.exp.payplan is not None:
                check_payplan(inp.exp.payplan, plan.legs)
            uow.stays.settle_lines(line_ids, setl_id)
            stay = uow.stays.get(inp.mdtrt_id, lock=True)
            assert stay is not None
            uow.stays.save(replace(stay, status="settled", setl_id=setl_id))
            return self._commit(uow, meta, ctx, plan, setl_id, inp.mdtrt_id, "21", "21")

    def _stay_plan(self, uow: UnitOfWork, meta: RequestMeta, ctx: PayerContext, inp: SettleInput,
                   lock: bool) -> tuple[list[int], SettlementPlan]:
        """The discharged stay's unsettled lines and their plan against the patient's inpatient year."""
        stay = open_stay(uow, meta, inp.mdtrt_id, ctx.patient, lock, then="，不能结算")
        if stay.status == "settled":
            raise StaySettled(setl_id=stay.setl_id, then="不能重复结算")
        if stay.status == "admitted":
            raise StayNotDischarged(then="不能结算")
        rows = [r for r in uow.stays.lines(inp.mdtrt_id) if r.setl_id is None]
        if not rows:
            raise NoFeeLines(upload="2301")
        lines = [FeeLine(r.feedetl_sn, r.code, r.name, Decimal(r.cnt), Decimal(r.pric), from_fen(r.amt_fen))
                 for r in rows]
        year = uow.stays.year(ctx.patient.id, self.clock.today().year)
        plan = self._plan(uow, ctx, lines, inp, InpatientYear(from_fen(year.fund_fen), year.stays))
        self._check_declared(plan, inp.declared, "2303")
        return [r.id for r in rows], plan

    @staticmethod
    def _check_declared(plan: SettlementPlan, declared: dict[str, Decimal], presettle: str) -> None:
        mine = plan_amounts(plan)
        for name in DECLARED:
            if name in declared and declared[name] != mine[name]:
                raise AmountMismatch(name=name, declared=declared[name], mine=mine[name], presettle=presettle)

    # shared ----------------------------------------------------------------------------------
    def _view(self, ctx: PayerContext, plan: SettlementPlan, mdtrt_id: str, setl_id: str | None,
              med_type: str, clr_type: str, setl_time: str | None = None, msgid: str | None = None) -> SettlementView:
        return SettlementView(
            patient=ctx.patient, institution=ctx.institution, mdtrt_id=mdtrt_id, setl_id=setl_id,
            setl_time=setl_time, med_type=med_type, clr_type=clr_type, insutype=ctx.patient.insutype,
            amounts=plan_amounts(plan), balc=balance_after(ctx.patient, plan), legs=plan.legs, msgid=msgid,
            splits=plan.splits, warnings=plan.warnings, traced=plan.traced,
        )

    def _commit(self, uow: UnitOfWork, meta: RequestMeta, ctx: PayerContext, plan: SettlementPlan, setl_id: str,
                mdtrt_id: str, med_type: str, clr_type: str) -> SettlementView:
        """Write every leg, the accumulators, the settlement row and its ledger."""
        now, patient = self.clock.stamp(), ctx.patient
        for leg in plan.legs:
            uow.balances.move(*leg_target(leg), -to_fen(leg.amount))
        if clr_type == "21":  # a stay: the inpatient year (§2.7), not the outpatient accumulators
            uow.stays.add_to_year(patient.id, int(now[:4]), to_fen(plan.fund.hifp_pay), 1)
        else:
            uow.persons.add_to_accumulators(patient.id, to_fen(plan.fund.act_pay_dedc), to_fen(plan.fund.hifp_pay))
        view = self._view(ctx, plan, mdtrt_id, setl_id, med_type, clr_type, now, meta.msgid)
        a = {wire: to_fen(amount) for wire, amount in view.amounts.items()}
        uow.settlements.add(SettlementRecord(
            id=0, setl_id=setl_id, mdtrt_id=mdtrt_id, person_id=patient.id, psn_no=patient.psn_no,
            fixmedins_code=meta.fixmedins_code, msgid=meta.msgid, infno=meta.infno, clr_type=clr_type,
            med_type=med_type, insutype=patient.insutype, clr_optins=patient.insuplc, setl_time=now,
            status="settled", medfee_fen=a["medfee_sumamt"], fulamt_fen=a["fulamt_ownpay_amt"],
            overlmt_fen=a["overlmt_selfpay"], preself_fen=a["preselfpay_amt"], inscp_fen=a["inscp_scp_amt"],
            dedc_fen=a["act_pay_dedc"], hifp_fen=a["fund_pay_sumamt"], psn_part_fen=a["psn_part_amt"],
            acct_fen=a["acct_pay"], mulaid_fen=a["acct_mulaid_pay"], wallet_fen=a["wallet_pay"],
            cash_fen=a["psn_cash_pay"], balc_fen=to_fen(view.balc), revoke_setl_id=None, revoke_msgid=None,
            revoked_at=None))
        fund = Leg("fund", None, patient.psn_no, patient.name, plan.fund.hifp_pay, person_id=patient.id)
        legs = ((fund,) if plan.fund.hifp_pay else ()) + plan.legs
        uow.settlements.add_entries([ledger_entry(setl_id, leg, meta.msgid, now) for leg in legs])
        return view
