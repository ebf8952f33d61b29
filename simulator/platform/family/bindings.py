"""Family mutual-aid bindings (家庭共济绑定), drawdown model: request, review, rank, end, queries.

Rules per region (docs/domain.md §3), each refusal a stable code: relation, funder employee-insured and
normal, beneficiary insured, no self-binding, rank in range and free, at most `max_funders`,
family of at most 7, scope, face check, start/end dates. The funder's insurance stopping ends every
binding they fund (`set_insurance_status`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from simulator.domain.family_checks import (
    check_employee_funder,
    check_face,
    check_insured,
    check_not_self,
    check_relation,
    check_scope,
)
from simulator.domain.models import Binding, Person
from simulator.domain.policy import Policy
from simulator.domain.records import BindingEvent
from simulator.domain.refusals import (
    BadStatus,
    BindingEnded,
    BindingExists,
    BindingNotPending,
    BindingUnknown,
    DatesRequired,
    EndBeforeStart,
    EndInPast,
    FamilyTooLarge,
    ModelFamilyPool,
    NotAParty,
    NotBeneficiary,
    RankOutOfRange,
    RankTaken,
    TooManyFunders,
)
from simulator.platform.deps import Deps
from simulator.platform.family import views
from simulator.platform.ports import UnitOfWork
from simulator.platform.repositories import BindingRepository

INSURANCE_STATUSES = ("1", "2", "4")


@dataclass(frozen=True)
class BindingRequest:
    """What the app sends when a family links accounts. `relation`: what the funder is to the beneficiary."""

    funder: str
    beneficiary: str
    relation: str
    rank: int | None
    start: date | None
    end: date | None
    funder_face: bool
    beneficiary_face: bool
    requested_by: str = ""


def check_dates(rules: Policy, start: date | None, end: date | None, today: date) -> None:
    if rules.dates == "required" and (start is None or end is None):
        raise DatesRequired(policy=rules.name)
    if start is not None and end is not None and end < start:
        raise EndBeforeStart(end=end.isoformat(), start=start.isoformat())
    if end is not None and end < today:
        raise EndInPast(end=end.isoformat(), today=today.isoformat())


def pick_rank(wanted: int | None, live: list[Binding], max_funders: int) -> int:
    """The requested rank if in range and free; without one, the lowest free rank."""
    taken = {b.rank for b in live}
    if wanted is None:
        return min(r for r in range(1, max_funders + 1) if r not in taken)
    if not 1 <= wanted <= max_funders:
        raise RankOutOfRange(rank=wanted, max_funders=max_funders)
    if wanted in taken:
        raise RankTaken(wanted=wanted)
    return wanted


def family_of(bindings: BindingRepository, person_id: int) -> set[int]:
    """Everyone linked to `person_id` through live (active or pending) bindings, including them."""
    seen, frontier = {person_id}, {person_id}
    while frontier:
        links = bindings.live_touching(frontier)
        reached = {b.funder_id for b in links} | {b.beneficiary_id for b in links}
        frontier = reached - seen
        seen |= reached
    return seen


def check_family_size(bindings: BindingRepository, rules: Policy, funder: Person, beneficiary: Person) -> None:
    size = len(family_of(bindings, funder.id) | family_of(bindings, beneficiary.id))
    if size > rules.max_family_size:
        raise FamilyTooLarge(founder="共济人", max_size=rules.max_family_size, after=f"，本次绑定后将达 {size} 人")


class BindingOps:
    """The binding lifecycle behind the app API."""

    def __init__(self, deps: Deps) -> None:
        self.store, self.clock, self.ids, self.lookups = deps.store, deps.clock, deps.ids, deps.lookups

    def request_binding(self, req: BindingRequest) -> dict[str, Any]:
        today = self.clock.today()
        with self.store.write() as uow:
            funder, beneficiary = self.lookups.party(uow, req.funder, "共济人"), self.lookups.party(uow, req.beneficiary, "被共济人")
            check_not_self(funder, beneficiary, "不能为本人共济（共济人与被共济人是同一人）")
            rules = self.lookups.policy_of(uow, beneficiary)
            if rules.model != "drawdown":
                raise ModelFamilyPool(policy=rules.name)
            check_relation(req.relation, rules.relations, rules.name)
            check_employee_funder(funder)
            check_insured(beneficiary)
            check_scope(rules, funder, beneficiary)
            check_face(rules, today, [(funder, req.funder_face, "共济人"),
                                      (beneficiary, req.beneficiary_face, "被共济人")])
            check_dates(rules, req.start, req.end, today)
            live = uow.bindings.live_of(beneficiary.id)
            if any(b.funder_id == funder.id for b in live):
                raise BindingExists()
            if len(live) >= rules.max_funders:
                raise TooManyFunders(max_funders=rules.max_funders, policy=rules.name)
            rank = pick_rank(req.rank, live, rules.max_funders)
            check_family_size(uow.bindings, rules, funder, beneficiary)
            state = "pending" if rules.review_required else "active"
            binding_id = uow.bindings.add(Binding(0, funder.id, beneficiary.id, rank, req.relation, req.start,
                                                  req.end, state))
            detail = {"state": state, "policy": rules.name, "face": {"funder": req.funder_face,
                                                                     "beneficiary": req.beneficiary_face}}
            uow.bindings.log(BindingEvent(binding_id, self.clock.stamp(), "requested", req.requested_by or None,
                                          json.dumps(detail, ensure_ascii=False)))
            return self._binding_view(uow, binding_id)

    def approve_binding(self, binding_id: int, reviewer: str) -> dict[str, Any]:
        """The agency approves a pending binding (regions with review, e.g. Guangdong)."""
        with self.store.write() as uow:
            b = self._pending(uow, binding_id)
            check_employee_funder(self._people(uow, b)[b.funder_id])
            self._set_state(uow, b, "active", "approved", None, reviewer or None)
            return self._binding_view(uow, binding_id)

    def reject_binding(self, binding_id: int, reason: str) -> dict[str, Any]:
        with self.store.write() as uow:
            b = self._pending(uow, binding_id)
            self._set_state(uow, b, "rejected", "rejected", None, reason or None)
            return self._binding_view(uow, binding_id)

    def end_binding(self, binding_id: int, by: str) -> dict[str, Any]:
        """Either party ends a live binding (a pending one is withdrawn). Its rank number is freed."""
        with self.store.write() as uow:
            b = self._live(uow, binding_id)
            actor = self.lookups.party(uow, by, "操作人")
            if actor.id not in (b.funder_id, b.beneficiary_id):
                raise NotAParty()
            self._set_state(uow, b, "ended", "ended", actor.psn_no, None)
            return self._binding_view(uow, binding_id)

    def change_rank(self, binding_id: int, rank: int, by: str) -> dict[str, Any]:
        """The beneficiary moves a funder to `rank`; a funder already there takes the old rank (swap)."""
        with self.store.write() as uow:
            b = self._live(uow, binding_id)
            beneficiary = self._people(uow, b)[b.beneficiary_id]
            if self.lookups.party(uow, by, "操作人").id != beneficiary.id:
                raise NotBeneficiary()
            rules = self.lookups.policy_of(uow, beneficiary)
            if not 1 <= rank <= rules.max_funders:
                raise RankOutOfRange(rank=rank, max_funders=rules.max_funders)
            occupant = next((o for o in uow.bindings.live_of(b.beneficiary_id) if o.rank == rank and o.id != b.id),
                            None)
            now = self.clock.stamp()
            if occupant is not None:
                uow.bindings.save(replace(occupant, rank=-occupant.id))  # step aside (ranks are unique)
            uow.bindings.save(replace(b, rank=rank))
            uow.bindings.log(BindingEvent(b.id, now, "rank_changed", beneficiary.psn_no, f"{b.rank} -> {rank}"))
            if occupant is not None:
                uow.bindings.save(replace(occupant, rank=b.rank))
                uow.bindings.log(BindingEvent(occupant.id, now, "rank_changed", beneficiary.psn_no,
                                              f"{rank} -> {b.rank}"))
            return self._binding_view(uow, binding_id)

    def set_insurance_status(self, psn_no: str, status: str) -> dict[str, Any]:
        """Change a person's insurance status; when it stops (≠ 1) every binding they fund ends."""
        if status not in INSURANCE_STATUSES:
            raise BadStatus(status=status)
        with self.store.write() as uow:
            person = self.lookups.party(uow, psn_no, "参保人")
            uow.persons.set_status(person.id, status)
            ended = []
            if status != "1":
                for b in uow.bindings.of_party("funder", person.id):
                    if b.state in ("active", "pending"):
                        uow.bindings.save(replace(b, state="ended"))
                        uow.bindings.log(BindingEvent(b.id, self.clock.stamp(), "auto_ended", None,
                                                      "共济人参保状态终止，共济关系自动解除"))
                        ended.append(b.id)
            return {"psn_no": psn_no, "status": status, "ended_bindings": ended}

    # queries -----------------------------------------------------------------------------------
    def binding_detail(self, binding_id: int) -> dict[str, Any]:
        with self.store.read() as uow:
            return self._binding_view(uow, binding_id)

    def funders_of(self, psn_no: str) -> dict[str, Any]:
        """The beneficiary's view: their bindings ordered by rank."""
        with self.store.read() as uow:
            person = self.lookups.party(uow, psn_no, "被共济人")
            found = uow.bindings.of_party("beneficiary", person.id)
            return {"psn_no": psn_no, "bindings": self._binding_views(uow, found)}

    def beneficiaries_of(self, psn_no: str) -> dict[str, Any]:
        """The funder's view: whom they fund, and every leg paid from their account (家庭共济消费查询)."""
        with self.store.read() as uow:
            person = self.lookups.party(uow, psn_no, "共济人")
            found = uow.bindings.of_party("funder", person.id)
            spent = uow.settlements.spending_from("funder", person.psn_no)
            return {"psn_no": psn_no, "bindings": self._binding_views(uow, found),
                    "spending": [views.spending(row) for row in spent]}

    # helpers -----------------------------------------------------------------------------------
    def _binding(self, uow: UnitOfWork, binding_id: int) -> Binding:
        found = uow.bindings.get(binding_id, lock=True)
        if found is None:
            raise BindingUnknown(binding_id=binding_id)
        return found

    def _pending(self, uow: UnitOfWork, binding_id: int) -> Binding:
        b = self._binding(uow, binding_id)
        if b.state != "pending":
            raise BindingNotPending(binding_id=binding_id, state=b.state)
        return b

    def _live(self, uow: UnitOfWork, binding_id: int) -> Binding:
        b = self._binding(uow, binding_id)
        if b.state not in ("active", "pending"):
            raise BindingEnded(binding_id=binding_id, state=b.state)
        return b

    def _set_state(self, uow: UnitOfWork, b: Binding, state: str, action: str, actor: str | None,
                   detail: str | None) -> None:
        uow.bindings.save(replace(b, state=state))
        uow.bindings.log(BindingEvent(b.id, self.clock.stamp(), action, actor, detail))

    @staticmethod
    def _people(uow: UnitOfWork, *found: Binding) -> dict[int, Person]:
        return uow.persons.by_ids({b.funder_id for b in found} | {b.beneficiary_id for b in found})

    def _binding_views(self, uow: UnitOfWork, found: list[Binding]) -> list[dict[str, Any]]:
        people = self._people(uow, *found)
        history = uow.bindings.history(b.id for b in found)
        today = self.clock.today()
        return [views.binding(b, people, history[b.id], today) for b in found]

    def _binding_view(self, uow: UnitOfWork, binding_id: int) -> dict[str, Any]:
        found = uow.bindings.get(binding_id)
        if found is None:
            raise BindingUnknown(binding_id=binding_id)
        return self._binding_views(uow, [found])[0]
