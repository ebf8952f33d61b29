"""The party checks of family accounts (docs/domain.md §3): relation, insurance, scope, face verification,
reused by bindings, pools, wallets and guardianships. Pure: each raises a `PlatformError` subclass with a
stable English code and a Chinese message, inside the operation's write transaction (a refusal rolls
everything back)."""

from __future__ import annotations

from datetime import date

from simulator.domain.models import Person, age_on
from simulator.domain.policy import NEAR_RELATIVES, Policy, in_scope
from simulator.domain.refusals import (
    BeneficiaryNotInsured,
    FaceCheckRequired,
    FunderNotEmployee,
    FunderNotNormal,
    OutOfScope,
    RelationNotAllowed,
    RuleRefused,
    SelfBinding,
)

RELATION_NAMES = {"spouse": "配偶", "parent": "父母", "child": "子女", "sibling": "兄弟姐妹",
                  "grandparent": "祖父母/外祖父母", "grandchild": "孙子女/外孙子女"}
SCOPE_NAMES = {"pooling_region": "同一统筹区", "province": "同一省份", "national": "全国"}


def check_not_self(first: Person, second: Person, message: str, refusal: type[RuleRefused] = SelfBinding) -> None:
    """A person may not fund (or be the relative of) themselves."""
    if first.id == second.id:
        raise refusal(detail=message)


def check_relation(relation: str, allowed: tuple[str, ...], region: str) -> None:
    """`relation` must be a near-relative word the region allows."""
    if relation not in NEAR_RELATIVES:
        raise RelationNotAllowed(detail=f"亲属关系 {relation!r} 无效（可选：{'/'.join(NEAR_RELATIVES)}）")
    if relation not in allowed:
        names = "、".join(RELATION_NAMES[r] for r in allowed)
        raise RelationNotAllowed(detail=f"{region}不允许与{RELATION_NAMES[relation]}建立此关系（仅限：{names}）")


def check_employee_funder(person: Person, role: str = "共济人") -> None:
    """A funder (or pool creator) owns a personal account: employee-insured (310), status normal."""
    if person.insutype != "310" or person.balance is None:
        raise FunderNotEmployee(role=role)
    if person.status != "1":
        raise FunderNotNormal(role=role)


def check_insured(person: Person, role: str = "被共济人") -> None:
    if person.status != "1":
        raise BeneficiaryNotInsured(role=role)


def check_scope(rules: Policy, first: Person, second: Person) -> None:
    if not in_scope(rules.scope, first.insuplc, second.insuplc):
        raise OutOfScope(insuplc=first.insuplc, other_insuplc=second.insuplc,
                         scope=SCOPE_NAMES[rules.scope], policy=rules.name)


def check_face(rules: Policy, today: date, parties: list[tuple[Person, bool, str]]) -> None:
    """Every party at or over the region's face-check age must have passed face verification."""
    for person, verified, role in parties:
        if age_on(person.birthday, today) >= rules.face_check_age and not verified:
            age = "所有参与人" if rules.face_check_age == 0 else f"{rules.face_check_age} 周岁及以上的"
            raise FaceCheckRequired(role=role, policy=rules.name, age=age)
