"""Test-side inpatient flows on the plain protocol client (docs/protocol.md §3, rows 2401–2405, 2301–2305)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sim_client import ProtocolClient, Reply, fee_line
from sim_flows import DECLARED


def admit(pc: ProtocolClient, psn_no: str, cert: tuple[str, str], insutype: str,
          begntime: str = "2026-05-01 09:00:00", **over: Any) -> Reply:
    info = {"psn_no": psn_no, "insutype": insutype, "coner_name": "家属", "tel": "13800000000", "begntime": begntime,
            "mdtrt_cert_type": cert[0], "mdtrt_cert_no": cert[1], "med_type": "21", "ipt_no": "ZY0001",
            "medrcdno": "BA0001", "atddr_no": "D010", "chfpdr_name": "王主任", "adm_diag_dscr": "肺炎",
            "adm_dept_codg": "A03", "adm_dept_name": "呼吸内科", "adm_bed": "12", "dscg_maindiag_code": "",
            "dscg_maindiag_name": ""}
    info.update(over)
    return pc.call("2401", {"mdtrtinfo": info, "diseinfo": [
        {"psn_no": psn_no, "diag_type": "1", "maindiag_flag": "1", "diag_srt_no": "1", "diag_code": "J18.9",
         "diag_name": "肺炎", "diag_dept": "呼吸内科", "dise_dor_no": "D010", "dise_dor_name": "王主任",
         "diag_time": begntime}]})


def stay_lines(mdtrt_id: str, psn_no: str, day: str, items: list[tuple[str, dict[str, str]]]) -> list[dict[str, Any]]:
    """Wire 2301 lines of one day: (feedetl_sn, item) pairs."""
    return [dict(fee_line(sn, it), mdtrt_id=mdtrt_id, psn_no=psn_no, med_type="21", chrg_bchno=day,
                 fee_ocur_time=f"{day} 10:00:00", bilg_dept_codg="A03", bilg_dept_name="呼吸内科", hosp_appr_flag="1")
            for sn, it in items]


def upload(pc: ProtocolClient, lines: list[dict[str, Any]]) -> Reply:
    return pc.call("2301", {"feedetail": lines})


def discharge(pc: ProtocolClient, mdtrt_id: str, psn_no: str, endtime: str = "2026-05-08 10:00:00") -> Reply:
    return pc.call("2402", {"dscginfo": {"mdtrt_id": mdtrt_id, "psn_no": psn_no, "insutype": "", "endtime": endtime,
                                         "dscg_dept_codg": "A03", "dscg_dept_name": "呼吸内科", "dscg_way": "1",
                                         "die_date": ""}, "diseinfo": []})


def ids(mdtrt_id: str, psn_no: str) -> dict[str, Any]:
    return {"data": {"mdtrt_id": mdtrt_id, "psn_no": psn_no}}


def stay_data(psn_no: str, cert: tuple[str, str], mdtrt_id: str, medfee: Decimal | str, insutype: str,
              **over: Any) -> dict[str, Any]:
    data = {"psn_no": psn_no, "mdtrt_cert_type": cert[0], "mdtrt_cert_no": cert[1], "medfee_sumamt": str(medfee),
            "psn_setlway": "01", "mdtrt_id": mdtrt_id, "insutype": insutype, "mid_setl_flag": "0",
            "acct_used_flag": "1", "invono": "", "exp_content": ""}
    data.update(over)
    return data


def presettle_and_settle(pc: ProtocolClient, data: dict[str, Any]) -> tuple[Reply, Reply]:
    """2303 then 2304 carrying the four amounts from 2303."""
    pre = pc.call("2303", {"data": data})
    if not pre.ok:
        return pre, pre
    declared = {name: pre.output["setlinfo"][name] for name in DECLARED}
    return pre, pc.call("2304", {"data": dict(data, **declared)})
