"""亲情账户: a guardian adds a minor to their app and may then show the minor's own e-voucher.

The code shown is always the minor's own (settlement is under the minor, never the guardian: §5).
"""

from __future__ import annotations

from typing import Any

from simulator.domain.models import Person, age_on
from simulator.domain.refusals import GuardianExists, NotAMinor, NotGuardian
from simulator.platform.family import views
from simulator.platform.family.base import FamilyBase, check_not_self, check_relation

GUARDIAN_RELATIONS = ("parent", "grandparent")
ADULT_AGE = 18


class GuardianOps(FamilyBase):
    """Guardianships behind the app API and the guardian page."""

    def add_guardian(self, guardian_psn_no: str, minor_psn_no: str, relation: str) -> dict[str, Any]:
        with self.store.write() as tx:
            guardian, minor = self.person(tx, guardian_psn_no, "监护人"), self.person(tx, minor_psn_no, "未成年人")
            check_not_self(guardian, minor, "不能将本人添加到自己的亲情账户")
            check_relation(relation, GUARDIAN_RELATIONS, "亲情账户")
            age = age_on(minor.birthday, self.today())
            if age >= ADULT_AGE:
                raise NotAMinor(psn_no=minor.psn_no, adult_age=ADULT_AGE, age=age)
            fam = self.fam(tx)
            if fam.guardianship(guardian.id, minor.id) is not None:
                raise GuardianExists(psn_no=minor.psn_no)
            fam.insert_guardianship(guardian_id=guardian.id, minor_id=minor.id, relation=relation,
                                    created_at=self.now_stamp())
        return self.minors_of(guardian_psn_no)

    def minors_of(self, guardian_psn_no: str) -> dict[str, Any]:
        with self.store.read() as tx:
            guardian = self.person(tx, guardian_psn_no, "监护人")
            found = self.fam(tx).minors_of(guardian.id)
            people = tx.persons_by_ids(int(r.minor_id) for r in found)
            today = self.today()
            minors = [views.party(people[int(r.minor_id)]) | {
                "relation": r.relation, "age": age_on(people[int(r.minor_id)].birthday, today),
                "added_at": r.created_at} for r in found]
            return {"psn_no": guardian_psn_no, "name": guardian.name, "minors": minors}

    def guarded(self, guardian_psn_no: str, minor_psn_no: str) -> tuple[Person, Person]:
        """The guardian and the minor, if the minor is in the guardian's 亲情账户 (else refused)."""
        with self.store.read() as tx:
            guardian, minor = self.person(tx, guardian_psn_no, "监护人"), self.person(tx, minor_psn_no, "未成年人")
            if self.fam(tx).guardianship(guardian.id, minor.id) is None:
                raise NotGuardian(minor_psn_no=minor_psn_no, guardian_psn_no=guardian_psn_no)
            return guardian, minor

    def person_card(self, psn_no: str) -> Person:
        with self.store.read() as tx:
            return self.person(tx, psn_no, "参保人")
