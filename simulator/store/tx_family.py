"""Queries for family accounts: bindings' lifecycle, family pools, wallet transfers, guardianships.

`tx.family()` (store/store.py) works inside the caller's transaction (the same connection as `tx`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, delete, func, insert, or_, select, update

from simulator.domain.models import Binding
from simulator.store import rows
from simulator.store.tables import bindings, ledger, persons, policies, pool_members, pools, settlements
from simulator.store.tables_family import binding_log, guardianships, pool_log, wallet_transfers

LIVE = ("active", "pending")


def _key(result: Any) -> int:
    key = result.inserted_primary_key
    if key is None:
        raise RuntimeError("insert returned no key")
    return int(key[0])


class FamilyQueries:
    """Indexed reads and small writes about families, in the caller's transaction."""

    def __init__(self, conn: Connection, locking: bool) -> None:
        self.conn = conn
        self.locking = locking

    def _locked(self, stmt: Any, lock: bool) -> Any:
        return stmt.with_for_update() if lock and self.locking else stmt

    # policies, persons -------------------------------------------------------------------------
    def policy_bodies(self) -> list[str]:
        return [str(body) for body in self.conn.execute(select(policies.c.body).order_by(policies.c.name)).scalars()]

    def set_person_status(self, person_id: int, status: str) -> None:
        self.conn.execute(update(persons).where(persons.c.id == person_id).values(status=status))

    # bindings ----------------------------------------------------------------------------------
    def binding(self, binding_id: int, lock: bool = False) -> Binding | None:
        row = self.conn.execute(self._locked(select(bindings).where(bindings.c.id == binding_id), lock)).first()
        return None if row is None else rows.binding(row)

    def live_bindings_of(self, beneficiary_id: int) -> list[Binding]:
        stmt = (select(bindings).where(bindings.c.beneficiary_id == beneficiary_id, bindings.c.state.in_(LIVE))
                .order_by(bindings.c.rank))
        return [rows.binding(row) for row in self.conn.execute(stmt)]

    def live_bindings_touching(self, person_ids: Iterable[int]) -> list[Binding]:
        """Live bindings where any of `person_ids` is the funder or the beneficiary."""
        ids = sorted(set(person_ids))
        stmt = select(bindings).where(bindings.c.state.in_(LIVE), or_(bindings.c.funder_id.in_(ids),
                                                                      bindings.c.beneficiary_id.in_(ids)))
        return [rows.binding(row) for row in self.conn.execute(stmt)]

    def bindings_as(self, column: str, person_id: int) -> list[Binding]:
        stmt = select(bindings).where(bindings.c[column] == person_id).order_by(bindings.c.rank, bindings.c.id)
        return [rows.binding(row) for row in self.conn.execute(stmt)]

    def insert_binding(self, **values: Any) -> int:
        return _key(self.conn.execute(insert(bindings).values(**values)))

    def update_binding(self, binding_id: int, **values: Any) -> None:
        self.conn.execute(update(bindings).where(bindings.c.id == binding_id).values(**values))

    def log_binding(self, binding_id: int, at: str, action: str, actor: str | None, detail: str | None) -> None:
        self.conn.execute(insert(binding_log).values(binding_id=binding_id, at=at, action=action, actor=actor,
                                                     detail=detail))

    def binding_history(self, binding_ids: Iterable[int]) -> dict[int, list[Any]]:
        ids = sorted(set(binding_ids))
        out: dict[int, list[Any]] = {i: [] for i in ids}
        if ids:
            stmt = select(binding_log).where(binding_log.c.binding_id.in_(ids)).order_by(binding_log.c.id)
            for row in self.conn.execute(stmt):
                out[int(row.binding_id)].append(row)
        return out

    def spending_from(self, source: str, psn_no: str, pool_id: str | None = None) -> list[Any]:
        """Ledger legs paid from a funder's account (or a pool, whose legs name its creator), with the
        settlement they belong to. Found through the ledger's psn_no index."""
        stmt = (select(ledger.c.setl_id, ledger.c.entry, ledger.c.rank, ledger.c.amount_fen, ledger.c.at,
                       settlements.c.psn_no.label("patient_psn_no"), settlements.c.fixmedins_code,
                       persons.c.name.label("patient_name"))
                .join(settlements, settlements.c.setl_id == ledger.c.setl_id)
                .join(persons, persons.c.id == settlements.c.person_id)
                .where(ledger.c.psn_no == psn_no, ledger.c.source == source).order_by(ledger.c.id))
        if pool_id is not None:
            stmt = stmt.where(ledger.c.pool_id == pool_id)
        return list(self.conn.execute(stmt))

    # family pools ------------------------------------------------------------------------------
    def pool_member_ids(self, pool_row: int) -> list[int]:
        stmt = select(pool_members.c.person_id).where(pool_members.c.pool_row == pool_row)
        return sorted(int(i) for i in self.conn.execute(stmt).scalars())

    def pool_row_of_member(self, person_id: int) -> int | None:
        found = self.conn.execute(select(pool_members.c.pool_row).where(pool_members.c.person_id == person_id))
        value = found.scalar()
        return None if value is None else int(value)

    def pools_created_by(self, person_id: int) -> list[int]:
        stmt = select(pools.c.id).where(pools.c.creator_id == person_id).order_by(pools.c.id)
        return [int(i) for i in self.conn.execute(stmt).scalars()]

    def add_pool_member(self, pool_row: int, person_id: int) -> None:
        self.conn.execute(insert(pool_members).values(person_id=person_id, pool_row=pool_row))

    def remove_pool_members(self, pool_row: int, person_ids: Iterable[int] | None = None) -> None:
        stmt = delete(pool_members).where(pool_members.c.pool_row == pool_row)
        if person_ids is not None:
            stmt = stmt.where(pool_members.c.person_id.in_(sorted(set(person_ids))))
        self.conn.execute(stmt)

    def log_pool(self, pool_row: int, at: str, action: str, psn_no: str | None = None, relation: str | None = None,
                 amount_fen: int | None = None) -> None:
        self.conn.execute(insert(pool_log).values(pool_row=pool_row, at=at, action=action, psn_no=psn_no,
                                                  relation=relation, amount_fen=amount_fen))

    def pool_history(self, pool_row: int) -> list[Any]:
        stmt = select(pool_log).where(pool_log.c.pool_row == pool_row).order_by(pool_log.c.id)
        return list(self.conn.execute(stmt))

    def pool_dissolved(self, pool_row: int) -> bool:
        stmt = select(func.count()).select_from(pool_log).where(pool_log.c.pool_row == pool_row,
                                                                 pool_log.c.action == "dissolved")
        return bool(self.conn.execute(stmt).scalar())

    # wallet transfers --------------------------------------------------------------------------
    def insert_transfer(self, **values: Any) -> None:
        self.conn.execute(insert(wallet_transfers).values(**values))

    def transfer(self, transfer_id: str, lock: bool = False) -> Any:
        stmt = select(wallet_transfers).where(wallet_transfers.c.transfer_id == transfer_id)
        return self.conn.execute(self._locked(stmt, lock)).first()

    def pending_sent_by(self, sender_id: int) -> Any:
        stmt = select(wallet_transfers).where(wallet_transfers.c.sender_id == sender_id,
                                              wallet_transfers.c.status == "pending")
        return self.conn.execute(stmt).first()

    def count_sent_on(self, sender_id: int, day: str) -> int:
        stmt = select(func.count()).select_from(wallet_transfers).where(wallet_transfers.c.sender_id == sender_id,
                                                                        wallet_transfers.c.day == day)
        return int(self.conn.execute(stmt).scalar() or 0)

    def transfers_of(self, person_id: int) -> list[Any]:
        stmt = (select(wallet_transfers).where(or_(wallet_transfers.c.sender_id == person_id,
                                                   wallet_transfers.c.receiver_id == person_id))
                .order_by(wallet_transfers.c.id))
        return list(self.conn.execute(stmt))

    def due_transfers(self, now: str) -> list[str]:
        stmt = (select(wallet_transfers.c.transfer_id)
                .where(wallet_transfers.c.status == "pending", wallet_transfers.c.due_at <= now)
                .order_by(wallet_transfers.c.due_at, wallet_transfers.c.id))
        return [str(t) for t in self.conn.execute(stmt).scalars()]

    def next_due(self) -> str | None:
        stmt = select(func.min(wallet_transfers.c.due_at)).where(wallet_transfers.c.status == "pending")
        value = self.conn.execute(stmt).scalar()
        return None if value is None else str(value)

    def close_transfer(self, transfer_id: str, status: str, at: str) -> bool:
        """pending -> accepted | bounced; False if it was no longer pending (someone else closed it)."""
        result = self.conn.execute(update(wallet_transfers)
                                   .where(wallet_transfers.c.transfer_id == transfer_id,
                                          wallet_transfers.c.status == "pending")
                                   .values(status=status, closed_at=at))
        return bool(result.rowcount == 1)

    # guardianships -----------------------------------------------------------------------------
    def insert_guardianship(self, **values: Any) -> None:
        self.conn.execute(insert(guardianships).values(**values))

    def guardianship(self, guardian_id: int, minor_id: int) -> Any:
        stmt = select(guardianships).where(guardianships.c.guardian_id == guardian_id,
                                           guardianships.c.minor_id == minor_id)
        return self.conn.execute(stmt).first()

    def minors_of(self, guardian_id: int) -> list[Any]:
        stmt = (select(guardianships).where(guardianships.c.guardian_id == guardian_id)
                .order_by(guardianships.c.id))
        return list(self.conn.execute(stmt))
