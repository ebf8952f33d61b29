"""Shaping platform values into the output nodes of docs/protocol.md §3–4 (amounts as 2-place strings)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from flask import g

from simulator.domain.chain import Leg
from simulator.domain.models import Person, age_on, mask_name
from simulator.domain.money import ZERO, fmt
from simulator.domain.split import LineSplit
from simulator.domain.views import SettlementView
from simulator.platform.settlement.identity import PersonInfo

FUND_NAMES = {"310100": "职工基本医疗保险统筹基金", "390100": "城乡居民基本医疗保险基金",
              "310200": "职工基本医疗保险个人账户基金"}
_ZERO_FUNDS = ("cvlserv_pay", "hifes_pay", "hifmi_pay", "hifob_pay", "maf_pay", "oth_pay", "hosp_part_amt")


def _num(value: Decimal) -> str:
    return f"{value:f}"


def person_fields(person: Person, today: date) -> dict[str, Any]:
    return {"psn_no": person.psn_no, "psn_name": person.name, "psn_cert_type": "01", "certno": person.certno,
            "gend": person.gender, "brdy": person.birthday.isoformat(), "age": age_on(person.birthday, today),
            "insutype": person.insutype, "psn_type": person.psn_type}


def leg(item: Leg) -> dict[str, Any]:
    out = {"source": item.source, "rank": item.rank, "psn_no": item.psn_no, "name": mask_name(item.name),
           "amount": fmt(item.amount)}
    if item.pool_id:
        out["pool_id"] = item.pool_id
    if item.wallet_id:
        out["wallet_id"] = item.wallet_id
    return out


def setlinfo(view: SettlementView, today: date, cert_type: str = "") -> dict[str, Any]:
    a = view.amounts
    info: dict[str, Any] = {"mdtrt_id": view.mdtrt_id}
    if view.setl_id is not None:
        info["setl_id"] = view.setl_id
    info |= person_fields(view.patient, today)
    info["insutype"] = view.insutype
    if view.setl_time is not None:
        info["setl_time"] = view.setl_time
    info |= {"mdtrt_cert_type": cert_type, "med_type": view.med_type}
    info |= {name: fmt(value) for name, value in a.items()}
    info["pool_prop_selfpay"] = fmt(a["inscp_scp_amt"] - a["act_pay_dedc"] - a["hifp_pay"])
    info |= {name: "0.00" for name in _ZERO_FUNDS}
    info |= {"balc": fmt(view.balc), "medins_setl_id": view.msgid or "", "clr_optins": view.patient.insuplc,
             "clr_way": "1", "clr_type": view.clr_type}
    if view.init_setl_id is not None:
        info |= {"init_setl_id": view.init_setl_id, "psn_pay": fmt(a["psn_part_amt"]),
                 "cash_payamt": fmt(a["psn_cash_pay"])}
    if view.status != "settled" or view.init_setl_id is not None:
        info["setl_status"] = view.status
    if view.revocation is not None:  # ⊕ 5203: which revocation ended this settlement, and when
        info |= dict(zip(("revoke_setl_id", "revoke_time", "revoke_msgid"), view.revocation, strict=True))
    return info


def setldetail(view: SettlementView) -> list[dict[str, Any]]:
    a = view.amounts
    fund_code = "310100" if view.insutype == "310" else "390100"
    out = []
    for code, paid in ((fund_code, a["hifp_pay"]), ("310200", a["acct_pay"])):
        if paid != ZERO:
            out.append({"fund_pay_type": code, "fund_pay_type_name": FUND_NAMES[code],
                        "inscp_scp_amt": fmt(a["inscp_scp_amt"]), "fund_payamt": fmt(paid),
                        "setl_proc_info": ""})
    return out


def line_split(split: LineSplit, traced: frozenset[str] = frozenset()) -> dict[str, Any]:
    """One split line; ⊕ `trac_rqr_flag` 1 when the catalogue wants a traceability code per box."""
    line = split.line
    return {"trac_rqr_flag": "1" if line.code in traced else "0", **{
        "feedetl_sn": line.feedetl_sn, "det_item_fee_sumamt": fmt(line.amt), "cnt": _num(line.cnt),
        "pric": _num(line.pric), "pric_uplmt_amt": _num(split.price_cap if split.price_cap is not None else line.pric),
        "selfpay_prop": _num(split.selfpay_prop), "fulamt_ownpay_amt": fmt(split.fulamt),
        "overlmt_amt": fmt(split.overlmt), "preselfpay_amt": fmt(split.preself),
        "inscp_scp_amt": fmt(split.inscp), "chrgitm_lv": split.lv, "med_list_codg": line.code,
    }}


def warn(warnings: tuple[str, ...]) -> None:
    """The request's warnings (e.g. a code split as 丙 for want of a catalogue entry) go in `warn_msg`."""
    if warnings:
        g.warn_msg = "；".join(warnings)


def settlement_output(view: SettlementView, today: date, cert_type: str = "",
                      with_lines: bool = False) -> dict[str, Any]:
    warn(view.warnings)
    out: dict[str, Any] = {"setlinfo": setlinfo(view, today, cert_type), "setldetail": setldetail(view),
                           "payleg": [leg(item) for item in view.legs]}
    if with_lines:
        out["detlcutinfo"] = [line_split(split, view.traced) for split in view.splits]
    return out


def person_info(info: PersonInfo, today: date) -> dict[str, Any]:
    person = info.person
    base = person_fields(person, today)
    base |= {"naty": "01", "exp_content": ""}
    insu = {"balc": fmt(person.balance if person.balance is not None else ZERO), "insutype": person.insutype,
            "psn_type": person.psn_type, "psn_insu_stas": person.status, "psn_insu_date": "",
            "paus_insu_date": None, "cvlserv_flag": "0", "insuplc_admdvs": person.insuplc, "emp_name": ""}
    aid = [{"rank": row.rank, "funder_psn_no": row.funder.psn_no, "funder_name": mask_name(row.funder.name),
            "relation": row.relation, "avail_amt": fmt(row.avail),
            "begndate": row.begndate.isoformat() if row.begndate else None,
            "enddate": row.enddate.isoformat() if row.enddate else None, "state": row.state,
            "usable": row.usable, "reason": row.reason, **({"pool_id": row.pool_id} if row.pool_id else {})}
           for row in info.aid]
    wallet = None
    if info.wallet is not None:
        w = info.wallet
        wallet = {"wallet_id": w.wallet.wallet_id, "balc": fmt(w.wallet.balance), "status": w.wallet.status,
                  "usable": w.usable, "reason": w.reason}
    return {"baseinfo": base, "insuinfo": [insu], "idetinfo": [], "mulaidinfo": aid, "walletinfo": wallet}
