"""Outpatient visit lifecycle before settlement: 2201 register, 2202 cancel, 2203 diagnoses,
2204 fee upload (returns the per-line split), 2205 fee delete."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from simulator.domain.models import FeeLine, Person
from simulator.domain.money import to_fen
from simulator.domain.plan import STATUS_NAMES
from simulator.domain.refusals import (
    DuplicateFeeLine,
    InsutypeMismatch,
    NotInsured,
    VisitHasSettlement,
)
from simulator.domain.split import LineSplit, split_line
from simulator.platform.base import PlatformBase, RequestMeta
from simulator.platform.catalogue.lookup import line_catalogue
from simulator.platform.ports import TxPort


class VisitOps(PlatformBase):
    """Outpatient visits and their fee lines."""

    def _visit(self, tx: TxPort, meta: RequestMeta, mdtrt_id: str, psn_no: str) -> tuple[Any, Person]:
        patient = self.patient(tx, psn_no)
        self.check_insuplc(meta, patient)
        return self.open_visit(tx, meta, mdtrt_id, patient, lock=True), patient

    def register(self, meta: RequestMeta, psn_no: str, insutype: str, begntime: str, cert_type: str,
                 cert_no: str, card_sn: str, ipt_otp_no: str) -> str:
        """2201: open an outpatient visit; returns its mdtrt_id."""
        serial = self.ids.serial("mdtrt")
        with self.store.write() as tx:
            self.claim(tx, meta, psn_no)
            institution = self.institution(tx, meta.fixmedins_code)
            patient = self.patient(tx, psn_no)
            self.check_insuplc(meta, patient)
            if patient.status != "1":
                name = STATUS_NAMES.get(patient.status, patient.status)
                raise NotInsured(status=name, what="办理医保就诊登记")
            if insutype and insutype != patient.insutype:
                raise InsutypeMismatch(insutype=insutype, insured=patient.insutype)
            self.check_certificate(tx, patient, cert_type, cert_no, card_sn)
            mdtrt_id = self.ids.mdtrt_id(institution.admdvs, serial)
            tx.insert_visit(mdtrt_id=mdtrt_id, person_id=patient.id, fixmedins_code=meta.fixmedins_code,
                            kind="outpatient", insutype=patient.insutype, med_type="11", status="registered",
                            begntime=begntime or self.now_stamp(), ipt_otp_no=ipt_otp_no, diseinfo=None)
            return mdtrt_id

    def cancel(self, meta: RequestMeta, mdtrt_id: str, psn_no: str) -> None:
        """2202: cancel a visit that has no settlement in effect; its unsettled lines go too."""
        with self.store.write() as tx:
            self.claim(tx, meta, psn_no)
            self._visit(tx, meta, mdtrt_id, psn_no)
            if any(s.status == "settled" for s in tx.settlements_of_visit(mdtrt_id)):
                raise VisitHasSettlement()
            tx.delete_lines([r.id for r in tx.lines_of(mdtrt_id) if r.setl_id is None])
            tx.update_visit(mdtrt_id, status="cancelled")

    def diagnose(self, meta: RequestMeta, mdtrt_id: str, psn_no: str, med_type: str,
                 diseinfo: list[dict[str, Any]]) -> None:
        """2203: record the visit's med_type and diagnoses."""
        with self.store.write() as tx:
            self.claim(tx, meta, psn_no)
            self._visit(tx, meta, mdtrt_id, psn_no)
            tx.update_visit(mdtrt_id, med_type=med_type, diseinfo=json.dumps(diseinfo, ensure_ascii=False))

    def upload(self, meta: RequestMeta, mdtrt_id: str, psn_no: str,
               lines: Sequence[FeeLine]) -> tuple[list[LineSplit], tuple[str, ...]]:
        """2204: store fee lines and return the platform's split of each, with the catalogue's warnings."""
        sns = [line.feedetl_sn for line in lines]
        if len(set(sns)) != len(sns):
            raise DuplicateFeeLine(detail="同一次上传中费用明细流水号 feedetl_sn 重复")
        with self.store.write() as tx:
            self.claim(tx, meta, psn_no)
            self._visit(tx, meta, mdtrt_id, psn_no)
            existing = {r.feedetl_sn for r in tx.lines_of(mdtrt_id)}
            clash = sorted(existing & set(sns))
            if clash:
                raise DuplicateFeeLine(detail=f"费用明细流水号已上传：{', '.join(clash)}")
            found = line_catalogue(tx.catalogue(), (line.code for line in lines), self.today())
            tx.insert_lines([{"mdtrt_id": mdtrt_id, "feedetl_sn": line.feedetl_sn, "chrg_bchno": line.chrg_bchno,
                              "code": line.code, "name": line.name, "cnt": str(line.cnt), "pric": str(line.pric),
                              "amt_fen": to_fen(line.amt), "setl_id": None} for line in lines])
            return [split_line(line, found.items.get(line.code)) for line in lines], found.warnings

    def delete_lines(self, meta: RequestMeta, mdtrt_id: str, psn_no: str, chrg_bchno: str) -> int:
        """2205: delete unsettled lines of a batch (`0000`: every unsettled line). Returns how many."""
        with self.store.write() as tx:
            self.claim(tx, meta, psn_no)
            self._visit(tx, meta, mdtrt_id, psn_no)
            doomed = [r.id for r in tx.lines_of(mdtrt_id)
                      if r.setl_id is None and (chrg_bchno in ("", "0000") or r.chrg_bchno == chrg_bchno)]
            tx.delete_lines(doomed)
            return len(doomed)
