"""Inpatient 2401–2405, 2301/2302 fee lines, 2303/2304 settlement, 2305 revoke (docs/protocol.md §3)."""

from __future__ import annotations

import json
from typing import Any

from simulator.domain.refusals import BadField, MidSettlementRefused
from simulator.platform.inpatient.stays import Admission, Discharge, StayFee, Ward
from simulator.platform.service import Platform
from simulator.platform.settlement.settle import DECLARED
from simulator.protocol import inputs, wire
from simulator.protocol.envelope import Envelope
from simulator.protocol.handlers_settle import CERT_TYPES, declared_amounts, revoke, settle_input

INPATIENT = ("21",)


def _ward(info: dict[str, Any], where: str) -> Ward:
    return Ward(**{name: inputs.text(info, name, where, required=False, max_len=200 if name == "adm_diag_dscr" else None)
                   for name in Ward.__dataclass_fields__})


def _diseinfo(payload: dict[str, Any]) -> str | None:
    """The diagnoses node as JSON text (None: not sent)."""
    if payload.get("diseinfo") is None:
        return None
    return json.dumps(inputs.rows(payload, "diseinfo", allow_empty=True), ensure_ascii=False)


def admit(platform: Platform, env: Envelope) -> dict[str, Any]:
    info = inputs.node(env.input, "mdtrtinfo")
    inputs.require(info, ("psn_no", "insutype", "begntime", "mdtrt_cert_type", "med_type", "ipt_no"), "mdtrtinfo")
    inputs.choice(info, "med_type", "mdtrtinfo", INPATIENT)
    cert_type = inputs.choice(info, "mdtrt_cert_type", "mdtrtinfo", CERT_TYPES)
    psn_no = inputs.text(info, "psn_no", "mdtrtinfo")
    adm = Admission(
        psn_no=psn_no, insutype=inputs.choice(info, "insutype", "mdtrtinfo", ("310", "390")),
        begntime=inputs.stamp(info, "begntime", "mdtrtinfo"), cert_type=cert_type,
        cert_no=inputs.text(info, "mdtrt_cert_no", "mdtrtinfo", required=cert_type != "03"),
        card_sn=inputs.text(info, "card_sn", "mdtrtinfo", required=False), ward=_ward(info, "mdtrtinfo"),
        diseinfo=_diseinfo(env.input) or "[]")
    mdtrt_id = platform.stays.admit(env.meta(), adm)
    return {"result": {"mdtrt_id": mdtrt_id, "psn_no": psn_no, "ipt_otp_no": adm.ward.ipt_no}}


def change(platform: Platform, env: Envelope) -> dict[str, Any]:
    info = inputs.node(env.input, "adminfo")
    inputs.require(info, ("mdtrt_id", "psn_no"), "adminfo")
    platform.stays.change(env.meta(), inputs.text(info, "mdtrt_id", "adminfo"), inputs.text(info, "psn_no", "adminfo"),
                          _ward(info, "adminfo"), inputs.stamp(info, "begntime", "adminfo", required=False),
                          _diseinfo(env.input))
    return {}


def cancel(platform: Platform, env: Envelope) -> dict[str, Any]:
    data = inputs.node(env.input, "data")
    inputs.require(data, ("mdtrt_id", "psn_no"), "data")
    platform.stays.cancel(env.meta(), inputs.text(data, "mdtrt_id", "data"), inputs.text(data, "psn_no", "data"))
    return {}


def discharge(platform: Platform, env: Envelope) -> dict[str, Any]:
    info = inputs.node(env.input, "dscginfo")
    inputs.require(info, ("mdtrt_id", "psn_no", "endtime"), "dscginfo")
    out = Discharge(endtime=inputs.stamp(info, "endtime", "dscginfo"),
                    dscg_dept_codg=inputs.text(info, "dscg_dept_codg", "dscginfo", required=False),
                    dscg_dept_name=inputs.text(info, "dscg_dept_name", "dscginfo", required=False, max_len=100),
                    dscg_way=inputs.text(info, "dscg_way", "dscginfo", required=False, max_len=8),
                    diseinfo=_diseinfo(env.input))
    platform.stays.discharge(env.meta(), inputs.text(info, "mdtrt_id", "dscginfo"), inputs.text(info, "psn_no", "dscginfo"),
                             inputs.text(info, "insutype", "dscginfo", required=False), out)
    return {}


def cancel_discharge(platform: Platform, env: Envelope) -> dict[str, Any]:
    data = inputs.node(env.input, "data")
    inputs.require(data, ("mdtrt_id", "psn_no"), "data")
    platform.stays.cancel_discharge(env.meta(), inputs.text(data, "mdtrt_id", "data"), inputs.text(data, "psn_no", "data"))
    return {}


def upload(platform: Platform, env: Envelope) -> dict[str, Any]:
    items = inputs.rows(env.input, "feedetail")
    inputs.require(items[0], ("mdtrt_id", "psn_no"), "feedetail[1]")
    mdtrt_id, psn_no = inputs.text(items[0], "mdtrt_id", "feedetail"), inputs.text(items[0], "psn_no", "feedetail")
    if any(str(item.get("mdtrt_id")) != mdtrt_id or str(item.get("psn_no")) != psn_no for item in items):
        raise BadField(detail="feedetail 中所有明细须属于同一 mdtrt_id 与 psn_no")
    for index, item in enumerate(items, start=1):
        if item.get("med_type") not in (None, ""):
            inputs.choice(item, "med_type", f"feedetail[{index}]", INPATIENT)
    lines = inputs.fee_lines(items, "feedetail")
    fees = [StayFee(line, inputs.stamp(item, "fee_ocur_time", f"feedetail[{index}]"))
            for index, (line, item) in enumerate(zip(lines, items, strict=True), start=1)]
    splits, warnings = platform.stays.upload(env.meta(), mdtrt_id, psn_no, fees)
    wire.warn(warnings)
    return {"result": [wire.line_split(split) for split in splits]}


def delete_lines(platform: Platform, env: Envelope) -> dict[str, Any]:
    data = inputs.node(env.input, "data")
    inputs.require(data, ("feedetl_sn", "mdtrt_id", "psn_no"), "data")
    count = platform.stays.delete_lines(env.meta(), inputs.text(data, "mdtrt_id", "data"),
                                        inputs.text(data, "psn_no", "data"), inputs.text(data, "feedetl_sn", "data"))
    return {"deleted": count}


def _settle(platform: Platform, env: Envelope, commit: bool) -> dict[str, Any]:
    data = inputs.node(env.input, "data")
    inputs.require(data, ("mdtrt_id",) + (DECLARED if commit else ()), "data")
    if inputs.choice(data, "mid_setl_flag", "data", ("0", "1"), default="0") == "1":
        raise MidSettlementRefused()
    inp = settle_input(dict(data, med_type=data.get("med_type") or "21"), "data", INPATIENT,
                       mdtrt_id=inputs.text(data, "mdtrt_id", "data"), declared=declared_amounts(data))
    view = platform.settlement.inpatient(env.meta(), inp, commit)
    return wire.settlement_output(view, platform.today(), inp.cert_type)


def presettle(platform: Platform, env: Envelope) -> dict[str, Any]:
    return _settle(platform, env, commit=False)


def settle(platform: Platform, env: Envelope) -> dict[str, Any]:
    return _settle(platform, env, commit=True)


HANDLERS = {
    "2401": admit, "2402": discharge, "2403": change, "2404": cancel, "2405": cancel_discharge,
    "2301": upload, "2302": delete_lines, "2303": presettle, "2304": settle, "2305": revoke,
}
