"""Reading (and for a money move: locking) everything the payer chain looks at, in the lock order."""

from __future__ import annotations

from simulator.domain.chain import FunderLink, PayerContext
from simulator.domain.models import Institution, Person
from simulator.domain.policy import Policy
from simulator.platform.ports import UnitOfWork


def payer_context(uow: UnitOfWork, patient: Person, institution: Institution, policy: Policy, lock: bool) -> PayerContext:
    """Persons (patient, funders, pool creator) by ascending id, then the pool, then the wallet."""
    bindings = uow.bindings.of_beneficiary(patient.id)
    pool = uow.pools.of_member(patient.id)
    ids = {patient.id} | {b.funder_id for b in bindings} | ({pool.creator_id} if pool else set())
    people = uow.persons.by_ids(ids, lock=lock)
    if lock and pool is not None:
        pool = uow.pools.by_rows([pool.id], lock=True).get(pool.id)
    wallet = uow.wallets.of_owner(patient.id, lock=lock)
    funders = tuple(FunderLink(b, people[b.funder_id]) for b in sorted(bindings, key=lambda b: b.rank)
                    if b.funder_id in people)
    creator = people.get(pool.creator_id) if pool is not None else None
    return PayerContext(people[patient.id], institution, policy, funders, pool, creator, wallet)
