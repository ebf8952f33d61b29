"""Pharmacy (2101/2102) and outpatient (2206/2207) pre-settlement and settlement.

A settlement is one write transaction: lock persons (ascending ids), the pool and the wallet, claim
the msgid, compute the plan from the locked values, check the payplan, then write every leg, the
accumulators, the settlement row and its ledger. Any refusal rolls the whole transaction back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from simulator.domain.chain import Leg, PayerContext
from simulator.domain.models import FeeLine
from simulator.domain.money import from_fen, to_fen
from simulator.domain.payplan import ExpContent, check_payplan
from simulator.domain.plan import SettlementPlan, plan_settlement
from simulator.domain.refusals import (
    AlreadySettled,
    AmountMismatch,
    InsutypeMismatch,
    MedfeeMismatch,
    NoFeeLines,
)
from simulator.domain.views import AMOUNT_COLUMNS, SettlementView, balance_after, plan_amounts
from simulator.platform.base import PlatformBase, RequestMeta
from simulator.platform.catalogue.lookup import line_catalogue
from simulator.platform.context import payer_context
from simulator.platform.ports import TxPort

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


def leg_target(leg: Leg) -> tuple[str, int]:
    """Which balance a leg moves: a person's account, a pool or a wallet."""
    if leg.source == "pool" and leg.pool_row is not None:
        return "pool", leg.pool_row
    if leg.source == "wallet" and leg.wallet_row is not None:
        return "wallet", leg.wallet_row
    if leg.person_id is None:
        raise AssertionError(f"leg without a balance: {leg}")
    return "account", leg.person_id


def ledger_entry(setl_id: str, entry: str, leg: Leg, sign: int, msgid: str, at: str) -> dict[str, Any]:
    return {"setl_id": setl_id, "entry": entry, "source": leg.source, "rank": leg.rank,
            "person_id": leg.person_id, "psn_no": leg.psn_no, "pool_row": leg.pool_row, "pool_id": leg.pool_id,
            "wallet_row": leg.wallet_row, "wallet_id": leg.wallet_id, "name": leg.name,
            "amount_fen": sign * to_fen(leg.amount), "msgid": msgid, "at": at}


