"""The memory repositories of simulator/platform/repositories.py over `Tables` (state.py): the same records,
orders, uniqueness (`Duplicate`) and balance floor (`BalanceChanged`) as the SQL store — held to that by
the one contract suite (tests/platform_memory/test_repository_contract.py). Locks are no-ops: the memory
store runs one unit of work at a time. This module: persons, balances, bindings, pools, wallets,
transfers, guardianships (money.py: the money flow and the reference data)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Literal

from simulator.domain.models import Binding, Person, Pool, Wallet
from simulator.domain.money import from_fen, to_fen
from simulator.domain.records import (
    BalanceKind,
    BindingEvent,
    FundsIn,
    GuardianshipRecord,
    PoolEvent,
    TransferRecord,
    TransferStatus,
)
from simulator.domain.refusals import BalanceChanged, Duplicate
from simulator.store.memory.state import Tables

LIVE = ("active", "pending")


def unique(taken: Iterable[object], value: object) -> None:
    if value in set(taken):
        raise Duplicate()


class MemoryPersons:
    def __init__(self, t: Tables) -> None:
        self.t = t

    def by_key(self, key: Literal["psn_no", "certno", "card_sn"], value: str) -> Person | None:
        return next((p for p in self.t.persons.values() if getattr(p, key) == value), None)

    def by_ids(self, ids: Iterable[int], lock: bool = False) -> dict[int, Person]:
        return {i: self.t.persons[i] for i in sorted(set(ids)) if i in self.t.persons}

    def add_all(self, people: Sequence[Person]) -> dict[str, int]:
        out = {}
        for p in people:
            for key in ("psn_no", "certno", "card_sn"):
                unique((getattr(q, key) for q in self.t.persons.values()), getattr(p, key))
            row = self.t.next_id("persons")
            self.t.persons[row] = replace(p, id=row)
            out[p.psn_no] = row
        return out

    def existing_certnos(self, certnos: Sequence[str]) -> set[str]:
        wanted = set(certnos)
        return {p.certno for p in self.t.persons.values() if p.certno in wanted}

    def add_to_accumulators(self, person_id: int, dedc_fen: int, fund_fen: int) -> None:
        p = self.t.persons.get(person_id)
        if p is not None:
            self.t.persons[person_id] = replace(p, ytd_deductible_used=p.ytd_deductible_used + from_fen(dedc_fen),
                                                ytd_fund_paid=p.ytd_fund_paid + from_fen(fund_fen))

    def set_status(self, person_id: int, status: str) -> None:
        p = self.t.persons.get(person_id)
        if p is not None:
            self.t.persons[person_id] = replace(p, status=status)


class MemoryBalances:
    def __init__(self, t: Tables) -> None:
        self.t = t

    def move(self, target: BalanceKind, row_id: int, delta_fen: int) -> None:
        """Add `delta_fen` to a balance; BalanceChanged (rolls back) if it would go below zero."""
        if target == "account" and row_id in self.t.persons:
            p = self.t.persons[row_id]
            if p.balance is None:
                after = self.t.no_account_fen.get(row_id, 0) + delta_fen
                if after < 0:
                    raise BalanceChanged()
                self.t.no_account_fen[row_id] = after
                return
            self._check(to_fen(p.balance) + delta_fen)
            self.t.persons[row_id] = replace(p, balance=p.balance + from_fen(delta_fen))
        elif target == "pool" and row_id in self.t.pools:
            pool = self.t.pools[row_id]
            self._check(to_fen(pool.balance) + delta_fen)
            self.t.pools[row_id] = replace(pool, balance=pool.balance + from_fen(delta_fen))
        elif target == "wallet" and row_id in self.t.wallets:
            wallet = self.t.wallets[row_id]
            self._check(to_fen(wallet.balance) + delta_fen)
            self.t.wallets[row_id] = replace(wallet, balance=wallet.balance + from_fen(delta_fen))
        else:
            raise BalanceChanged()

    @staticmethod
    def _check(after_fen: int) -> None:
        if after_fen < 0:
            raise BalanceChanged()

    def add_funds_in(self, rows: Sequence[FundsIn]) -> None:
        self.t.funds_in.extend(rows)


class MemoryBindings:
    def __init__(self, t: Tables) -> None:
        self.t = t

    def _sorted(self, found: Iterable[Binding]) -> list[Binding]:
        return sorted(found, key=lambda b: (b.rank, b.id))

    def get(self, binding_id: int, lock: bool = False) -> Binding | None:
        return self.t.bindings.get(binding_id)

    def of_beneficiary(self, beneficiary_id: int) -> list[Binding]:
        return self._sorted(b for b in self.t.bindings.values() if b.beneficiary_id == beneficiary_id)

    def live_of(self, beneficiary_id: int) -> list[Binding]:
        return [b for b in self.of_beneficiary(beneficiary_id) if b.state in LIVE]

    def live_touching(self, person_ids: Iterable[int]) -> list[Binding]:
        ids = set(person_ids)
        return [b for b in self.t.bindings.values()
                if b.state in LIVE and (b.funder_id in ids or b.beneficiary_id in ids)]

    def of_party(self, party: Literal["funder", "beneficiary"], person_id: int) -> list[Binding]:
        return self._sorted(b for b in self.t.bindings.values() if getattr(b, f"{party}_id") == person_id)

    def _check_rank(self, binding: Binding) -> None:
        """Ranks are unique among a beneficiary's live bindings (the SQL store's partial unique index)."""
        if binding.state in LIVE and any(o.id != binding.id and o.beneficiary_id == binding.beneficiary_id
                                         and o.rank == binding.rank and o.state in LIVE
                                         for o in self.t.bindings.values()):
            raise Duplicate()

    def add(self, binding: Binding) -> int:
        row = self.t.next_id("bindings")
        stored = replace(binding, id=row)
        self._check_rank(stored)
        self.t.bindings[row] = stored
        return row

    def add_all(self, bindings: Sequence[Binding]) -> None:
        for b in bindings:
            self.add(b)

    def save(self, binding: Binding) -> None:
        found = self.t.bindings.get(binding.id)
        if found is not None:
            stored = replace(found, rank=binding.rank, state=binding.state)
            self._check_rank(stored)
            self.t.bindings[binding.id] = stored

    def log(self, event: BindingEvent) -> None:
        self.t.binding_log.append(event)

    def history(self, binding_ids: Iterable[int]) -> dict[int, list[BindingEvent]]:
        out: dict[int, list[BindingEvent]] = {i: [] for i in sorted(set(binding_ids))}
        for event in self.t.binding_log:
            if event.binding_id in out:
                out[event.binding_id].append(event)
        return out


class MemoryPools:
    def __init__(self, t: Tables) -> None:
        self.t = t

    def of_member(self, person_id: int, lock: bool = False) -> Pool | None:
        row = self.t.pool_members.get(person_id)
        return None if row is None else self.t.pools.get(row)

    def by_rows(self, pool_rows: Iterable[int], lock: bool = False) -> dict[int, Pool]:
        return {r: self.t.pools[r] for r in sorted(set(pool_rows)) if r in self.t.pools}

    def by_id(self, pool_id: str) -> Pool | None:
        return next((p for p in self.t.pools.values() if p.pool_id == pool_id), None)

    def add(self, pool: Pool, member_ids: Sequence[int]) -> int:
        unique((p.pool_id for p in self.t.pools.values()), pool.pool_id)
        row = self.t.next_id("pools")
        self.t.pools[row] = replace(pool, id=row)
        for member in member_ids:
            self.add_member(row, member)
        return row

    def member_ids(self, pool_row: int) -> list[int]:
        return sorted(p for p, r in self.t.pool_members.items() if r == pool_row)

    def created_by(self, person_id: int) -> list[int]:
        return sorted(p.id for p in self.t.pools.values() if p.creator_id == person_id)

    def add_member(self, pool_row: int, person_id: int) -> None:
        unique(self.t.pool_members, person_id)
        self.t.pool_members[person_id] = pool_row

    def remove_members(self, pool_row: int, person_ids: Iterable[int] | None = None) -> None:
        doomed = set(self.member_ids(pool_row)) if person_ids is None else set(person_ids)
        for person_id in doomed:
            if self.t.pool_members.get(person_id) == pool_row:
                del self.t.pool_members[person_id]

    def log(self, event: PoolEvent) -> None:
        self.t.pool_log.append(event)

    def history(self, pool_row: int) -> list[PoolEvent]:
        return [e for e in self.t.pool_log if e.pool_row == pool_row]

    def dissolved(self, pool_row: int) -> bool:
        return any(e.pool_row == pool_row and e.action == "dissolved" for e in self.t.pool_log)


class MemoryWallets:
    def __init__(self, t: Tables) -> None:
        self.t = t

    def of_owner(self, owner_id: int, lock: bool = False) -> Wallet | None:
        return next((w for w in self.t.wallets.values() if w.owner_id == owner_id), None)

    def by_rows(self, wallet_rows: Iterable[int], lock: bool = False) -> dict[int, Wallet]:
        return {r: self.t.wallets[r] for r in sorted(set(wallet_rows)) if r in self.t.wallets}

    def add(self, wallet: Wallet) -> None:
        unique((w.wallet_id for w in self.t.wallets.values()), wallet.wallet_id)
        unique((w.owner_id for w in self.t.wallets.values()), wallet.owner_id)
        row = self.t.next_id("wallets")
        self.t.wallets[row] = replace(wallet, id=row)


class MemoryTransfers:
    def __init__(self, t: Tables) -> None:
        self.t = t

    def add(self, transfer: TransferRecord) -> None:
        unique(self.t.transfers, transfer.transfer_id)
        self.t.transfers[transfer.transfer_id] = replace(transfer, id=self.t.next_id("transfers"))

    def get(self, transfer_id: str, lock: bool = False) -> TransferRecord | None:
        return self.t.transfers.get(transfer_id)

    def pending_sent_by(self, sender_id: int) -> TransferRecord | None:
        return next((x for x in self.t.transfers.values() if x.sender_id == sender_id and x.status == "pending"),
                    None)

    def count_sent_on(self, sender_id: int, day: str) -> int:
        return sum(1 for x in self.t.transfers.values() if x.sender_id == sender_id and x.day == day)

    def of_person(self, person_id: int) -> list[TransferRecord]:
        return sorted((x for x in self.t.transfers.values() if person_id in (x.sender_id, x.receiver_id)),
                      key=lambda x: x.id)

    def due(self, now: str) -> list[str]:
        due = [x for x in self.t.transfers.values() if x.status == "pending" and x.due_at <= now]
        return [x.transfer_id for x in sorted(due, key=lambda x: (x.due_at, x.id))]

    def next_due(self) -> str | None:
        return min((x.due_at for x in self.t.transfers.values() if x.status == "pending"), default=None)

    def close(self, transfer_id: str, status: TransferStatus, at: str) -> bool:
        found = self.t.transfers.get(transfer_id)
        if found is None or found.status != "pending":
            return False
        self.t.transfers[transfer_id] = replace(found, status=status, closed_at=at)
        return True


class MemoryGuardianships:
    def __init__(self, t: Tables) -> None:
        self.t = t

    def add(self, guardianship: GuardianshipRecord) -> None:
        key = (guardianship.guardian_id, guardianship.minor_id)
        unique(self.t.guardianships, key)
        self.t.guardianships[key] = replace(guardianship, id=self.t.next_id("guardianships"))

    def get(self, guardian_id: int, minor_id: int) -> GuardianshipRecord | None:
        return self.t.guardianships.get((guardian_id, minor_id))

    def minors_of(self, guardian_id: int) -> list[GuardianshipRecord]:
        return sorted((g for g in self.t.guardianships.values() if g.guardian_id == guardian_id), key=lambda g: g.id)


