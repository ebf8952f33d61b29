"""The SQL repositories (SQLite, PostgreSQL) of simulator/platform/repositories.py: typed records in and out,
columns only here. Each one works in its unit of work's transaction (`Tx`, store/store.py) through the
queries of tx_people.py, tx_money.py and tx_family.py (the hot ones are pre-compiled, store/compiled.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict
from typing import Any, Literal

from simulator.domain.models import Binding, Institution, Person, Pool, Wallet
from simulator.domain.money import to_fen
from simulator.domain.records import (
    BalanceKind,
    BindingEvent,
    EvoucherRecord,
    FeeLineRecord,
    FundsIn,
    GuardianshipRecord,
    LedgerEntry,
    MessageRecord,
    MessageStatus,
    PoolEvent,
    SettlementRecord,
    SigninRecord,
    SpendingRecord,
    StoredFile,
    TokenRecord,
    TransferRecord,
    TransferStatus,
    VisitRecord,
)
from simulator.store.rows import values_of
from simulator.store.tx_family import FamilyQueries
from simulator.store.tx_money import MoneyQueries
from simulator.store.tx_people import PeopleQueries


def _columns(record: Any) -> dict[str, Any]:
    """A record's fields as columns, without the id the database assigns."""
    return {k: v for k, v in values_of(record).items() if k != "id"}


def person_columns(p: Person) -> dict[str, Any]:
    return {"psn_no": p.psn_no, "name": p.name, "certno": p.certno, "gender": p.gender,
            "birthday": p.birthday.isoformat(), "insutype": p.insutype, "psn_type": p.psn_type,
            "insuplc": p.insuplc, "status": p.status, "has_account": p.balance is not None,
            "balance_fen": 0 if p.balance is None else to_fen(p.balance),
            "ytd_dedc_fen": to_fen(p.ytd_deductible_used), "ytd_fund_fen": to_fen(p.ytd_fund_paid),
            "card_sn": p.card_sn}


def binding_columns(b: Binding) -> dict[str, Any]:
    return {"funder_id": b.funder_id, "beneficiary_id": b.beneficiary_id, "rank": b.rank, "relation": b.relation,
            "start_date": None if b.start is None else b.start.isoformat(),
            "end_date": None if b.end is None else b.end.isoformat(), "state": b.state}


class SqlPersons:
    def __init__(self, q: PeopleQueries, fam: FamilyQueries) -> None:
        self.q, self.fam = q, fam

    def by_key(self, key: Literal["psn_no", "certno", "card_sn"], value: str) -> Person | None:
        return self.q.person_by(key, value)

    def by_ids(self, ids: Iterable[int], lock: bool = False) -> dict[int, Person]:
        return self.q.persons_by_ids(ids, lock)

    def add_all(self, people: Sequence[Person]) -> dict[str, int]:
        return self.q.insert_persons([person_columns(p) for p in people])

    def existing_certnos(self, certnos: Sequence[str]) -> set[str]:
        return self.q.existing_certnos(certnos)

    def add_to_accumulators(self, person_id: int, dedc_fen: int, fund_fen: int) -> None:
        self.q.set_accumulators(person_id, dedc_fen, fund_fen)

    def set_status(self, person_id: int, status: str) -> None:
        self.fam.set_person_status(person_id, status)


class SqlBalances:
    def __init__(self, q: MoneyQueries) -> None:
        self.q = q

    def move(self, target: BalanceKind, row_id: int, delta_fen: int) -> None:
        self.q.move(target, row_id, delta_fen)

    def add_funds_in(self, rows: Sequence[FundsIn]) -> None:
        self.q.insert_funds_in([values_of(r) for r in rows])