class SettleOps(PlatformBase):
    """2101/2102/2206/2207."""

    def _context(self, tx: TxPort, meta: RequestMeta, inp: SettleInput, lock: bool) -> PayerContext:
        institution = self.institution(tx, meta.fixmedins_code)
        patient = self.patient(tx, inp.psn_no)
        self.check_insuplc(meta, patient)
        if inp.insutype and inp.insutype != patient.insutype:
            raise InsutypeMismatch(insutype=inp.insutype, insured=patient.insutype)
        self.check_certificate(tx, patient, inp.cert_type, inp.cert_no, inp.card_sn)
        return payer_context(tx, patient, institution, self.policy_of(tx, patient, institution), lock)

    def _plan(self, tx: TxPort, ctx: PayerContext, lines: Sequence[FeeLine], inp: SettleInput) -> SettlementPlan:
        found = line_catalogue(tx.catalogue(), (line.code for line in lines), self.today())
        plan = replace(plan_settlement(ctx, lines, found.items, inp.med_type, inp.use_account, inp.exp.use_wallet,
                                       self.today()), warnings=found.warnings)
        if plan.medfee_sumamt != inp.medfee_sumamt:
            raise MedfeeMismatch(medfee_sumamt=inp.medfee_sumamt, lines_total=plan.medfee_sumamt)
        return plan

    # pharmacy --------------------------------------------------------------------------------
    def pharmacy(self, meta: RequestMeta, inp: SettleInput, commit: bool) -> SettlementView:
        """2101 (commit=False: computes, changes nothing) or 2102 (settles)."""
        if not commit:
            with self.store.read() as tx:
                ctx = self._context(tx, meta, inp, lock=False)
                self.check_unused(tx, meta)
                view = self._view(ctx, self._plan(tx, ctx, inp.lines, inp), "", None, inp.med_type, "41")
            self.claim_read_only(meta, inp.psn_no)
            return view
        serials = (self.ids.serial("setl"), self.ids.serial("mdtrt"))
        with self.store.write() as tx:
            ctx = self._context(tx, meta, inp, lock=commit)
            admdvs = ctx.institution.admdvs
            setl_id, mdtrt_id = self.ids.setl_id(admdvs, serials[0]), self.ids.mdtrt_id(admdvs, serials[1])
            self.claim(tx, meta, inp.psn_no, setl_id)
            plan = self._plan(tx, ctx, inp.lines, inp)
            if inp.exp.payplan is not None:
                check_payplan(inp.exp.payplan, plan.legs)
            tx.insert_visit(mdtrt_id=mdtrt_id, person_id=ctx.patient.id, fixmedins_code=meta.fixmedins_code,
                            kind="pharmacy", insutype=ctx.patient.insutype, med_type=inp.med_type,
                            status="registered", begntime=inp.begntime or self.now_stamp(),
                            ipt_otp_no=meta.msgid, diseinfo=None)
            tx.insert_lines([{"mdtrt_id": mdtrt_id, "feedetl_sn": s.line.feedetl_sn, "chrg_bchno": "",
                              "code": s.line.code, "name": s.line.name, "cnt": str(s.line.cnt),
                              "pric": str(s.line.pric), "amt_fen": to_fen(s.line.amt), "setl_id": setl_id}
                             for s in plan.splits])
            return self._commit(tx, meta, ctx, plan, setl_id, mdtrt_id, inp.med_type, "41")

    # outpatient ------------------------------------------------------------------------------
    def outpatient(self, meta: RequestMeta, inp: SettleInput, commit: bool) -> SettlementView:
        """2206 (commit=False) or 2207 over the visit's unsettled lines of the batch."""
        if not commit:
            with self.store.read() as tx:
                ctx = self._context(tx, meta, inp, lock=False)
                self.check_unused(tx, meta)
                plan = self._batch_plan(tx, meta, ctx, inp, lock=False)[1]
                view = self._view(ctx, plan, inp.mdtrt_id, None, inp.med_type, "11")
            self.claim_read_only(meta, inp.psn_no)
            return view
        serial = self.ids.serial("setl")
        with self.store.write() as tx:
            ctx = self._context(tx, meta, inp, lock=commit)
            setl_id = self.ids.setl_id(ctx.institution.admdvs, serial)
            self.claim(tx, meta, inp.psn_no, setl_id)
            rows, plan = self._batch_plan(tx, meta, ctx, inp, lock=True)
            if inp.exp.payplan is not None:
                check_payplan(inp.exp.payplan, plan.legs)
            tx.set_lines_settlement([r.id for r in rows], setl_id)
            return self._commit(tx, meta, ctx, plan, setl_id, inp.mdtrt_id, inp.med_type, "11")

    def _batch_plan(self, tx: TxPort, meta: RequestMeta, ctx: PayerContext, inp: SettleInput,
                    lock: bool) -> tuple[list[Any], SettlementPlan]:
        """The visit's unsettled lines of the batch and their plan (declared amounts checked)."""
        rows = self._batch(tx, meta, ctx, inp, lock=lock)
        lines = [FeeLine(r.feedetl_sn, r.code, r.name, Decimal(r.cnt), Decimal(r.pric), from_fen(r.amt_fen),
                         r.chrg_bchno) for r in rows]
        plan = self._plan(tx, ctx, lines, inp)
        self._check_declared(plan, inp.declared)
        return rows, plan

    def _batch(self, tx: TxPort, meta: RequestMeta, ctx: PayerContext, inp: SettleInput, lock: bool) -> list[Any]:
        self.open_visit(tx, meta, inp.mdtrt_id, ctx.patient, lock, then="，不能结算")
        every = tx.lines_of(inp.mdtrt_id)
        in_batch = [r for r in every if inp.chrg_bchno in ("", "0000") or r.chrg_bchno == inp.chrg_bchno]
        rows = [r for r in in_batch if r.setl_id is None]
        if not rows and in_batch:
            raise AlreadySettled(chrg_bchno=inp.chrg_bchno or '0000')
        if not rows:
            raise NoFeeLines()
        return rows

    @staticmethod
    def _check_declared(plan: SettlementPlan, declared: dict[str, Decimal]) -> None:
        mine = plan_amounts(plan)
        for name in DECLARED:
            if name in declared and declared[name] != mine[name]:
                raise AmountMismatch(name=name, declared=declared[name], mine=mine[name])

    # shared ----------------------------------------------------------------------------------
    def _view(self, ctx: PayerContext, plan: SettlementPlan, mdtrt_id: str, setl_id: str | None,
              med_type: str, clr_type: str, setl_time: str | None = None, msgid: str | None = None) -> SettlementView:
        return SettlementView(
            patient=ctx.patient, institution=ctx.institution, mdtrt_id=mdtrt_id, setl_id=setl_id,
            setl_time=setl_time, med_type=med_type, clr_type=clr_type, insutype=ctx.patient.insutype,
            amounts=plan_amounts(plan), balc=balance_after(ctx.patient, plan), legs=plan.legs, msgid=msgid,
            splits=plan.splits, warnings=plan.warnings,
        )

    def _commit(self, tx: TxPort, meta: RequestMeta, ctx: PayerContext, plan: SettlementPlan, setl_id: str,
                mdtrt_id: str, med_type: str, clr_type: str) -> SettlementView:
        """Write every leg, the accumulators, the settlement row and its ledger."""
        now, patient = self.now_stamp(), ctx.patient
        for leg in plan.legs:
            tx.move(*leg_target(leg), -to_fen(leg.amount))
        tx.set_accumulators(patient.id, to_fen(plan.fund.act_pay_dedc), to_fen(plan.fund.hifp_pay))
        view = self._view(ctx, plan, mdtrt_id, setl_id, med_type, clr_type, now, meta.msgid)
        amounts = {f"{col}_fen": to_fen(view.amounts[wire]) for wire, col in AMOUNT_COLUMNS.items()}
        tx.insert_settlement(setl_id=setl_id, mdtrt_id=mdtrt_id, person_id=patient.id, psn_no=patient.psn_no,
                             fixmedins_code=meta.fixmedins_code, msgid=meta.msgid, infno=meta.infno,
                             clr_type=clr_type, med_type=med_type, insutype=patient.insutype,
                             clr_optins=patient.insuplc, setl_time=now, status="settled",
                             balc_fen=to_fen(view.balc), **amounts)
        fund = Leg("fund", None, patient.psn_no, patient.name, plan.fund.hifp_pay, person_id=patient.id)
        legs = ((fund,) if plan.fund.hifp_pay else ()) + plan.legs
        tx.insert_ledger([ledger_entry(setl_id, "settle", leg, 1, meta.msgid, now) for leg in legs])
        return view
