"""The Gansu family mutual-aid account (家庭共济账户): create, invite, allot (划拨), remove, dissolve.

The creator (employee-insured, status normal) transfers money from their personal account into the
pool with no limit on amount or count; members pay from it at settlement (chain.py). One family
group per person (`exclusive`), at most `max_family_size` people including the creator; only the
creator removes members or dissolves, and dissolving returns the balance to the creator's account.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from simulator.domain.family_checks import (
    check_employee_funder,
    check_face,
    check_insured,
    check_not_self,
    check_relation,
    check_scope,
)
from simulator.domain.models import Person, Pool
from simulator.domain.money import ZERO, fmt, to_fen
from simulator.domain.policy import Policy
from simulator.domain.records import PoolEvent
from simulator.domain.refusals import (
    AlreadyMember,
    BadAmount,
    ExclusiveFamily,
    FamilyTooLarge,
    InsufficientBalance,
    ModelDrawdown,
    NotAMember,
    NotCreator,
    PoolDissolved,
    PoolUnknown,
)
from simulator.platform.deps import Deps
from simulator.platform.family import views
from simulator.platform.ports import UnitOfWork


def _row_of(pool: Pool | None) -> int | None:
    return None if pool is None else pool.id


@dataclass(frozen=True)
class MemberRequest:
    """The creator invites a relative; `relation`: what the creator is to the member."""

    pool_id: str
    psn_no: str
    relation: str
    face_verified: bool
    by: str


class PoolOps:
    """Family pools behind the app API."""

    def __init__(self, deps: Deps) -> None:
        self.store, self.clock, self.ids, self.lookups = deps.store, deps.clock, deps.ids, deps.lookups

    def create_pool(self, creator_psn_no: str, face_verified: bool) -> dict[str, Any]:
        pool_id = f"GJ{self.ids.serial('pool'):014d}"
        with self.store.write() as uow:
            creator = self.lookups.party(uow, creator_psn_no, "家庭共济账户创建人")
            rules = self._pool_rules(uow, creator)
            check_employee_funder(creator, "家庭共济账户创建人")
            check_face(rules, self.clock.today(), [(creator, face_verified, "创建人")])
            self._check_free(uow, creator, rules)
            row = uow.pools.add(Pool(0, pool_id, creator.id, ZERO), [])
            uow.pools.log(PoolEvent(row, self.clock.stamp(), "created", creator.psn_no))
            return self._pool_view(uow, pool_id)

    def add_member(self, req: MemberRequest) -> dict[str, Any]:
        with self.store.write() as uow:
            pool, creator = self._owned(uow, req.pool_id, req.by)
            member = self.lookups.party(uow, req.psn_no, "家庭成员")
            check_not_self(creator, member, "创建人本人已在家庭共济组中，无需邀请")
            rules = self._pool_rules(uow, creator)
            check_relation(req.relation, rules.relations, rules.name)
            check_insured(member, "家庭成员")
            check_scope(rules, creator, member)
            check_face(rules, self.clock.today(), [(member, req.face_verified, "家庭成员")])
            if _row_of(uow.pools.of_member(member.id)) == pool.id:
                raise AlreadyMember(psn_no=member.psn_no)
            self._check_free(uow, member, rules)
            size = len(uow.pools.member_ids(pool.id)) + 2
            if size > rules.max_family_size:
                raise FamilyTooLarge(founder="创建人", max_size=rules.max_family_size, after="")
            uow.pools.add_member(pool.id, member.id)
            uow.pools.log(PoolEvent(pool.id, self.clock.stamp(), "member_added", member.psn_no, req.relation))
            return self._pool_view(uow, req.pool_id)

    def remove_member(self, pool_id: str, psn_no: str, by: str) -> dict[str, Any]:
        with self.store.write() as uow:
            pool, _creator = self._owned(uow, pool_id, by)
            member = self.lookups.party(uow, psn_no, "家庭成员")
            if _row_of(uow.pools.of_member(member.id)) != pool.id:
                raise NotAMember(psn_no=psn_no)
            uow.pools.remove_members(pool.id, [member.id])
            uow.pools.log(PoolEvent(pool.id, self.clock.stamp(), "member_removed", member.psn_no))
            return self._pool_view(uow, pool_id)

    def allot(self, pool_id: str, amount: Decimal, by: str) -> dict[str, Any]:
        """划拨: the creator's personal account -> the pool, in one transaction."""
        if amount <= ZERO:
            raise BadAmount(what="划拨")
        with self.store.write() as uow:
            pool, creator = self._owned(uow, pool_id, by)
            creator = self.lookups.people_locked(uow, creator)[creator.id]
            uow.pools.by_rows([pool.id], lock=True)
            if uow.pools.dissolved(pool.id):  # again under the locks: a dissolve may have just committed
                raise PoolDissolved(pool_id=pool_id)
            check_employee_funder(creator, "家庭共济账户创建人")
            if creator.balance is None or creator.balance < amount:
                raise InsufficientBalance(detail=f"个人账户余额不足（余额 {fmt(creator.balance or ZERO)}，划拨 {fmt(amount)}）")
            uow.balances.move("account", creator.id, -to_fen(amount))
            uow.balances.move("pool", pool.id, to_fen(amount))
            uow.pools.log(PoolEvent(pool.id, self.clock.stamp(), "allot", creator.psn_no, amount_fen=to_fen(amount)))
            return self._pool_view(uow, pool_id)

    def dissolve(self, pool_id: str, by: str) -> dict[str, Any]:
        """Members leave; the whole balance goes back to the creator's personal account. Dissolving
        again sweeps what a later revoke returned to the pool (a revoke puts a leg back where it came from)."""
        with self.store.write() as uow:
            pool, creator = self._owned(uow, pool_id, by, sweep=True)
            self.lookups.people_locked(uow, creator)
            locked = uow.pools.by_rows([pool.id], lock=True)[pool.id]
            back = to_fen(locked.balance)
            if back:
                uow.balances.move("pool", pool.id, -back)
                uow.balances.move("account", creator.id, back)
            uow.pools.remove_members(pool.id)
            uow.pools.log(PoolEvent(pool.id, self.clock.stamp(), "dissolved", creator.psn_no, amount_fen=back))
            return self._pool_view(uow, pool_id)

    def pool_detail(self, pool_id: str) -> dict[str, Any]:
        with self.store.read() as uow:
            return self._pool_view(uow, pool_id)

    # helpers -----------------------------------------------------------------------------------
    def _pool_rules(self, uow: UnitOfWork, creator: Person) -> Policy:
        rules = self.lookups.policy_of(uow, creator)
        if rules.model != "family_pool":
            raise ModelDrawdown(policy=rules.name)
        return rules

    def _pool(self, uow: UnitOfWork, pool_id: str) -> Pool:
        found = uow.pools.by_id(pool_id)
        if found is None:
            raise PoolUnknown(pool_id=pool_id)
        return found

    def _owned(self, uow: UnitOfWork, pool_id: str, by: str, sweep: bool = False) -> tuple[Pool, Person]:
        """The pool, still open (or, to `sweep`, dissolved with money left), and its creator — who must be
        the one acting (only the creator may)."""
        pool = self._pool(uow, pool_id)
        if uow.pools.dissolved(pool.id) and not (sweep and pool.balance > ZERO):
            raise PoolDissolved(pool_id=pool_id)
        creator = uow.persons.by_ids([pool.creator_id])[pool.creator_id]
        if self.lookups.party(uow, by, "操作人").id != creator.id:
            raise NotCreator()
        return pool, creator

    @staticmethod
    def _check_free(uow: UnitOfWork, person: Person, rules: Policy) -> None:
        """One family group per person: not a member elsewhere, not the creator of an open pool."""
        member_of = uow.pools.of_member(person.id)
        open_created = [row for row in uow.pools.created_by(person.id) if not uow.pools.dissolved(row)]
        if member_of is not None or (rules.exclusive and open_created):
            raise ExclusiveFamily(psn_no=person.psn_no)

    def _pool_view(self, uow: UnitOfWork, pool_id: str) -> dict[str, Any]:
        pool = self._pool(uow, pool_id)
        members = uow.pools.member_ids(pool.id)
        people = uow.persons.by_ids([pool.creator_id, *members])
        history = uow.pools.history(pool.id)
        relations = {h.psn_no: h.relation for h in history if h.action == "member_added"}
        return {"pool_id": pool.pool_id, "creator": views.party(people[pool.creator_id]),
                "state": "dissolved" if uow.pools.dissolved(pool.id) else "active", "balance": fmt(pool.balance),
                "members": [views.party(people[m]) | {"relation": relations.get(people[m].psn_no)} for m in members],
                "history": [views.pool_event(h) for h in history],
                "spending": [views.spending(r) for r in uow.settlements.spending_from(
                    "pool", people[pool.creator_id].psn_no, pool.pool_id)]}
