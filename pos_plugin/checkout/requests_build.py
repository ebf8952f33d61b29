"""Cart lines and the patient -> the platform's request nodes (2101/2102 druginfo + drugdetail, 2201-2207)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from pos_plugin.checkout.identify import Patient
from pos_plugin.domain.cart import CartLine
from pos_plugin.domain.money import ZERO

TIME = "%Y-%m-%d %H:%M:%S"


def medfee(lines: Sequence[CartLine]) -> Decimal:
    return sum((line.amt for line in lines), ZERO)


def fee_lines(lines: Sequence[CartLine], now: datetime, *, rxno: str = "") -> list[dict[str, Any]]:
    """drugdetail[] / feedetail[] rows: one per insurable line, amounts as Decimal (sent as strings); a
    line with scanned boxes carries `drugtracinfo` [{drug_trac_codg}]."""
    return [_with_codes(line, {
        "feedetl_sn": f"{index:04d}", "med_list_codg": line.code, "medins_list_codg": line.code,
        "det_item_fee_sumamt": line.amt, "cnt": line.qty, "pric": line.price, "fee_ocur_time": now.strftime(TIME),
        "rxno": rxno, "rx_circ_flag": "0", "bilg_dr_codg": "", "bilg_dr_name": "", "medins_list_name": line.name,
    }) for index, line in enumerate(lines, start=1)]


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


def registration(patient: Patient, now: datetime, *, visit_no: str, dept: str = "门诊") -> dict[str, Any]:
    """2201 `data` for an outpatient visit."""
    return {
        "psn_no": patient.psn_no, "insutype": patient.insutype, "begntime": now.strftime(TIME),
        "mdtrt_cert_type": patient.mdtrt_cert_type, "mdtrt_cert_no": patient.mdtrt_cert_no,
        "ipt_otp_no": visit_no, "atddr_no": "", "dr_name": "", "dept_code": "01", "dept_name": dept, "caty": "A01",
    }


def visit(patient: Patient, mdtrt_id: str, med_type: str, now: datetime) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """2203 `mdtrtinfo` + `diseinfo[]` (a placeholder diagnosis the desk replaces with its own)."""
    mdtrtinfo = {"mdtrt_id": mdtrt_id, "psn_no": patient.psn_no, "med_type": med_type, "begntime": now.strftime(TIME),
                 "main_cond_dscr": "", "dise_codg": "", "dise_name": ""}
    return mdtrtinfo, []


def outpatient_fees(patient: Patient, mdtrt_id: str, lines: Sequence[CartLine], now: datetime) -> list[dict[str, Any]]:
    """2204 `feedetail[]`."""
    rows = fee_lines(lines, now)
    for row in rows:
        row.update({"mdtrt_id": mdtrt_id, "psn_no": patient.psn_no, "chrg_bchno": "0000",
                    "bilg_dept_codg": "01", "bilg_dept_name": "门诊", "hosp_appr_flag": "1"})
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
