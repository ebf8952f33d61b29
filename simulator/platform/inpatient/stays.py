"""An inpatient stay from admission to discharge (docs/domain.md §2.7): 2401 admit, 2403 change, 2404 cancel the
admission, 2301 fee lines (the platform's split of each), 2302 delete lines, 2402 discharge, 2405 cancel the
discharge. The settlement (2303/2304) is in simulator/platform/settlement/settle.py, its revoke (2305) with the
other revokes. Every state rule is a refusal of the catalogue; a refusal changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from simulator.domain.models import FeeLine, Person
from simulator.domain.money import to_fen
from simulator.domain.plan import STATUS_NAMES
from simulator.domain.records import StayLineRecord, StayRecord
from simulator.domain.refusals import (
    DischargeBeforeAdmission,
    DuplicateFeeLine,
    FeeOutsideStay,
    InsutypeMismatch,
    NotInsured,
    StayCancelled,
    StayDischarged,
    StayNotDischarged,
    StayOpen,
    StaySettled,
    StayUnknown,
    VisitMismatch,
)
from simulator.domain.requests import RequestMeta, check_insuplc
from simulator.domain.split import LineSplit, split_line
from simulator.platform.catalogue.lookup import check_mapped, line_catalogue
from simulator.platform.deps import Deps
from simulator.platform.inpatient.repository import StayRepository
from simulator.platform.ports import UnitOfWork


@dataclass(frozen=True)
class Ward:
    """Where and under whom the patient lies (2401; any of it changed by 2403)."""

    ipt_no: str = ""
    adm_dept_codg: str = ""
    adm_dept_name: str = ""
    adm_bed: str = ""
    atddr_no: str = ""
    chfpdr_name: str = ""
    adm_diag_dscr: str = ""


@dataclass(frozen=True)
class Admission:
    """A 2401 request, parsed from the wire."""

    psn_no: str
    insutype: str
    begntime: str
    cert_type: str
    cert_no: str
    card_sn: str
    ward: Ward
    diseinfo: str  # the diagnoses as JSON text


@dataclass(frozen=True)
class Discharge:
    """A 2402 request, parsed from the wire."""

    endtime: str
    dscg_dept_codg: str
    dscg_dept_name: str
    dscg_way: str
    diseinfo: str | None  # None: keep the admission's diagnoses


@dataclass(frozen=True)
class StayFee:
    """One 2301 fee line and when the cost arose (inside the stay)."""

    line: FeeLine
    fee_ocur_time: str


def open_stay(tx: UnitOfWork, meta: RequestMeta, mdtrt_id: str, patient: Person, lock: bool,
              then: str = "") -> StayRecord:
    """The stay `mdtrt_id` of this institution and this patient, not cancelled: the one check every stay step
    starts with (`then` ends the cancelled-stay message)."""
    stay = tx.stays.get(mdtrt_id, lock=lock)
    if stay is None or stay.fixmedins_code != meta.fixmedins_code:
        raise StayUnknown(mdtrt_id=mdtrt_id)
    if stay.person_id != patient.id:
        raise VisitMismatch()
    if stay.status == "cancelled":
        raise StayCancelled(then=then)
    return stay


def unsettle_stay(stays: StayRepository, setl_id: str, mdtrt_id: str) -> None:
    """A revoked or reversed stay settlement: its lines are unsettled again, the stay is back to discharged."""
    stays.unsettle_lines(setl_id)
    stay = stays.get(mdtrt_id, lock=True)
    if stay is None or stay.setl_id != setl_id:
        raise AssertionError(f"stay {mdtrt_id} does not hold settlement {setl_id}")
    stays.save(replace(stay, status="discharged", setl_id=None))


class StayOps:
    """2401–2405, 2301/2302."""

    def __init__(self, deps: Deps) -> None:
        self.store, self.clock, self.ids = deps.store, deps.clock, deps.ids
        self.lookups, self.msgids = deps.lookups, deps.msgids

    def _stay(self, tx: UnitOfWork, meta: RequestMeta, mdtrt_id: str, psn_no: str, then: str = "") -> StayRecord:
        patient = self.lookups.patient(tx, psn_no)
        check_insuplc(meta, patient)
        return open_stay(tx, meta, mdtrt_id, patient, lock=True, then=then)

    def admit(self, meta: RequestMeta, adm: Admission) -> str:
        """2401: admit the patient (one unsettled stay per patient and institution); returns the mdtrt_id."""
        serial = self.ids.serial("mdtrt")
        with self.store.write() as tx:
            self.msgids.claim(tx, meta, adm.psn_no)
            institution = self.lookups.institution(tx, meta.fixmedins_code)
            patient = self.lookups.patient(tx, adm.psn_no)
            check_insuplc(meta, patient)
            if patient.status != "1":
                raise NotInsured(status=STATUS_NAMES.get(patient.status, patient.status), what="办理入院登记")
            if adm.insutype != patient.insutype:
                raise InsutypeMismatch(insutype=adm.insutype, insured=patient.insutype)
            self.lookups.check_certificate(tx, patient, adm.cert_type, adm.cert_no, adm.card_sn)
            stays = tx.stays
            for other in stays.of_person(patient.id):
                if other.fixmedins_code == meta.fixmedins_code and other.status in ("admitted", "discharged"):
                    raise StayOpen(mdtrt_id=other.mdtrt_id)
            mdtrt_id = self.ids.mdtrt_id(institution.admdvs, serial)
            w = adm.ward
            stays.add(StayRecord(
                id=0, mdtrt_id=mdtrt_id, person_id=patient.id, fixmedins_code=meta.fixmedins_code,
                insutype=patient.insutype, status="admitted", begntime=adm.begntime, endtime=None,
                ipt_no=w.ipt_no, adm_dept_codg=w.adm_dept_codg, adm_dept_name=w.adm_dept_name, adm_bed=w.adm_bed,
                atddr_no=w.atddr_no, chfpdr_name=w.chfpdr_name, adm_diag_dscr=w.adm_diag_dscr, dscg_dept_codg="",
                dscg_dept_name="", dscg_way="", diseinfo=adm.diseinfo, setl_id=None))
            return mdtrt_id

    def change(self, meta: RequestMeta, mdtrt_id: str, psn_no: str, ward: Ward, begntime: str,
               diseinfo: str | None) -> None:
        """2403: change the admission's ward fields, admission time or diagnoses, before settlement."""
        with self.store.write() as tx:
            self.msgids.claim(tx, meta, psn_no)
            stay = self._stay(tx, meta, mdtrt_id, psn_no, then="，不能变更")
            if stay.status == "settled":
                raise StaySettled(setl_id=stay.setl_id, then="不能变更入院信息，请先撤销结算（2305）")
            begin = begntime or stay.begntime
            if stay.endtime is not None and stay.endtime < begin:
                raise DischargeBeforeAdmission(endtime=stay.endtime, begntime=begin)
            lines = tx.stays.lines(mdtrt_id)
            _check_inside(begin, stay.endtime or OPEN_END,
                          [(f"已上传明细 {r.feedetl_sn}", r.fee_ocur_time) for r in lines])
            tx.stays.save(replace(
                stay, begntime=begin, diseinfo=stay.diseinfo if diseinfo is None else diseinfo,
                **{name: getattr(ward, name) or getattr(stay, name) for name in _WARD_FIELDS}))

    def cancel(self, meta: RequestMeta, mdtrt_id: str, psn_no: str) -> None:
        """2404: cancel an admission that is neither discharged nor settled; its unsettled lines go too."""
        with self.store.write() as tx:
            self.msgids.claim(tx, meta, psn_no)
            stay = self._stay(tx, meta, mdtrt_id, psn_no, then="，不能重复取消")
            if stay.status == "settled":
                raise StaySettled(setl_id=stay.setl_id, then="不能取消入院，请先撤销结算（2305）")
            if stay.status == "discharged":
                raise StayDischarged(endtime=stay.endtime, then="请先撤销出院（2405）再取消入院")
            stays = tx.stays
            stays.delete_lines([r.id for r in stays.lines(mdtrt_id) if r.setl_id is None])
            stays.save(replace(stay, status="cancelled"))

    def upload(self, meta: RequestMeta, mdtrt_id: str, psn_no: str,
               fees: Sequence[StayFee]) -> tuple[list[LineSplit], tuple[str, ...]]:
        """2301: store fee lines of a stay still in hospital; returns the platform's split of each, with the
        catalogue's warnings."""
        sns = [fee.line.feedetl_sn for fee in fees]
        if len(set(sns)) != len(sns):
            raise DuplicateFeeLine(detail="同一次上传中费用明细流水号 feedetl_sn 重复")
        with self.store.write() as tx:
            self.msgids.claim(tx, meta, psn_no)
            stay = self._stay(tx, meta, mdtrt_id, psn_no, then="，不能上传费用")
            if stay.status == "settled":
                raise StaySettled(setl_id=stay.setl_id, then="不能再上传费用")
            if stay.status == "discharged":
                raise StayDischarged(endtime=stay.endtime, then="不能再上传费用（需补录请先撤销出院 2405）")
            _check_inside(stay.begntime, OPEN_END,
                          [(f"feedetail[{n}]", fee.fee_ocur_time) for n, fee in enumerate(fees, start=1)])
            stays = tx.stays
            clash = sorted({r.feedetl_sn for r in stays.lines(mdtrt_id)} & set(sns))
            if clash:
                raise DuplicateFeeLine(detail=f"费用明细流水号已上传：{', '.join(clash)}")
            check_mapped(tx.catalogue, meta.fixmedins_code, [fee.line for fee in fees])
            stays.add_lines([StayLineRecord(
                id=0, mdtrt_id=mdtrt_id, feedetl_sn=f.line.feedetl_sn, code=f.line.code, name=f.line.name,
                cnt=str(f.line.cnt), pric=str(f.line.pric), amt_fen=to_fen(f.line.amt), fee_ocur_time=f.fee_ocur_time,
                setl_id=None, revoked_setl_id=None) for f in fees])
            found = line_catalogue(tx.catalogue, (fee.line.code for fee in fees), self.clock.today())
            return [split_line(fee.line, found.items.get(fee.line.code)) for fee in fees], found.warnings

    def delete_lines(self, meta: RequestMeta, mdtrt_id: str, psn_no: str, feedetl_sn: str) -> int:
        """2302: delete one unsettled line (`0000`: every unsettled line) of a stay not settled. Returns how many."""
        with self.store.write() as tx:
            self.msgids.claim(tx, meta, psn_no)
            stay = self._stay(tx, meta, mdtrt_id, psn_no, then="，不能删除费用")
            if stay.status == "settled":
                raise StaySettled(setl_id=stay.setl_id, then="不能删除费用，请先撤销结算（2305）")
            stays = tx.stays
            doomed = [r.id for r in stays.lines(mdtrt_id)
                      if r.setl_id is None and feedetl_sn in ("0000", r.feedetl_sn)]
            stays.delete_lines(doomed)
            return len(doomed)

    def discharge(self, meta: RequestMeta, mdtrt_id: str, psn_no: str, insutype: str, out: Discharge) -> None:
        """2402: discharge a stay in hospital; fees after `endtime` are refused from now on."""
        with self.store.write() as tx:
            self.msgids.claim(tx, meta, psn_no)
            stay = self._stay(tx, meta, mdtrt_id, psn_no, then="，不能办理出院")
            if insutype and insutype != stay.insutype:
                raise InsutypeMismatch(insutype=insutype, insured=stay.insutype)
            if stay.status == "settled":
                raise StaySettled(setl_id=stay.setl_id, then="不能重复办理出院")
            if stay.status == "discharged":
                raise StayDischarged(endtime=stay.endtime, then="不能重复办理出院")
            if out.endtime < stay.begntime:
                raise DischargeBeforeAdmission(endtime=out.endtime, begntime=stay.begntime)
            _check_inside(stay.begntime, out.endtime,
                          [(f"已上传明细 {r.feedetl_sn}", r.fee_ocur_time) for r in tx.stays.lines(mdtrt_id)])
            tx.stays.save(replace(stay, status="discharged", endtime=out.endtime, dscg_dept_codg=out.dscg_dept_codg,
                                    dscg_dept_name=out.dscg_dept_name, dscg_way=out.dscg_way,
                                    diseinfo=stay.diseinfo if out.diseinfo is None else out.diseinfo))

    def cancel_discharge(self, meta: RequestMeta, mdtrt_id: str, psn_no: str) -> None:
        """2405: undo a discharge that is not settled (the settlement must be revoked first)."""
        with self.store.write() as tx:
            self.msgids.claim(tx, meta, psn_no)
            stay = self._stay(tx, meta, mdtrt_id, psn_no, then="，不能撤销出院")
            if stay.status == "settled":
                raise StaySettled(setl_id=stay.setl_id, then="请先撤销结算（2305）再撤销出院")
            if stay.status == "admitted":
                raise StayNotDischarged(then="无出院可撤销")
            tx.stays.save(replace(stay, status="admitted", endtime=None, dscg_dept_codg="", dscg_dept_name="",
                                    dscg_way=""))


_WARD_FIELDS = tuple(Ward.__dataclass_fields__)
OPEN_END = "9999-12-31 23:59:59"  # a stay still in hospital: fees may arise until its discharge


def _check_inside(begin: str, end: str, times: Sequence[tuple[str, str]]) -> None:
    """Every fee arose inside the stay: `begin ≤ fee_ocur_time ≤ end` (times as 'YYYY-MM-DD HH:MM:SS')."""
    for here, at in times:
        if not begin <= at <= end:
            raise FeeOutsideStay(here=here, at=at, begin=begin, end="出院" if end == OPEN_END else end)