class SqlBindings:
    def __init__(self, q: PeopleQueries, fam: FamilyQueries) -> None:
        self.q, self.fam = q, fam

    def get(self, binding_id: int, lock: bool = False) -> Binding | None:
        return self.fam.binding(binding_id, lock)

    def of_beneficiary(self, beneficiary_id: int) -> list[Binding]:
        return self.q.bindings_of(beneficiary_id)

    def live_of(self, beneficiary_id: int) -> list[Binding]:
        return self.fam.live_bindings_of(beneficiary_id)

    def live_touching(self, person_ids: Iterable[int]) -> list[Binding]:
        return self.fam.live_bindings_touching(person_ids)

    def of_party(self, party: Literal["funder", "beneficiary"], person_id: int) -> list[Binding]:
        return self.fam.bindings_as(f"{party}_id", person_id)

    def add(self, binding: Binding) -> int:
        return self.fam.insert_binding(**binding_columns(binding))

    def add_all(self, bindings: Sequence[Binding]) -> None:
        self.q.insert_bindings([binding_columns(b) for b in bindings])

    def save(self, binding: Binding) -> None:
        self.fam.update_binding(binding.id, rank=binding.rank, state=binding.state)

    def log(self, event: BindingEvent) -> None:
        self.fam.log_binding(event.binding_id, event.at, event.action, event.actor, event.detail)

    def history(self, binding_ids: Iterable[int]) -> dict[int, list[BindingEvent]]:
        return {key: [BindingEvent(int(r.binding_id), r.at, r.action, r.actor, r.detail) for r in found]
                for key, found in self.fam.binding_history(binding_ids).items()}


class SqlPools:
    def __init__(self, q: PeopleQueries, fam: FamilyQueries) -> None:
        self.q, self.fam = q, fam

    def of_member(self, person_id: int, lock: bool = False) -> Pool | None:
        return self.q.pool_of_member(person_id, lock)

    def by_rows(self, pool_rows: Iterable[int], lock: bool = False) -> dict[int, Pool]:
        return self.q.pools_by_rows(pool_rows, lock)

    def by_id(self, pool_id: str) -> Pool | None:
        return self.q.pool_by_id(pool_id)

    def add(self, pool: Pool, member_ids: Sequence[int]) -> int:
        return self.q.insert_pool(pool.pool_id, pool.creator_id, to_fen(pool.balance), member_ids)

    def member_ids(self, pool_row: int) -> list[int]:
        return self.fam.pool_member_ids(pool_row)

    def created_by(self, person_id: int) -> list[int]:
        return self.fam.pools_created_by(person_id)

    def add_member(self, pool_row: int, person_id: int) -> None:
        self.fam.add_pool_member(pool_row, person_id)

    def remove_members(self, pool_row: int, person_ids: Iterable[int] | None = None) -> None:
        self.fam.remove_pool_members(pool_row, person_ids)

    def log(self, event: PoolEvent) -> None:
        self.fam.log_pool(event.pool_row, event.at, event.action, event.psn_no, event.relation, event.amount_fen)

    def history(self, pool_row: int) -> list[PoolEvent]:
        return [PoolEvent(int(r.pool_row), r.at, r.action, r.psn_no, r.relation,
                          None if r.amount_fen is None else int(r.amount_fen)) for r in self.fam.pool_history(pool_row)]

    def dissolved(self, pool_row: int) -> bool:
        return self.fam.pool_dissolved(pool_row)


class SqlWallets:
    def __init__(self, q: PeopleQueries) -> None:
        self.q = q

    def of_owner(self, owner_id: int, lock: bool = False) -> Wallet | None:
        return self.q.wallet_of(owner_id, lock)

    def by_rows(self, wallet_rows: Iterable[int], lock: bool = False) -> dict[int, Wallet]:
        return self.q.wallets_by_rows(wallet_rows, lock)

    def add(self, wallet: Wallet) -> None:
        self.q.insert_wallet(wallet.wallet_id, wallet.owner_id, to_fen(wallet.balance), wallet.status)


def _transfer(row: Any) -> TransferRecord | None:
    return None if row is None else TransferRecord(**row._asdict())


