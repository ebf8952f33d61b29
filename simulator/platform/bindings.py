"""Family mutual-aid bindings (家庭共济绑定), drawdown model: request, review, rank, end, queries.

Rules per region (docs/domain.md §3), each refusal a stable code: relation, funder employee-insured and
normal, beneficiary insured, no self-binding, rank in range and free, at most `max_funders`,
family of at most 7, scope, face check, start/end dates. The funder's insurance stopping ends every
binding they fund (`set_insurance_status`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from simulator.platform import family_views as views
from simulator.platform.errors import NotFound, RequestRejected, RuleRefused
from simulator.platform.family_base import (
    FamilyBase,
    check_employee_funder,
    check_face,
    check_insured,
    check_not_self,
    check_relation,
    check_scope,
)
from simulator.platform.models import Binding, Person
from simulator.platform.policy import Policy
from simulator.store.store import Tx
from simulator.store.tx_family import FamilyQueries

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
        raise RuleRefused("ERR_DATES_REQUIRED", f"{rules.name} 的共济关系须填写起止日期（start 与 end）")
    if start is not None and end is not None and end < start:
        raise RuleRefused("ERR_END_BEFORE_START", f"终止日期 {end.isoformat()} 早于开始日期 {start.isoformat()}")
    if end is not None and end < today:
        raise RuleRefused("ERR_END_IN_PAST", f"终止日期 {end.isoformat()} 已过（今天 {today.isoformat()}）")


def pick_rank(wanted: int | None, live: list[Binding], max_funders: int) -> int:
    """The requested rank if in range and free; without one, the lowest free rank."""
    taken = {b.rank for b in live}
    if wanted is None:
        return min(r for r in range(1, max_funders + 1) if r not in taken)
    if not 1 <= wanted <= max_funders:
        raise RuleRefused("ERR_RANK_OUT_OF_RANGE", f"共济顺位 {wanted} 超出范围（1–{max_funders}）")
    if wanted in taken:
        raise RuleRefused("ERR_RANK_TAKEN", f"共济顺位 {wanted} 已被占用")
    return wanted


def family_of(fam: FamilyQueries, person_id: int) -> set[int]:
    """Everyone linked to `person_id` through live (active or pending) bindings, including them."""
    seen, frontier = {person_id}, {person_id}
    while frontier:
        links = fam.live_bindings_touching(frontier)
        reached = {b.funder_id for b in links} | {b.beneficiary_id for b in links}
        frontier = reached - seen
        seen |= reached
    return seen


def check_family_size(fam: FamilyQueries, rules: Policy, funder: Person, beneficiary: Person) -> None:
    size = len(family_of(fam, funder.id) | family_of(fam, beneficiary.id))
    if size > rules.max_family_size:
        raise RuleRefused("ERR_FAMILY_TOO_LARGE",
                          f"家庭共济成员（含共济人）最多 {rules.max_family_size} 人，本次绑定后将达 {size} 人")


class BindingOps(FamilyBase):
    """The binding lifecycle behind the app API."""

    def request_binding(self, req: BindingRequest) -> dict[str, Any]:
        today = self.today()
        with self.store.write() as tx:
            fam = self.fam(tx)
            funder, beneficiary = self.person(tx, req.funder, "共济人"), self.person(tx, req.beneficiary, "被共济人")
            check_not_self(funder, beneficiary, "不能为本人共济（共济人与被共济人是同一人）")
            rules = self.rules_of(tx, beneficiary)
            if rules.model != "drawdown":
                raise RuleRefused("ERR_MODEL_FAMILY_POOL",
                                  f"{rules.name} 采用家庭共济账户模式：请由家庭创建人创建共济账户并邀请成员")
            check_relation(req.relation, rules.relations, rules.name)
            check_employee_funder(funder)
            check_insured(beneficiary)
            check_scope(rules, funder, beneficiary)
            check_face(rules, today, [(funder, req.funder_face, "共济人"),
                                      (beneficiary, req.beneficiary_face, "被共济人")])
            check_dates(rules, req.start, req.end, today)
            live = fam.live_bindings_of(beneficiary.id)
            if any(b.funder_id == funder.id for b in live):
                raise RuleRefused("ERR_BINDING_EXISTS", "双方已存在有效或待审核的共济关系")
            if len(live) >= rules.max_funders:
                raise RuleRefused("ERR_TOO_MANY_FUNDERS", f"被共济人最多绑定 {rules.max_funders} 名共济人（{rules.name}）")
            rank = pick_rank(req.rank, live, rules.max_funders)
            check_family_size(fam, rules, funder, beneficiary)
            state = "pending" if rules.review_required else "active"
            binding_id = fam.insert_binding(
                funder_id=funder.id, beneficiary_id=beneficiary.id, rank=rank, relation=req.relation,
                start_date=None if req.start is None else req.start.isoformat(),
                end_date=None if req.end is None else req.end.isoformat(), state=state)
            detail = {"state": state, "policy": rules.name, "face": {"funder": req.funder_face,
                                                                     "beneficiary": req.beneficiary_face}}
            fam.log_binding(binding_id, self.now_stamp(), "requested", req.requested_by or None,
                            json.dumps(detail, ensure_ascii=False))
            return self._binding_view(tx, binding_id)

    def approve_binding(self, binding_id: int, reviewer: str) -> dict[str, Any]:
        """The agency approves a pending binding (regions with review, e.g. Guangdong)."""
        with self.store.write() as tx:
            b = self._pending(tx, binding_id)
            check_employee_funder(self._people(tx, b)[b.funder_id])
            self._set_state(tx, b, "active", "approved", None, reviewer or None)
            return self._binding_view(tx, binding_id)

    def reject_binding(self, binding_id: int, reason: str) -> dict[str, Any]:
        with self.store.write() as tx:
            b = self._pending(tx, binding_id)
            self._set_state(tx, b, "rejected", "rejected", None, reason or None)
            return self._binding_view(tx, binding_id)

    def end_binding(self, binding_id: int, by: str) -> dict[str, Any]:
        """Either party ends a live binding (a pending one is withdrawn). Its rank number is freed."""
        with self.store.write() as tx:
            b = self._live(tx, binding_id)
            actor = self.person(tx, by, "操作人")
            if actor.id not in (b.funder_id, b.beneficiary_id):
                raise RuleRefused("ERR_NOT_A_PARTY", "只有共济人或被共济人本人可以解除共济关系")
            self._set_state(tx, b, "ended", "ended", actor.psn_no, None)
            return self._binding_view(tx, binding_id)

    def change_rank(self, binding_id: int, rank: int, by: str) -> dict[str, Any]:
        """The beneficiary moves a funder to `rank`; a funder already there takes the old rank (swap)."""
        with self.store.write() as tx:
            fam = self.fam(tx)
            b = self._live(tx, binding_id)
            beneficiary = self._people(tx, b)[b.beneficiary_id]
            if self.person(tx, by, "操作人").id != beneficiary.id:
                raise RuleRefused("ERR_NOT_BENEFICIARY", "只有被共济人本人可以调整共济顺位")
            rules = self.rules_of(tx, beneficiary)
            if not 1 <= rank <= rules.max_funders:
                raise RuleRefused("ERR_RANK_OUT_OF_RANGE", f"共济顺位 {rank} 超出范围（1–{rules.max_funders}）")
            occupant = next((o for o in fam.live_bindings_of(b.beneficiary_id) if o.rank == rank and o.id != b.id),
                            None)
            now = self.now_stamp()
            if occupant is not None:
                fam.update_binding(occupant.id, rank=-occupant.id)  # step aside (ranks are unique)
            fam.update_binding(b.id, rank=rank)
            fam.log_binding(b.id, now, "rank_changed", beneficiary.psn_no, f"{b.rank} -> {rank}")
            if occupant is not None:
                fam.update_binding(occupant.id, rank=b.rank)
                fam.log_binding(occupant.id, now, "rank_changed", beneficiary.psn_no, f"{rank} -> {b.rank}")
            return self._binding_view(tx, binding_id)

    def set_insurance_status(self, psn_no: str, status: str) -> dict[str, Any]:
        """Change a person's insurance status; when it stops (≠ 1) every binding they fund ends."""
        if status not in INSURANCE_STATUSES:
            raise RequestRejected("ERR_BAD_STATUS", f"参保状态 {status!r} 无效（1 正常 / 2 暂停 / 4 终止）")
        with self.store.write() as tx:
            fam = self.fam(tx)
            person = self.person(tx, psn_no, "参保人")
            fam.set_person_status(person.id, status)
            ended = []
            if status != "1":
                for b in fam.bindings_as("funder_id", person.id):
                    if b.state in ("active", "pending"):
                        fam.update_binding(b.id, state="ended")
                        fam.log_binding(b.id, self.now_stamp(), "auto_ended", None, "共济人参保状态终止，共济关系自动解除")
                        ended.append(b.id)
            return {"psn_no": psn_no, "status": status, "ended_bindings": ended}

    # queries -----------------------------------------------------------------------------------
    def binding_detail(self, binding_id: int) -> dict[str, Any]:
        with self.store.read() as tx:
            return self._binding_view(tx, binding_id)

    def funders_of(self, psn_no: str) -> dict[str, Any]:
        """The beneficiary's view: their bindings ordered by rank."""
        with self.store.read() as tx:
            person = self.person(tx, psn_no, "被共济人")
            found = self.fam(tx).bindings_as("beneficiary_id", person.id)
            return {"psn_no": psn_no, "bindings": self._binding_views(tx, found)}

    def beneficiaries_of(self, psn_no: str) -> dict[str, Any]:
        """The funder's view: whom they fund, and every leg paid from their account (家庭共济消费查询)."""
        with self.store.read() as tx:
            fam = self.fam(tx)
            person = self.person(tx, psn_no, "共济人")
            found = fam.bindings_as("funder_id", person.id)
            spent = fam.spending_from("funder", person.psn_no)
            return {"psn_no": psn_no, "bindings": self._binding_views(tx, found),
                    "spending": [views.spending(row) for row in spent]}

    # helpers -----------------------------------------------------------------------------------
    def _binding(self, tx: Tx, binding_id: int) -> Binding:
        found = self.fam(tx).binding(binding_id, lock=True)
        if found is None:
            raise NotFound("ERR_BINDING_UNKNOWN", f"共济关系 {binding_id} 不存在")
        return found

    def _pending(self, tx: Tx, binding_id: int) -> Binding:
        b = self._binding(tx, binding_id)
        if b.state != "pending":
            raise RuleRefused("ERR_BINDING_NOT_PENDING", f"共济关系 {binding_id} 不在待审核状态（{b.state}）")
        return b

    def _live(self, tx: Tx, binding_id: int) -> Binding:
        b = self._binding(tx, binding_id)
        if b.state not in ("active", "pending"):
            raise RuleRefused("ERR_BINDING_ENDED", f"共济关系 {binding_id} 已终止或未通过审核（{b.state}）")
        return b

    def _set_state(self, tx: Tx, b: Binding, state: str, action: str, actor: str | None, detail: str | None) -> None:
        fam = self.fam(tx)
        fam.update_binding(b.id, state=state)
        fam.log_binding(b.id, self.now_stamp(), action, actor, detail)

    @staticmethod
    def _people(tx: Tx, *found: Binding) -> dict[int, Person]:
        return tx.persons_by_ids({b.funder_id for b in found} | {b.beneficiary_id for b in found})

    def _binding_views(self, tx: Tx, found: list[Binding]) -> list[dict[str, Any]]:
        people = self._people(tx, *found)
        history = self.fam(tx).binding_history(b.id for b in found)
        today = self.today()
        return [views.binding(b, people, history[b.id], today) for b in found]

    def _binding_view(self, tx: Tx, binding_id: int) -> dict[str, Any]:
        found = self.fam(tx).binding(binding_id)
        if found is None:
            raise NotFound("ERR_BINDING_UNKNOWN", f"共济关系 {binding_id} 不存在")
        return self._binding_views(tx, [found])[0]
