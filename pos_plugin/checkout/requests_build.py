"""Cart lines and the patient -> the platform's request nodes (2101/2102 druginfo + drugdetail, 2201-2207)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from pos_plugin.checkout.identify import Patient
from pos_plugin.domain.cart import CartLine
from pos_plugin.domain.money import ZERO

TIME = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True)
class Diagnosis:
    """One diagnosis of a visit (ICD-10 code and name), as the doctor wrote it."""

    code: str
    name: str


@dataclass(frozen=True)
class VisitDetails:
    """Who saw the patient, where and why: what the desk's system supplies for 2201/2203/2204. The defaults
    are a plain outpatient desk with no doctor named and no diagnosis (what a pharmacy-style sale sends)."""

    dept_code: str = "01"
    dept_name: str = "门诊"
    doctor_code: str = ""
    doctor_name: str = ""
    caty: str = "A01"  # 科别 (visit category)
    diagnoses: tuple[Diagnosis, ...] = ()


def medfee(lines: Sequence[CartLine]) -> Decimal:
    return sum((line.amt for line in lines), ZERO)


def fee_lines(lines: Sequence[CartLine], now: datetime, *, rxno: str = "", first: int = 1) -> list[dict[str, Any]]:
    """drugdetail[] / feedetail[] rows: one per insurable line, numbered from `first`, amounts as Decimal (sent
    as strings); a line with scanned boxes carries `drugtracinfo` [{drug_trac_codg}]."""
    return [_with_codes(line, {
        "feedetl_sn": f"{index:04d}", "med_list_codg": line.code, "medins_list_codg": line.item or line.code,
        "det_item_fee_sumamt": line.amt, "cnt": line.qty, "pric": line.price, "fee_ocur_time": now.strftime(TIME),
        "rxno": rxno, "rx_circ_flag": "0", "bilg_dr_codg": "", "bilg_dr_name": "", "medins_list_name": line.name,
    }) for index, line in enumerate(lines, start=first)]


def _with_codes(line: CartLine, row: dict[str, Any]) -> dict[str, Any]:
    if line.trace_codes:
        row["drugtracinfo"] = [{"drug_trac_codg": code} for code in line.trace_codes]
    return row


def druginfo(patient: Patient, lines: Sequence[CartLine], now: datetime, *, use_account: bool,
             med_type: str = "41", invono: str = "") -> dict[str, Any]:
    """2101/2102 `druginfo`."""
    return {
        "psn_no": patient.psn_no, "mdtrt_cert_type": patient.mdtrt_cert_type, "mdtrt_cert_no": patient.mdtrt_cert_no,
        "begntime": now.strftime(TIME), "medfee_sumamt": medfee(lines), "insutype": patient.insutype,
        "acct_used_flag": "1" if use_account else "0", "med_type": med_type, "invono": invono,
        "minpacunt_drug_trac_cnt": sum(len(line.trace_codes) for line in lines),
    }


def registration(patient: Patient, now: datetime, *, visit_no: str,
                 details: VisitDetails = VisitDetails()) -> dict[str, Any]:
    """2201 `data` for an outpatient visit, with the desk's department, doctor and category."""
    return {
        "psn_no": patient.psn_no, "insutype": patient.insutype, "begntime": now.strftime(TIME),
        "mdtrt_cert_type": patient.mdtrt_cert_type, "mdtrt_cert_no": patient.mdtrt_cert_no,
        "ipt_otp_no": visit_no, "atddr_no": details.doctor_code, "dr_name": details.doctor_name,
        "dept_code": details.dept_code, "dept_name": details.dept_name, "caty": details.caty,
    }


def visit(patient: Patient, mdtrt_id: str, med_type: str, now: datetime,
          details: VisitDetails = VisitDetails()) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """2203 `mdtrtinfo` + `diseinfo[]`: the visit's diagnoses as the doctor wrote them (the first is the main one)."""
    main = details.diagnoses[0] if details.diagnoses else Diagnosis("", "")
    mdtrtinfo = {"mdtrt_id": mdtrt_id, "psn_no": patient.psn_no, "med_type": med_type, "begntime": now.strftime(TIME),
                 "main_cond_dscr": "", "dise_codg": main.code, "dise_name": main.name}
    diseinfo = [{"diag_type": "1", "diag_srt_no": str(number), "diag_code": d.code, "diag_name": d.name,
                 "diag_dept": details.dept_name, "dise_dor_no": details.doctor_code, "dise_dor_name": details.doctor_name,
                 "diag_time": now.strftime(TIME), "vali_flag": "1"}
                for number, d in enumerate(details.diagnoses, start=1)]
    return mdtrtinfo, diseinfo


def outpatient_fees(psn_no: str, mdtrt_id: str, lines: Sequence[CartLine], now: datetime,
                    details: VisitDetails = VisitDetails(), *, batch: str = "0000", first: int = 1) -> list[dict[str, Any]]:
    """2204 `feedetail[]` of one batch (`chrg_bchno`), numbered on from the visit's earlier lines (`first`),
    billed by the visit's department and doctor."""
    rows = fee_lines(lines, now, first=first)
    for row in rows:
        row.update({"mdtrt_id": mdtrt_id, "psn_no": psn_no, "chrg_bchno": batch,
                    "bilg_dept_codg": details.dept_code, "bilg_dept_name": details.dept_name,
                    "bilg_dr_codg": details.doctor_code, "bilg_dr_name": details.doctor_name, "hosp_appr_flag": "1"})
    return rows


def outpatient_settlement(patient: Patient, mdtrt_id: str, lines: Sequence[CartLine], *, med_type: str,
                          use_account: bool) -> dict[str, Any]:
    """2206/2207 `data`."""
    return {
        "psn_no": patient.psn_no, "mdtrt_cert_type": patient.mdtrt_cert_type, "mdtrt_cert_no": patient.mdtrt_cert_no,
        "med_type": med_type, "medfee_sumamt": medfee(lines), "psn_setlway": "01", "mdtrt_id": mdtrt_id,
        "chrg_bchno": "0000", "acct_used_flag": "1" if use_account else "0", "insutype": patient.insutype,
        "invono": "",
    }
