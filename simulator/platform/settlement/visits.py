"""Outpatient visit lifecycle before settlement: 2201 register, 2202 cancel, 2203 diagnoses,
2204 fee upload (returns the per-line split), 2205 fee delete."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from simulator.domain.catalogue import LineCatalogue
from simulator.domain.models import FeeLine, Person
from simulator.domain.plan import STATUS_NAMES
from simulator.domain.records import VisitRecord
from simulator.domain.refusals import (
    DuplicateFeeLine,
    InsutypeMismatch,
    NotInsured,
    VisitHasSettlement,
)
from simulator.domain.requests import RequestMeta, check_insuplc
from simulator.domain.split import LineSplit, split_line
from simulator.platform.catalogue.lookup import check_mapped, line_catalogue
from simulator.platform.catalogue.trace import check_sale_codes, sold_records
from simulator.platform.deps import Deps
from simulator.platform.ports import UnitOfWork
from simulator.platform.settlement.settle import line_record


class VisitOps:
    """Outpatient visits and their fee lines."""

    def __init__(self, deps: Deps) -> None:
        self.store, self.clock, self.ids = deps.store, deps.clock, deps.ids
        self.lookups, self.msgids = deps.lookups, deps.msgids

    def _visit(self, uow: UnitOfWork, meta: RequestMeta, mdtrt_id: str, psn_no: str) -> tuple[VisitRecord, Person]:
        patient = self.lookups.patient(uow, psn_no)
        check_insuplc(meta, patient)
        return self.lookups.open_visit(uow, meta, mdtrt_id, patient, lock=True), patient

    def register(self, meta: RequestMeta, psn_no: str, insutype: str, begntime: str, cert_type: str,
                 cert_no: str, card_sn: str, ipt_otp_no: str) -> str:
        """2201: open an outpatient visit; returns its mdtrt_id."""
        serial = self.ids.serial("mdtrt")
        with self.store.write() as uow:
            self.msgids.claim(uow, meta, psn_no)
            institution = self.lookups.institution(uow, meta.fixmedins_code)
            patient = self.lookups.patient(uow, psn_no)
            check_insuplc(meta, patient)
            if patient.status != "1":
                name = STATUS_NAMES.get(patient.status, patient.status)
                raise NotInsured(status=name, what="办理医保就诊登记")
            if insutype and insutype != patient.insutype:
                raise InsutypeMismatch(insutype=insutype, insured=patient.insutype)
            self.lookups.check_certificate(uow, patient, cert_type, cert_no, card_sn)
            mdtrt_id = self.ids.mdtrt_id(institution.admdvs, serial)
            uow.visits.add(VisitRecord(0, mdtrt_id, patient.id, meta.fixmedins_code, "outpatient", patient.insutype,
                                       "11", "registered", begntime or self.clock.stamp(), ipt_otp_no, None))
            return mdtrt_id

    def cancel(self, meta: RequestMeta, mdtrt_id: str, psn_no: str) -> None:
        """2202: cancel a visit that has no settlement in effect; its unsettled lines go too."""
        with self.store.write() as uow:
            self.msgids.claim(uow, meta, psn_no)
            visit, _patient = self._visit(uow, meta, mdtrt_id, psn_no)
            if any(s.status == "settled" for s in uow.settlements.of_visit(mdtrt_id)):
                raise VisitHasSettlement()
            uow.visits.delete_lines([r.id for r in uow.visits.lines_of(mdtrt_id) if r.setl_id is None])
            uow.visits.save(replace(visit, status="cancelled"))

    def diagnose(self, meta: RequestMeta, mdtrt_id: str, psn_no: str, med_type: str,
                 diseinfo: list[dict[str, Any]]) -> None:
        """2203: record the visit's med_type and diagnoses."""
        with self.store.write() as uow:
            self.msgids.claim(uow, meta, psn_no)
            visit, _patient = self._visit(uow, meta, mdtrt_id, psn_no)
            uow.visits.save(replace(visit, med_type=med_type, diseinfo=json.dumps(diseinfo, ensure_ascii=False)))

    def upload(self, meta: RequestMeta, mdtrt_id: str, psn_no: str,
               lines: Sequence[FeeLine]) -> tuple[list[LineSplit], LineCatalogue]:
        """2204: store fee lines and return the platform's split of each, with the catalogue's warnings."""
        sns = [line.feedetl_sn for line in lines]
        if len(set(sns)) != len(sns):
            raise DuplicateFeeLine(detail="同一次上传中费用明细流水号 feedetl_sn 重复")
        with self.store.write() as uow:
            self.msgids.claim(uow, meta, psn_no)
            self._visit(uow, meta, mdtrt_id, psn_no)
            existing = {r.feedetl_sn for r in uow.visits.lines_of(mdtrt_id)}
            clash = sorted(existing & set(sns))
            if clash:
                raise DuplicateFeeLine(detail=f"费用明细流水号已上传：{', '.join(clash)}")
            check_mapped(uow.catalogue, meta.fixmedins_code, lines)
            found = line_catalogue(uow.catalogue, (line.code for line in lines), self.clock.today())
            check_sale_codes(uow.trace_codes, lines, found)
            uow.visits.add_lines([line_record(mdtrt_id, line, None) for line in lines])
            uow.trace_codes.upload(mdtrt_id, sold_records(lines, "", meta.fixmedins_code, self.clock.stamp()))
            return [split_line(line, found.items.get(line.code)) for line in lines], found

    def delete_lines(self, meta: RequestMeta, mdtrt_id: str, psn_no: str, chrg_bchno: str) -> int:
        """2205: delete unsettled lines of a batch (`0000`: every unsettled line). Returns how many."""
        with self.store.write() as uow:
            self.msgids.claim(uow, meta, psn_no)
            self._visit(uow, meta, mdtrt_id, psn_no)
            rows = [r for r in uow.visits.lines_of(mdtrt_id)
                    if r.setl_id is None and (chrg_bchno in ("", "0000") or r.chrg_bchno == chrg_bchno)]
            doomed = [r.id for r in rows]
            uow.visits.delete_lines(doomed)
            uow.trace_codes.drop_uploaded(mdtrt_id, [r.feedetl_sn for r in rows])
            return len(doomed)
