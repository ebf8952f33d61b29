"""The lookups every use-case area shares, as one collaborator (`Deps.lookups`): the institution (cached),
the person a request names or a certificate proves, the region policy that applies, an open visit.
Each refuses clearly (a `PlatformError` with a stable code) when there is nothing to find."""

from __future__ import annotations

import json
import threading

from simulator.domain.models import Institution, Person
from simulator.domain.policy import Policy
from simulator.domain.records import VisitRecord
from simulator.domain.refusals import (
    BadCertType,
    IdentityMismatch,
    InstitutionUnknown,
    MissingField,
    PersonUnknown,
    TokenExpired,
    TokenInvalid,
)
from simulator.domain.requests import RequestMeta, check_open_visit
from simulator.platform.clock import Clock
from simulator.platform.ports import UnitOfWork
from simulator.platform.region import RegionBook


class Caches:
    """Per-process caches every area shares: institutions, region policies and sign-ins change only on a
    world load, a sign-out or a reset, and are dropped for every area at once (`forget`; in shared mode
    every process drops them at its next request, platform/shared.py)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.signins: dict[str, tuple[str, str, bool]] = {}
        self.institutions: dict[str, Institution] = {}
        self.policies: dict[tuple[str, str | None], Policy] = {}
        self.generation = 0  # counts `forget`s: an answer read before one is not cached after it

    def forget(self) -> None:
        with self.lock:
            self.generation += 1
            self.signins.clear()
            self.institutions.clear()
            self.policies.clear()


class Lookups:
    """Reads that refuse clearly, in the caller's unit of work."""

    def __init__(self, clock: Clock, regions: RegionBook, caches: Caches) -> None:
        self.clock, self.regions, self.caches = clock, regions, caches

    def institution(self, uow: UnitOfWork, code: str) -> Institution:
        """Institutions change only when a world is loaded, so they are cached (dropped on load/reset)."""
        with self.caches.lock:
            cached = self.caches.institutions.get(code)
        if cached is not None:
            return cached
        found = uow.reference.institution(code)
        if found is None:
            raise InstitutionUnknown(detail=f"定点医药机构 {code} 不存在或未加载")
        with self.caches.lock:
            self.caches.institutions[code] = found
        return found

    def policy_of(self, uow: UnitOfWork, person: Person, institution: Institution | None = None) -> Policy:
        """The policy of the region where `person` is insured (docs/domain.md §1, 异地就医): it decides the
        fund rule, `account_pays_ownpay`, the family model and scope and the wallet wherever they are
        treated; the place of treatment contributes its catalogue and its own `wallet_enabled` flag.
        Profiles change only when a world is loaded, so the answer is cached per province and shop policy
        (dropped with the institutions on a world load or reset)."""
        shop = institution.policy if institution else None
        key = (person.insuplc[:2], shop)
        with self.caches.lock:
            cached, generation = self.caches.policies.get(key), self.caches.generation
        if cached is not None:
            return cached
        loaded = [json.loads(body) for body in uow.reference.policy_bodies()]
        found = self.regions.policy_for(person.insuplc, loaded, shop)
        with self.caches.lock:
            if generation == self.caches.generation:
                self.caches.policies[key] = found
        return found

    def patient(self, uow: UnitOfWork, psn_no: str) -> Person:
        if not psn_no:
            raise MissingField(detail="缺少人员编号 psn_no")
        found = uow.persons.by_key("psn_no", psn_no)
        if found is None:
            raise PersonUnknown(detail=f"人员编号 {psn_no} 不存在")
        return found

    def party(self, uow: UnitOfWork, psn_no: str, role: str) -> Person:
        """A named party of a family operation; `role` (Chinese) says which one in the message."""
        if not psn_no:
            raise MissingField(detail=f"缺少{role}的人员编号")
        found = uow.persons.by_key("psn_no", psn_no)
        if found is None:
            raise PersonUnknown(detail=f"{role} {psn_no} 不存在")
        return found

    @staticmethod
    def people_locked(uow: UnitOfWork, *people: Person) -> dict[int, Person]:
        """Re-read and lock the parties in the fixed order (ascending ids) before a money move."""
        return uow.persons.by_ids([p.id for p in people], lock=True)

    @staticmethod
    def open_visit(uow: UnitOfWork, meta: RequestMeta, mdtrt_id: str, patient: Person, lock: bool,
                   then: str = "") -> VisitRecord:
        """The outpatient visit `mdtrt_id` of this institution and patient, still registered."""
        return check_open_visit(uow.visits.get(mdtrt_id, lock=lock), meta, mdtrt_id, patient, then)

    # certificates ----------------------------------------------------------------------------
    def resolve_person(self, uow: UnitOfWork, cert_type: str, cert_no: str, card_sn: str, certno: str) -> Person:
        """The person a certificate names (01 ecToken, 02 ID number, 03 social security card)."""
        if cert_type == "01":
            return self._token_person(uow, cert_no)
        if cert_type == "02":
            number = cert_no or certno
            found = uow.persons.by_key("certno", number) if number else None
            if found is None:
                raise PersonUnknown(detail=f"证件号码 {number} 未查询到参保信息")
            return found
        if cert_type == "03":
            number = card_sn or cert_no
            found = uow.persons.by_key("card_sn", number) if number else None
            if found is None:
                raise PersonUnknown(detail=f"社保卡 {number} 未查询到参保信息")
            return found
        raise BadCertType(cert_type=cert_type)

    def _token_person(self, uow: UnitOfWork, token: str) -> Person:
        row = uow.codes.token(token) if token else None
        if row is None:
            raise TokenInvalid()
        if row.expires_at < self.clock.stamp():
            raise TokenExpired()
        return uow.persons.by_ids([row.person_id])[row.person_id]

    def check_certificate(self, uow: UnitOfWork, patient: Person, cert_type: str, cert_no: str,
                          card_sn: str = "") -> None:
        """The certificate on a visit or settlement must name the patient (no impersonation)."""
        if not cert_type and not cert_no:
            return
        if (cert_type == "02" and cert_no == patient.certno) or (
                cert_type == "03" and (card_sn or cert_no) == patient.card_sn):
            return  # the certificate names the patient: no lookup needed
        named = self.resolve_person(uow, cert_type, cert_no, card_sn, "")
        if named.id != patient.id:
            raise IdentityMismatch(detail="就诊凭证与人员编号 psn_no 不是同一人（冒名就医）")
