"""Revoke (2103/2208), reversal of an unknown outcome (2601) and settlement query (5203).

Every leg goes back exactly where the ledger says it came from, even if the binding has ended.
"""

from __future__ import annotations

from dataclasses import replace

from simulator.domain.chain import Leg
from simulator.domain.models import Person
from simulator.domain.money import ZERO, from_fen, to_fen
from simulator.domain.records import LedgerEntry, LedgerKind, MessageRecord, SettlementRecord
from simulator.domain.refusals import (
    AlreadyRevoked,
    NotReversible,
    OinfnoMismatch,
    OriginalMismatch,
    OriginalUnknown,
    SettlementMismatch,
    SettlementUnknown,
    WrongRevoke,
)
from simulator.domain.requests import RequestMeta, check_insuplc, msgid_institution
from simulator.domain.views import SettlementView, ledger_legs, row_amounts
from simulator.platform.catalogue.trace import resell_codes
from simulator.platform.deps import Deps
from simulator.platform.ports import UnitOfWork
from simulator.platform.settlement.settle import leg_target

SETTLING, REVOKING = ("2102", "2207"), ("2103", "2208")
CLR_OF = {"2103": "41", "2208": "11", "2102": "41", "2207": "11"}


def undo_entry(e: LedgerEntry, entry: LedgerKind, sign: int, msgid: str, at: str) -> LedgerEntry:
    """A copy of a settle entry for its revoke or reversal: same leg, `sign` times the amount."""
    return replace(e, id=0, entry=entry, amount_fen=sign * e.amount_fen, msgid=msgid, at=at)


