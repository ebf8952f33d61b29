"""What every platform operation shares: collaborators, lookups that refuse clearly, msgid claims."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from simulator.domain.models import Institution, Person
from simulator.domain.policy import Policy
from simulator.domain.refusals import (
    BadCertType,
    IdentityMismatch,
    InstitutionUnknown,
    InsuplcMismatch,
    MissingField,
    MsgidReused,
    MsgidReversed,
    PersonUnknown,
    TokenExpired,
    TokenInvalid,
    VisitCancelled,
    VisitMismatch,
    VisitUnknown,
)
from simulator.platform.clock import Clock, stamp
from simulator.platform.faults import FaultPlan
from simulator.platform.ids import IdGenerator
from simulator.platform.ports import PendingCommit, StorePort, TxPort
from simulator.platform.region import RegionBook
from simulator.platform.shared import SharedSync

_MSGID_TAIL_LEN = 18  # yyyyMMddHHmmss + 4-digit sequence


def msgid_institution(msgid: str) -> str:
    """The institution code a msgid was made by: everything before its 18-digit tail ("" if none)."""
    tail = msgid[-_MSGID_TAIL_LEN:]
    if len(msgid) <= _MSGID_TAIL_LEN or not (tail.isascii() and tail.isdigit()):
        return ""
    return msgid[:-_MSGID_TAIL_LEN]


@dataclass(frozen=True)
class RequestMeta:
    """The envelope fields every operation needs."""

    infno: str
    msgid: str
    fixmedins_code: str
    opter: str = ""
    insuplc_admdvs: str = ""


class Deps:
    """The one set of collaborators every use-case area is built from (injected by `create_app`), and the
    per-process caches they share: institutions and sign-ins change only on a world load, a sign-out or a
    reset, and are dropped for every area at once."""

    def __init__(self, store: StorePort, clock: Clock, ids: IdGenerator, faults: FaultPlan, fixtures: Path) -> None:
        self.store = store
        self.clock = clock
        self.ids = ids
        self.faults = faults
        self.fixtures = fixtures
        self.regions = RegionBook(fixtures)
        self.lock = threading.Lock()
        self.signins: dict[str, tuple[str, str, bool]] = {}
        self.institutions: dict[str, Institution] = {}
        self.shared: SharedSync | None = None  # set when several processes serve one database


class PlatformBase:
    """What every area shares: the collaborators of one `Deps` and the lookups every area needs."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.store = deps.store
        self.clock = deps.clock
        self.ids = deps.ids
        self.faults = deps.faults
        self.fixtures = deps.fixtures
        self.regions = deps.regions
        self._lock = deps.lock
        self._signins = deps.signins
        self._institutions = deps.institutions

    @property
    def shared(self) -> SharedSync | None:
        return self.deps.shared

    @shared.setter
    def shared(self, sync: SharedSync | None) -> None:
        self.deps.shared = sync

    def sync_shared(self) -> None:
        """Start of a request in shared mode: the shared clock, and fresh caches if anything changed."""
        if self.shared is not None:
            self.shared.sync(self)

    def publish(self) -> None:
        """After a reset, world load, sign-out or clock change: tell the other processes (shared mode)."""
        if self.shared is not None:
            self.shared.publish()

    def now(self) -> datetime:
        return self.clock.now().replace(microsecond=0)

    def today(self) -> date:
        return self.clock.now().date()

    def now_stamp(self) -> str:
        return stamp(self.clock.now())

    def forget_caches(self) -> None:
        with self._lock:
            self._signins.clear()
            self._institutions.clear()

    # lookups ---------------------------------------------------------------------------------
    def institution(self, tx: TxPort, code: str) -> Institution:
        """Institutions change only when a world is loaded, so they are cached (dropped on load/reset)."""
        with self._lock:
            cached = self._institutions.get(code)
        if cached is not None:
            return cached
        found = tx.institution(code)
        if found is None:
            raise InstitutionUnknown(detail=f"定点医药机构 {code} 不存在或未加载")
        with self._lock:
            self._institutions[code] = found
        return found

    def policy_of(self, tx: TxPort, person: Person, institution: Institution | None = None) -> Policy:
        """The policy of the region where `person` is insured (docs/domain.md §1, 异地就医): it decides the
        fund rule, `account_pays_ownpay`, the family model and scope and the wallet wherever they are
        treated; the place of treatment contributes its catalogue and its own `wallet_enabled` flag.
        Profiles are read per request (a handful of rows): a world load elsewhere is seen at once."""
        loaded = tx.family().loaded_policies()
        return self.regions.policy_for(person.insuplc, loaded, institution.policy if institution else None)

    def record_traffic(self, **row: Any) -> None:
        """One row of the request journal (the console's and the audit's source; store/traffic.py)."""
        self.store.traffic.record(**row)

    def deferred_commit(self) -> PendingCommit:
        """`with platform.deferred_commit() as pending: ...; pending.commit()`: one request's write
        transaction stays open until its reply is encoded; leaving without `commit()` rolls it back."""
        return self.store.deferred_commit()

    def database_name(self) -> str:
        """The database dialect serving this platform ("sqlite", "postgresql")."""
        return self.store.dialect_name

    def patient_now(self, psn_no: str) -> Person:
        """`patient` in its own read transaction (for callers outside a platform operation)."""
        with self.store.read() as tx:
            return self.patient(tx, psn_no)

    def patient(self, tx: TxPort, psn_no: str) -> Person:
        if not psn_no:
            raise MissingField(detail="缺少人员编号 psn_no")
        found = tx.person_by("psn_no", psn_no)
        if found is None:
            raise PersonUnknown(detail=f"人员编号 {psn_no} 不存在")
        return found

    def check_insuplc(self, meta: RequestMeta, person: Person) -> None:
        if meta.insuplc_admdvs and meta.insuplc_admdvs != person.insuplc:
            raise InsuplcMismatch(insuplc_admdvs=meta.insuplc_admdvs, insuplc=person.insuplc)

    # msgid -----------------------------------------------------------------------------------
    def claim(self, tx: TxPort, meta: RequestMeta, psn_no: str | None = None, setl_id: str | None = None) -> None:
        """Record the msgid in this transaction; a reused or reversed (dead) msgid is refused.

        The record is part of the request's transaction: a rejected request (infcode -1) rolls back and
        leaves no record, so its msgid is not consumed and may be sent again (nothing happened under it);
        2601 of it marks it dead. A msgid that was answered with success is never accepted again."""
        self.check_unused(tx, meta, lock=True)
        tx.insert_message(msgid=meta.msgid, infno=meta.infno, fixmedins_code=meta.fixmedins_code,
                          psn_no=psn_no, status="ok", setl_id=setl_id, at=self.now_stamp())

    def check_unused(self, tx: TxPort, meta: RequestMeta, lock: bool = False) -> None:
        """Refuse a msgid that was already answered with success or marked dead (2601)."""
        found = tx.message(meta.msgid, lock=lock)
        if found is not None and found.status == "dead":
            raise MsgidReversed(msgid=meta.msgid)
        if found is not None:
            raise MsgidReused(msgid=meta.msgid)

    def claim_read_only(self, meta: RequestMeta, psn_no: str | None = None) -> None:
        """Record the msgid of a call that changed nothing (1101, 2101, 2206), after its answer was
        computed in a read transaction: the write lock is held for one insert, not for the whole call,
        so queries never queue behind settlements on SQLite. The caller already ran `check_unused`
        in its read transaction (same refusals, same order as `claim`); this re-checks under the lock."""
        with self.store.write() as tx:
            self.claim(tx, meta, psn_no)

    @staticmethod
    def open_visit(tx: TxPort, meta: RequestMeta, mdtrt_id: str, patient: Person, lock: bool, then: str = "") -> Any:
        """The outpatient visit `mdtrt_id` of this institution and this patient, still registered: the one
        check of 2202-2205 and 2206/2207 (`then` ends the cancelled-visit message, e.g. "，不能结算")."""
        visit = tx.visit(mdtrt_id, lock=lock)
        if visit is None or visit.fixmedins_code != meta.fixmedins_code or visit.kind != "outpatient":
            raise VisitUnknown(mdtrt_id=mdtrt_id)
        if visit.person_id != patient.id:
            raise VisitMismatch()
        if visit.status != "registered":
            raise VisitCancelled(then=then)
        return visit

    # certificates ----------------------------------------------------------------------------
    def resolve_person(self, tx: TxPort, cert_type: str, cert_no: str, card_sn: str, certno: str) -> Person:
        """The person a certificate names (01 ecToken, 02 ID number, 03 social security card)."""
        if cert_type == "01":
            return self._token_person(tx, cert_no)
        if cert_type == "02":
            number = cert_no or certno
            found = tx.person_by("certno", number) if number else None
            if found is None:
                raise PersonUnknown(detail=f"证件号码 {number} 未查询到参保信息")
            return found
        if cert_type == "03":
            number = card_sn or cert_no
            found = tx.person_by("card_sn", number) if number else None
            if found is None:
                raise PersonUnknown(detail=f"社保卡 {number} 未查询到参保信息")
            return found
        raise BadCertType(cert_type=cert_type)

    def _token_person(self, tx: TxPort, token: str) -> Person:
        row = tx.token(token) if token else None
        if row is None:
            raise TokenInvalid()
        if str(row.expires_at) < self.now_stamp():
            raise TokenExpired()
        found = tx.persons_by_ids([int(row.person_id)])
        return found[int(row.person_id)]

    def check_certificate(self, tx: TxPort, patient: Person, cert_type: str, cert_no: str, card_sn: str = "") -> None:
        """The certificate on a visit or settlement must name the patient (no impersonation)."""
        if not cert_type and not cert_no:
            return
        if (cert_type == "02" and cert_no == patient.certno) or (
                cert_type == "03" and (card_sn or cert_no) == patient.card_sn):
            return  # the certificate names the patient: no lookup needed
        named = self.resolve_person(tx, cert_type, cert_no, card_sn, "")
        if named.id != patient.id:
            raise IdentityMismatch(detail="就诊凭证与人员编号 psn_no 不是同一人（冒名就医）")