class SqlTransfers:
    def __init__(self, fam: FamilyQueries) -> None:
        self.fam = fam

    def add(self, transfer: TransferRecord) -> None:
        self.fam.insert_transfer(**_columns(transfer))

    def get(self, transfer_id: str, lock: bool = False) -> TransferRecord | None:
        return _transfer(self.fam.transfer(transfer_id, lock))

    def pending_sent_by(self, sender_id: int) -> TransferRecord | None:
        return _transfer(self.fam.pending_sent_by(sender_id))

    def count_sent_on(self, sender_id: int, day: str) -> int:
        return self.fam.count_sent_on(sender_id, day)

    def of_person(self, person_id: int) -> list[TransferRecord]:
        return [TransferRecord(**r._asdict()) for r in self.fam.transfers_of(person_id)]

    def due(self, now: str) -> list[str]:
        return self.fam.due_transfers(now)

    def next_due(self) -> str | None:
        return self.fam.next_due()

    def close(self, transfer_id: str, status: TransferStatus, at: str) -> bool:
        return self.fam.close_transfer(transfer_id, status, at)


class SqlGuardianships:
    def __init__(self, fam: FamilyQueries) -> None:
        self.fam = fam

    def add(self, guardianship: GuardianshipRecord) -> None:
        self.fam.insert_guardianship(**_columns(guardianship))

    def get(self, guardian_id: int, minor_id: int) -> GuardianshipRecord | None:
        row = self.fam.guardianship(guardian_id, minor_id)
        return None if row is None else GuardianshipRecord(**row._asdict())

    def minors_of(self, guardian_id: int) -> list[GuardianshipRecord]:
        return [GuardianshipRecord(**r._asdict()) for r in self.fam.minors_of(guardian_id)]


class SqlVisits:
    def __init__(self, q: MoneyQueries) -> None:
        self.q = q

    def get(self, mdtrt_id: str, lock: bool = False) -> VisitRecord | None:
        return self.q.visit(mdtrt_id, lock)

    def add(self, visit: VisitRecord) -> None:
        self.q.insert_visit(**_columns(visit))

    def save(self, visit: VisitRecord) -> None:
        self.q.update_visit(visit.mdtrt_id, status=visit.status, med_type=visit.med_type, diseinfo=visit.diseinfo)

    def lines_of(self, mdtrt_id: str) -> list[FeeLineRecord]:
        return [FeeLineRecord(**r._asdict()) for r in self.q.lines_of(mdtrt_id)]

    def add_lines(self, lines: Sequence[FeeLineRecord]) -> None:
        self.q.insert_lines([_columns(line) for line in lines])

    def delete_lines(self, line_ids: Sequence[int]) -> None:
        self.q.delete_lines(line_ids)

    def settle_lines(self, line_ids: Sequence[int], setl_id: str) -> None:
        self.q.set_lines_settlement(line_ids, setl_id)

    def release_lines(self, setl_id: str) -> None:
        self.q.unsettle_lines(setl_id)


class SqlSettlements:
    def __init__(self, q: MoneyQueries, fam: FamilyQueries) -> None:
        self.q, self.fam = q, fam

    def get(self, setl_id: str, lock: bool = False) -> SettlementRecord | None:
        return self.q.settlement(setl_id, lock)

    def of_visit(self, mdtrt_id: str) -> list[SettlementRecord]:
        return self.q.settlements_of_visit(mdtrt_id)

    def in_period(self, fixmedins_code: str, begin: str, end: str) -> list[SettlementRecord]:
        return self.q.settlements_in_period(fixmedins_code, begin, end)

    def add(self, settlement: SettlementRecord) -> None:
        self.q.insert_settlement(**_columns(settlement))

    def save(self, settlement: SettlementRecord) -> None:
        self.q.update_settlement(settlement.setl_id, status=settlement.status,
                                 revoke_setl_id=settlement.revoke_setl_id, revoke_msgid=settlement.revoke_msgid,
                                 revoked_at=settlement.revoked_at)

    def add_entries(self, entries: Sequence[LedgerEntry]) -> None:
        self.q.insert_ledger([_columns(e) for e in entries])

    def entries_of(self, setl_id: str) -> list[LedgerEntry]:
        return self.q.ledger_of(setl_id)

    def spending_from(self, source: Literal["funder", "pool"], psn_no: str,
                      pool_id: str | None = None) -> list[SpendingRecord]:
        return [SpendingRecord(r.setl_id, r.entry, r.rank, int(r.amount_fen), r.at, r.patient_psn_no,
                               r.fixmedins_code, r.patient_name) for r in self.fam.spending_from(source, psn_no, pool_id)]


