"""What every platform operation is asked with (the envelope's fields) and the checks on it that need no
store: the msgid's institution, the insured place the till named, the visit a request names."""

from __future__ import annotations

from dataclasses import dataclass

from simulator.domain.models import Person
from simulator.domain.records import VisitRecord
from simulator.domain.refusals import InsuplcMismatch, VisitCancelled, VisitMismatch, VisitUnknown

_MSGID_TAIL_LEN = 18  # yyyyMMddHHmmss + 4-digit sequence


@dataclass(frozen=True)
class RequestMeta:
    """The envelope fields every operation needs."""

    infno: str
    msgid: str
    fixmedins_code: str
    opter: str = ""
    insuplc_admdvs: str = ""


def msgid_institution(msgid: str) -> str:
    """The institution code a msgid was made by: everything before its 18-digit tail ("" if none)."""
    tail = msgid[-_MSGID_TAIL_LEN:]
    if len(msgid) <= _MSGID_TAIL_LEN or not (tail.isascii() and tail.isdigit()):
        return ""
    return msgid[:-_MSGID_TAIL_LEN]


def check_insuplc(meta: RequestMeta, person: Person) -> None:
    """The insured place the till sent (insuplc_admdvs), if any, must be the person's."""
    if meta.insuplc_admdvs and meta.insuplc_admdvs != person.insuplc:
        raise InsuplcMismatch(insuplc_admdvs=meta.insuplc_admdvs, insuplc=person.insuplc)


def check_open_visit(visit: VisitRecord | None, meta: RequestMeta, mdtrt_id: str, patient: Person,
                     then: str = "") -> VisitRecord:
    """The outpatient visit `mdtrt_id` of this institution and this patient, still registered: the one
    check of 2202-2205 and 2206/2207 (`then` ends the cancelled-visit message, e.g. "，不能结算")."""
    if visit is None or visit.fixmedins_code != meta.fixmedins_code or visit.kind != "outpatient":
        raise VisitUnknown(mdtrt_id=mdtrt_id)
    if visit.person_id != patient.id:
        raise VisitMismatch()
    if visit.status != "registered":
        raise VisitCancelled(then=then)
    return visit
