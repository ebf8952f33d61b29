"""亲情账户: a guardian adds a minor to their app and may then show the minor's own e-voucher.

The code shown is always the minor's own (settlement is under the minor, never the guardian: §5).
"""

from __future__ import annotations

from typing import Any

from simulator.domain.family_checks import check_not_self, check_relation
from simulator.domain.models import Person, age_on
from simulator.domain.records import GuardianshipRecord
from simulator.domain.refusals import GuardianExists, NotAMinor, NotGuardian
from simulator.platform.deps import Deps
from simulator.platform.family import views

GUARDIAN_RELATIONS = ("parent", "grandparent")
ADULT_AGE = 18


class GuardianOps:
    """Guardianships behind the app API and the guardian page."""

    def __init__(self, deps: Deps) -> None:
        self.store, self.clock, self.lookups = deps.store, deps.clock, deps.lookups

    def add_guardian(self, guardian_psn_no: str, minor_psn_no: str, relation: str) -> dict[str, Any]:
        with self.store.write() as uow:
            guardian, minor = self.lookups.party(uow, guardian_psn_no, "监护人"), self.lookups.party(uow, minor_psn_no, "未成年人")
            check_not_self(guardian, minor, "不能将本人添加到自己的亲情账户")
            check_relation(relation, GUARDIAN_RELATIONS, "亲情账户")
            age = age_on(minor.birthday, self.clock.today())
            if age >= ADULT_AGE:
                raise NotAMinor(psn_no=minor.psn_no, adult_age=ADULT_AGE, age=age)
            if uow.guardianships.get(guardian.id, minor.id) is not None:
                raise GuardianExists(psn_no=minor.psn_no)
            uow.guardianships.add(GuardianshipRecord(0, guardian.id, minor.id, relation, self.clock.stamp()))
        return self.minors_of(guardian_psn_no)

    def minors_of(self, guardian_psn_no: str) -> dict[str, Any]:
        with self.store.read() as uow:
            guardian = self.lookups.party(uow, guardian_psn_no, "监护人")
            found = uow.guardianships.minors_of(guardian.id)
            people = uow.persons.by_ids(r.minor_id for r in found)
            today = self.clock.today()
            minors = [views.party(people[r.minor_id]) | {
                "relation": r.relation, "age": age_on(people[r.minor_id].birthday, today),
                "added_at": r.created_at} for r in found]
            return {"psn_no": guardian_psn_no, "name": guardian.name, "minors": minors}

    def guarded(self, guardian_psn_no: str, minor_psn_no: str) -> tuple[Person, Person]:
        """The guardian and the minor, if the minor is in the guardian's 亲情账户 (else refused)."""
        with self.store.read() as uow:
            guardian, minor = self.lookups.party(uow, guardian_psn_no, "监护人"), self.lookups.party(uow, minor_psn_no, "未成年人")
            if uow.guardianships.get(guardian.id, minor.id) is None:
                raise NotGuardian(minor_psn_no=minor_psn_no, guardian_psn_no=guardian_psn_no)
            return guardian, minor

    def person_card(self, psn_no: str) -> Person:
        with self.store.read() as uow:
            return self.lookups.party(uow, psn_no, "参保人")