class SqlMessages:
    def __init__(self, q: MoneyQueries) -> None:
        self.q = q

    def get(self, msgid: str, lock: bool = False) -> MessageRecord | None:
        return self.q.message(msgid, lock)

    def add(self, message: MessageRecord) -> None:
        self.q.insert_message(**values_of(message))

    def set_status(self, msgid: str, status: MessageStatus) -> None:
        self.q.set_message(msgid, status=status)


class SqlReference:
    def __init__(self, q: PeopleQueries, fam: FamilyQueries) -> None:
        self.q, self.fam = q, fam

    def institution(self, code: str) -> Institution | None:
        return self.q.institution(code)

    def save_institution(self, institution: Institution) -> None:
        self.q.upsert_institution(asdict(institution))

    def policy_bodies(self) -> list[str]:
        return self.fam.policy_bodies()

    def save_policy(self, name: str, body: str) -> None:
        self.q.upsert_policy(name, body)

    def handles(self, kind: str) -> dict[str, str]:
        return self.q.handles(kind)

    def set_handles(self, kind: str, mapping: dict[str, str]) -> None:
        self.q.set_handles(kind, mapping)


class SqlSignins:
    def __init__(self, q: PeopleQueries) -> None:
        self.q = q

    @staticmethod
    def _record(row: Any) -> SigninRecord | None:
        return None if row is None else SigninRecord(row.sign_no, row.fixmedins_code, row.opter, row.day,
                                                     row.sign_time, bool(row.signed_out))

    def get(self, sign_no: str) -> SigninRecord | None:
        return self._record(self.q.signin(sign_no))

    def of_day(self, fixmedins_code: str, opter: str, day: str) -> SigninRecord | None:
        return self._record(self.q.signin_of(fixmedins_code, opter, day))

    def add(self, signin: SigninRecord) -> None:
        self.q.insert_signin(sign_no=signin.sign_no, fixmedins_code=signin.fixmedins_code, opter=signin.opter,
                             day=signin.day, sign_time=signin.sign_time)

    def set_signed_out(self, sign_no: str, signed_out: bool) -> None:
        self.q.set_signed_out(sign_no, signed_out)


class SqlCodes:
    def __init__(self, q: PeopleQueries) -> None:
        self.q = q

    def add_evoucher(self, evoucher: EvoucherRecord) -> None:
        self.q.insert_evoucher(evoucher.code, evoucher.person_id, evoucher.expires_at)

    def evoucher(self, code: str) -> EvoucherRecord | None:
        row = self.q.evoucher(code)
        return None if row is None else EvoucherRecord(row.code, int(row.person_id), str(row.expires_at), row.used_at)

    def use_evoucher(self, code: str, at: str) -> bool:
        return self.q.use_evoucher(code, at)

    def add_token(self, token: TokenRecord) -> None:
        self.q.insert_token(token.token, token.person_id, token.expires_at)

    def token(self, token: str) -> TokenRecord | None:
        row = self.q.token(token)
        return None if row is None else TokenRecord(row.token, int(row.person_id), str(row.expires_at))


class SqlFiles:
    def __init__(self, q: MoneyQueries) -> None:
        self.q = q

    def add(self, file: StoredFile) -> None:
        self.q.insert_file(**asdict(file))

    def get(self, file_qury_no: str) -> StoredFile | None:
        row = self.q.file(file_qury_no)
        return None if row is None else StoredFile(row.file_qury_no, row.fixmedins_code, row.filename,
                                                   bytes(row.content), row.created_at)