class RevokeOps:
    """Undo and look up settlements."""

    def __init__(self, deps: Deps) -> None:
        self.store, self.clock, self.ids = deps.store, deps.clock, deps.ids
        self.lookups, self.msgids = deps.lookups, deps.msgids

    def _settlement(self, uow: UnitOfWork, meta: RequestMeta, setl_id: str, psn_no: str,
                    mdtrt_id: str) -> SettlementRecord:
        row = uow.settlements.get(setl_id, lock=True)
        if row is None or row.fixmedins_code != meta.fixmedins_code:
            raise SettlementUnknown(setl_id=setl_id)
        if psn_no and row.psn_no != psn_no:
            raise SettlementMismatch(field="人员编号 psn_no")
        if mdtrt_id and row.mdtrt_id != mdtrt_id:
            raise SettlementMismatch(field="就诊ID mdtrt_id")
        return row

    @staticmethod
    def _lock_legs(uow: UnitOfWork, patient_id: int, legs: tuple[Leg, ...]) -> dict[int, Person]:
        """Lock in the fixed order: persons ascending, then pools, then wallets."""
        ids = {patient_id} | {leg.person_id for leg in legs if leg.person_id is not None}
        people = uow.persons.by_ids(ids, lock=True)
        uow.pools.by_rows([leg.pool_row for leg in legs if leg.pool_row is not None], lock=True)
        uow.wallets.by_rows([leg.wallet_row for leg in legs if leg.wallet_row is not None], lock=True)
        return people

    def _undo(self, uow: UnitOfWork, meta: RequestMeta, row: SettlementRecord,
              entry: LedgerKind) -> tuple[Person, list[LedgerEntry]]:
        """Put every leg back, take the accumulators back out, write negated ledger entries."""
        entries = uow.settlements.entries_of(row.setl_id)
        legs = ledger_legs(entries)
        people = self._lock_legs(uow, row.person_id, legs)
        for leg in legs:
            uow.balances.move(*leg_target(leg), to_fen(leg.amount))
        uow.persons.add_to_accumulators(row.person_id, -row.dedc_fen, -row.hifp_fen)
        now = self.clock.stamp()
        uow.settlements.add_entries([undo_entry(e, entry, -1, meta.msgid, now) for e in entries
                                     if e.entry == "settle"])
        return people[row.person_id], entries

    # 2103 / 2208 -----------------------------------------------------------------------------
    def revoke(self, meta: RequestMeta, setl_id: str, mdtrt_id: str, psn_no: str) -> SettlementView:
        serial = self.ids.serial("setl")
        with self.store.write() as uow:
            self.msgids.claim(uow, meta, psn_no, setl_id)
            row = self._settlement(uow, meta, setl_id, psn_no, mdtrt_id)
            if row.clr_type != CLR_OF[meta.infno]:
                kind = "药店购药" if row.clr_type == "41" else "门诊"
                raise WrongRevoke(kind=kind)
            if row.status != "settled":
                raise AlreadyRevoked(setl_id=setl_id)
            patient = self.lookups.patient(uow, row.psn_no)
            check_insuplc(meta, patient)
            institution = self.lookups.institution(uow, row.fixmedins_code)
            patient_before, entries = self._undo(uow, meta, row, "revoke")
            revoke_id, now = self.ids.setl_id(institution.admdvs, serial), self.clock.stamp()
            uow.settlements.save(replace(row, status="revoked", revoke_setl_id=revoke_id, revoke_msgid=meta.msgid,
                                         revoked_at=now))
            if row.clr_type == "11":
                uow.visits.release_lines(setl_id)
            uow.trace_codes.release(setl_id, back_to_visit=row.clr_type == "11", at=now)
            own_back = sum((leg.amount for leg in ledger_legs(entries) if leg.source == "own"), ZERO)
            balc = ZERO if patient_before.balance is None else patient_before.balance + own_back
            return SettlementView(
                patient=patient_before, institution=institution, mdtrt_id=row.mdtrt_id, setl_id=revoke_id,
                setl_time=now, med_type=row.med_type, clr_type=row.clr_type, insutype=row.insutype,
                amounts=row_amounts(row, -1), balc=balc, legs=ledger_legs(entries, -1),
                msgid=meta.msgid, status="revoked", init_setl_id=setl_id)

    # 2601 ------------------------------------------------------------------------------------
    def reverse(self, meta: RequestMeta, psn_no: str, omsgid: str, oinfno: str) -> str:
        """Undo the original if it committed, else mark its msgid dead. Returns what happened."""
        if oinfno not in SETTLING + REVOKING:
            raise NotReversible(detail=f"交易 {oinfno} 不支持冲正（仅 2102/2103/2207/2208）")
        if msgid_institution(omsgid) != meta.fixmedins_code:  # exact: "H61" must not reverse "H6101..."
            raise OriginalUnknown(detail=f"原报文 omsgid {omsgid} 不属于本机构 {meta.fixmedins_code}，不能冲正")
        with self.store.write() as uow:
            self.msgids.claim(uow, meta, psn_no)
            original = uow.messages.get(omsgid, lock=True)
            if original is None:
                uow.messages.add(MessageRecord(omsgid, oinfno, meta.fixmedins_code, psn_no, "dead", None,
                                               self.clock.stamp()))
                return "marked_dead"
            if original.fixmedins_code != meta.fixmedins_code:
                raise OriginalUnknown(detail=f"原报文 {omsgid} 不属于本机构")
            if original.infno != oinfno:
                raise OinfnoMismatch(oinfno=oinfno, infno=original.infno)
            if original.status in ("dead", "reversed"):
                return "already_reversed"
            row = uow.settlements.get(original.setl_id, lock=True) if original.setl_id else None
            if row is None:
                raise AssertionError(f"committed message {omsgid} without settlement")
            if row.psn_no != psn_no:
                raise OriginalMismatch(omsgid=omsgid, psn_no=psn_no)
            if oinfno in SETTLING:
                self._reverse_settlement(uow, meta, row)
            else:
                self._reverse_revoke(uow, meta, row)
            uow.messages.set_status(omsgid, "reversed")
            return "reversed"

    def _reverse_settlement(self, uow: UnitOfWork, meta: RequestMeta, row: SettlementRecord) -> None:
        if row.status != "settled":
            return  # already revoked: the money is back, nothing more to undo
        self._undo(uow, meta, row, "reverse")
        uow.settlements.save(replace(row, status="reversed", revoked_at=self.clock.stamp()))
        if row.clr_type == "11":
            uow.visits.release_lines(row.setl_id)
        uow.trace_codes.release(row.setl_id, back_to_visit=row.clr_type == "11", at=self.clock.stamp())

    def _reverse_revoke(self, uow: UnitOfWork, meta: RequestMeta, row: SettlementRecord) -> None:
        if row.status != "revoked":
            raise NotReversible(detail="原撤销交易的结算状态已变化，不能冲正")
        settled_by = uow.messages.get(row.msgid)  # not locked: the settlement row (locked) serialises reversals
        if settled_by is not None and settled_by.status == "reversed":
            raise NotReversible(detail=f"原结算报文 {row.msgid} 已冲正，不能再冲正其撤销交易（否则会重新扣款）")
        if row.clr_type == "11":
            lines = [r for r in uow.visits.lines_of(row.mdtrt_id) if r.revoked_setl_id == row.setl_id]
            if not lines or any(r.setl_id is not None for r in lines):
                raise NotReversible(detail="原撤销后费用已重新结算或删除，不能冲正")
            uow.visits.settle_lines([r.id for r in lines], row.setl_id)
        resell_codes(uow.trace_codes, row, [r.feedetl_sn for r in uow.visits.lines_of(row.mdtrt_id)
                                             if r.setl_id == row.setl_id], self.clock.stamp())
        entries = uow.settlements.entries_of(row.setl_id)
        legs = ledger_legs(entries)
        self._lock_legs(uow, row.person_id, legs)
        for leg in legs:
            uow.balances.move(*leg_target(leg), -to_fen(leg.amount))
        uow.persons.add_to_accumulators(row.person_id, row.dedc_fen, row.hifp_fen)
        now = self.clock.stamp()
        uow.settlements.add_entries([undo_entry(e, "reverse", 1, meta.msgid, now) for e in entries
                                     if e.entry == "settle"])
        uow.settlements.save(replace(row, status="settled", revoke_setl_id=None, revoke_msgid=None, revoked_at=None))

    # 5203 ------------------------------------------------------------------------------------
    def query(self, meta: RequestMeta, psn_no: str, setl_id: str, mdtrt_id: str) -> SettlementView:
        with self.store.write() as uow:
            self.msgids.claim(uow, meta, psn_no)
            row = self._settlement(uow, meta, setl_id, psn_no, mdtrt_id)
            patient = self.lookups.patient(uow, row.psn_no)
            return SettlementView(
                patient=patient, institution=self.lookups.institution(uow, row.fixmedins_code), mdtrt_id=row.mdtrt_id,
                setl_id=row.setl_id, setl_time=row.setl_time, med_type=row.med_type, clr_type=row.clr_type,
                insutype=row.insutype, amounts=row_amounts(row), balc=from_fen(row.balc_fen),
                legs=ledger_legs(uow.settlements.entries_of(setl_id)), msgid=row.msgid, status=row.status,
                revocation=(str(row.revoke_setl_id), str(row.revoked_at), str(row.revoke_msgid))
                if row.status == "revoked" and row.revoke_setl_id else None)
