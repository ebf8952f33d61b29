"""The memory repositories of the money flow and the world's reference data: visits and fee lines,
settlements and ledger, messages, institutions/policies/catalogue/handles, sign-ins, codes, files
(people.py holds persons, balances and the family aggregates)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Literal

from simulator.domain.models import Institution
from simulator.domain.records import (
    EvoucherRecord,
    FeeLineRecord,
    LedgerEntry,
    MessageRecord,
    MessageStatus,
    SettlementRecord,
    SigninRecord,
    SpendingRecord,
    StoredFile,
    TokenRecord,
    VisitRecord,
)
from simulator.domain.refusals import Duplicate
from simulator.store.memory.people import unique as _unique
from simulator.store.memory.state import Tables


class MemoryVisits:
    def __init__(self, t: Tables) -> None:
        self.t = t

    def get(self, mdtrt_id: str, lock: bool = False) -> VisitRecord | None:
        return self.t.visits.get(mdtrt_id)

    def add(self, visit: VisitRecord) -> None:
        _unique(self.t.visits, visit.mdtrt_id)
        self.t.visits[visit.mdtrt_id] = replace(visit, id=self.t.next_id("visits"))

    def save(self, visit: VisitRecord) -> None:
        found = self.t.visits.get(visit.mdtrt_id)
        if found is not None:
            self.t.visits[visit.mdtrt_id] = replace(found, status=visit.status, med_type=visit.med_type,
                                                    diseinfo=visit.diseinfo)

    def lines_of(self, mdtrt_id: str) -> list[FeeLineRecord]:
        return [line for _, line in sorted(self.t.fee_lines.items()) if line.mdtrt_id == mdtrt_id]

    def add_lines(self, lines: Sequence[FeeLineRecord]) -> None:
        for line in lines:
            _unique(((x.mdtrt_id, x.feedetl_sn) for x in self.t.fee_lines.values()), (line.mdtrt_id, line.feedetl_sn))
            row = self.t.next_id("fee_lines")
            self.t.fee_lines[row] = replace(line, id=row)

    def delete_lines(self, line_ids: Sequence[int]) -> None:
        for row in line_ids:
            self.t.fee_lines.pop(row, None)

    def settle_lines(self, line_ids: Sequence[int], setl_id: str) -> None:
        for row in line_ids:
            if row in self.t.fee_lines:
                self.t.fee_lines[row] = replace(self.t.fee_lines[row], setl_id=setl_id)

    def release_lines(self, setl_id: str) -> None:
        for row, line in list(self.t.fee_lines.items()):
            if line.setl_id == setl_id:
                self.t.fee_lines[row] = replace(line, setl_id=None, revoked_setl_id=setl_id)


class MemorySettlements:
    def __init__(self, t: Tables) -> None:
        self.t = t

    def _by_id(self, found: Iterable[SettlementRecord]) -> list[SettlementRecord]:
        return sorted(found, key=lambda s: s.id)

    def get(self, setl_id: str, lock: bool = False) -> SettlementRecord | None:
        return self.t.settlements.get(setl_id)

    def of_visit(self, mdtrt_id: str) -> list[SettlementRecord]:
        return self._by_id(s for s in self.t.settlements.values() if s.mdtrt_id == mdtrt_id)

    def in_period(self, fixmedins_code: str, begin: str, end: str) -> list[SettlementRecord]:
        return self._by_id(s for s in self.t.settlements.values() if s.fixmedins_code == fixmedins_code and (
            begin <= s.setl_time <= end or (s.revoked_at is not None and begin <= s.revoked_at <= end)))

    def add(self, settlement: SettlementRecord) -> None:
        _unique(self.t.settlements, settlement.setl_id)
        _unique((s.msgid for s in self.t.settlements.values()), settlement.msgid)
        self.t.settlements[settlement.setl_id] = replace(settlement, id=self.t.next_id("settlements"))

    def save(self, settlement: SettlementRecord) -> None:
        found = self.t.settlements.get(settlement.setl_id)
        if found is None:
            return
        if settlement.revoke_setl_id is not None:
            _unique((s.revoke_setl_id for s in self.t.settlements.values() if s.setl_id != settlement.setl_id),
                    settlement.revoke_setl_id)
        self.t.settlements[settlement.setl_id] = replace(
            found, status=settlement.status, revoke_setl_id=settlement.revoke_setl_id,
            revoke_msgid=settlement.revoke_msgid, revoked_at=settlement.revoked_at)

    def add_entries(self, entries: Sequence[LedgerEntry]) -> None:
        self.t.ledger.extend(replace(e, id=self.t.next_id("ledger")) for e in entries)

    def entries_of(self, setl_id: str) -> list[LedgerEntry]:
        return [e for e in self.t.ledger if e.setl_id == setl_id]

    def spending_from(self, source: Literal["funder", "pool"], psn_no: str,
                      pool_id: str | None = None) -> list[SpendingRecord]:
        out = []
        for e in self.t.ledger:
            if e.psn_no != psn_no or e.source != source or (pool_id is not None and e.pool_id != pool_id):
                continue
            settlement = self.t.settlements.get(e.setl_id)
            patient = None if settlement is None else self.t.persons.get(settlement.person_id)
            if settlement is not None and patient is not None:  # the SQL store's inner joins
                out.append(SpendingRecord(e.setl_id, e.entry, e.rank, e.amount_fen, e.at, settlement.psn_no,
                                          settlement.fixmedins_code, patient.name))
        return out


class MemoryMessages:
    def __init__(self, t: Tables) -> None:
        self.t = t

    def get(self, msgid: str, lock: bool = False) -> MessageRecord | None:
        return self.t.messages.get(msgid)

    def add(self, message: MessageRecord) -> None:
        _unique(self.t.messages, message.msgid)
        self.t.messages[message.msgid] = message

    def set_status(self, msgid: str, status: MessageStatus) -> None:
        if msgid in self.t.messages:
            self.t.messages[msgid] = replace(self.t.messages[msgid], status=status)


class MemoryReference:
    def __init__(self, t: Tables) -> None:
        self.t = t

    def institution(self, code: str) -> Institution | None:
        return self.t.institutions.get(code)

    def save_institution(self, institution: Institution) -> None:
        self.t.institutions[institution.code] = institution

    def policy_bodies(self) -> list[str]:
        return [body for _, body in sorted(self.t.policies.items())]

    def save_policy(self, name: str, body: str) -> None:
        self.t.policies[name] = body

    def handles(self, kind: str) -> dict[str, str]:
        return {h: ref for (k, h), ref in self.t.handles.items() if k == kind}

    def set_handles(self, kind: str, mapping: dict[str, str]) -> None:
        for handle, ref in mapping.items():
            self.t.handles[(kind, handle)] = ref


class MemorySignins:
    def __init__(self, t: Tables) -> None:
        self.t = t

    def get(self, sign_no: str) -> SigninRecord | None:
        return self.t.signins.get(sign_no)

    def of_day(self, fixmedins_code: str, opter: str, day: str) -> SigninRecord | None:
        return next((s for s in self.t.signins.values()
                     if (s.fixmedins_code, s.opter, s.day) == (fixmedins_code, opter, day)), None)

    def add(self, signin: SigninRecord) -> None:
        _unique(self.t.signins, signin.sign_no)
        if self.of_day(signin.fixmedins_code, signin.opter, signin.day) is not None:
            raise Duplicate()
        self.t.signins[signin.sign_no] = replace(signin, signed_out=False)

    def set_signed_out(self, sign_no: str, signed_out: bool) -> None:
        if sign_no in self.t.signins:
            self.t.signins[sign_no] = replace(self.t.signins[sign_no], signed_out=signed_out)


class MemoryCodes:
    def __init__(self, t: Tables) -> None:
        self.t = t

    def add_evoucher(self, evoucher: EvoucherRecord) -> None:
        _unique(self.t.evouchers, evoucher.code)
        self.t.evouchers[evoucher.code] = replace(evoucher, used_at=None)

    def evoucher(self, code: str) -> EvoucherRecord | None:
        return self.t.evouchers.get(code)

    def use_evoucher(self, code: str, at: str) -> bool:
        found = self.t.evouchers.get(code)
        if found is None or found.used_at is not None:
            return False
        self.t.evouchers[code] = replace(found, used_at=at)
        return True

    def add_token(self, token: TokenRecord) -> None:
        _unique(self.t.tokens, token.token)
        self.t.tokens[token.token] = token

    def token(self, token: str) -> TokenRecord | None:
        return self.t.tokens.get(token)


class MemoryFiles:
    def __init__(self, t: Tables) -> None:
        self.t = t

    def add(self, file: StoredFile) -> None:
        _unique(self.t.files, file.file_qury_no)
        self.t.files[file.file_qury_no] = file

    def get(self, file_qury_no: str) -> StoredFile | None:
        return self.t.files.get(file_qury_no)
