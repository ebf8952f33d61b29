"""Pharmacy 2101/2102/2103, outpatient 2201–2208, reversal 2601, settlement query 5203."""

from __future__ import annotations

from typing import Any

from simulator.domain.payplan import parse_exp_content
from simulator.domain.refusals import BadField, DuplicateFeeLine, TraceCountMismatch
from simulator.platform.service import Platform
from simulator.platform.settlement.settle import DECLARED, SettleInput
from simulator.protocol import inputs, wire
from simulator.protocol.envelope import Envelope

CERT_TYPES = ("01", "02", "03")


def settle_input(data: dict[str, Any], where: str, med_types: tuple[str, ...], **extra: Any) -> SettleInput:
    inputs.require(data, ("psn_no", "mdtrt_cert_type", "medfee_sumamt", "insutype", "acct_used_flag", "med_type"),
                   where)
    cert_type = inputs.choice(data, "mdtrt_cert_type", where, CERT_TYPES)
    return SettleInput(
        psn_no=inputs.text(data, "psn_no", where), cert_type=cert_type,
        cert_no=inputs.text(data, "mdtrt_cert_no", where, required=cert_type != "03"),
        card_sn=inputs.text(data, "card_sn", where, required=False),
        med_type=inputs.choice(data, "med_type", where, med_types),
        insutype=inputs.choice(data, "insutype", where, ("310", "390")),
        medfee_sumamt=inputs.amount(data, "medfee_sumamt", where),
        use_account=inputs.choice(data, "acct_used_flag", where, ("0", "1")) == "1",
        exp=parse_exp_content(data.get("exp_content", data.get("expContent"))),
        begntime=inputs.stamp(data, "begntime", where, required=False), **extra)


# pharmacy ----------------------------------------------------------------------------------------
def _pharmacy(platform: Platform, env: Envelope, commit: bool) -> dict[str, Any]:
    data = inputs.node(env.input, "druginfo")
    lines = inputs.fee_lines(inputs.rows(env.input, "drugdetail"), "drugdetail")
    sns = [line.feedetl_sn for line in lines]
    if len(set(sns)) != len(sns):
        raise DuplicateFeeLine(detail="drugdetail 中费用明细流水号 feedetl_sn 重复")
    declared = data.get("minpacunt_drug_trac_cnt")
    boxes = sum(len(line.trace_codes) for line in lines)
    if declared not in (None, "") and str(declared) != str(boxes):
        raise TraceCountMismatch(detail=f"druginfo.minpacunt_drug_trac_cnt {declared} 与明细中的药品追溯码 {boxes} 个不符")
    inp = settle_input(data, "druginfo", ("41",), lines=tuple(lines))
    view = platform.settlement.pharmacy(env.meta(), inp, commit)
    return wire.settlement_output(view, platform.today(), inp.cert_type, with_lines=True)


def pharmacy_presettle(platform: Platform, env: Envelope) -> dict[str, Any]:
    return _pharmacy(platform, env, commit=False)


def pharmacy_settle(platform: Platform, env: Envelope) -> dict[str, Any]:
    return _pharmacy(platform, env, commit=True)


def revoke(platform: Platform, env: Envelope) -> dict[str, Any]:
    data = inputs.node(env.input, "data")
    inputs.require(data, ("setl_id", "mdtrt_id", "psn_no"), "data")
    view = platform.revocation.revoke(env.meta(), inputs.text(data, "setl_id", "data"), inputs.text(data, "mdtrt_id", "data"),
                           inputs.text(data, "psn_no", "data"))
    return wire.settlement_output(view, platform.today())


# outpatient ----------------------------------------------------------------------------------------
# 11 outpatient, 14 chronic outpatient, and 41: regions that run pharmacy purchases as 2201-2207 visits.
OUTPATIENT_MED_TYPES = ("11", "14", "41")


def register(platform: Platform, env: Envelope) -> dict[str, Any]:
    data = inputs.node(env.input, "data")
    inputs.require(data, ("psn_no", "insutype", "begntime", "mdtrt_cert_type", "ipt_otp_no"), "data")
    cert_type = inputs.choice(data, "mdtrt_cert_type", "data", CERT_TYPES)
    psn_no, ipt_otp_no = inputs.text(data, "psn_no", "data"), inputs.text(data, "ipt_otp_no", "data")
    mdtrt_id = platform.visits.register(
        env.meta(), psn_no, inputs.choice(data, "insutype", "data", ("310", "390")),
        inputs.stamp(data, "begntime", "data"), cert_type,
        inputs.text(data, "mdtrt_cert_no", "data", required=cert_type != "03"),
        inputs.text(data, "card_sn", "data", required=False), ipt_otp_no)
    return {"data": {"mdtrt_id": mdtrt_id, "psn_no": psn_no, "ipt_otp_no": ipt_otp_no}}


def cancel(platform: Platform, env: Envelope) -> dict[str, Any]:
    data = inputs.node(env.input, "data")
    inputs.require(data, ("mdtrt_id", "psn_no"), "data")
    platform.visits.cancel(env.meta(), inputs.text(data, "mdtrt_id", "data"), inputs.text(data, "psn_no", "data"))
    return {}


def diagnose(platform: Platform, env: Envelope) -> dict[str, Any]:
    info = inputs.node(env.input, "mdtrtinfo")
    inputs.require(info, ("mdtrt_id", "psn_no", "med_type"), "mdtrtinfo")
    platform.visits.diagnose(env.meta(), inputs.text(info, "mdtrt_id", "mdtrtinfo"), inputs.text(info, "psn_no", "mdtrtinfo"),
                      inputs.choice(info, "med_type", "mdtrtinfo", OUTPATIENT_MED_TYPES),
                      inputs.rows(env.input, "diseinfo", allow_empty=True))
    return {}


def upload(platform: Platform, env: Envelope) -> dict[str, Any]:
    items = inputs.rows(env.input, "feedetail")
    inputs.require(items[0], ("mdtrt_id", "psn_no"), "feedetail[1]")
    mdtrt_id, psn_no = inputs.text(items[0], "mdtrt_id", "feedetail"), inputs.text(items[0], "psn_no", "feedetail")
    if any(str(item.get("mdtrt_id")) != mdtrt_id or str(item.get("psn_no")) != psn_no for item in items):
        raise BadField(detail="feedetail 中所有明细须属于同一 mdtrt_id 与 psn_no")
    lines = inputs.fee_lines(items, "feedetail", batch=True)
    splits, found = platform.visits.upload(env.meta(), mdtrt_id, psn_no, lines)
    wire.warn(found.warnings)
    return {"result": [wire.line_split(split, found.traced_codes()) for split in splits]}


def delete_lines(platform: Platform, env: Envelope) -> dict[str, Any]:
    data = inputs.node(env.input, "data")
    inputs.require(data, ("chrg_bchno", "mdtrt_id", "psn_no"), "data")
    count = platform.visits.delete_lines(env.meta(), inputs.text(data, "mdtrt_id", "data"),
                                  inputs.text(data, "psn_no", "data"), inputs.text(data, "chrg_bchno", "data"))
    return {"deleted": count}


def declared_amounts(data: dict[str, Any]) -> dict[str, Any]:
    """The settlement totals the till declared (2207/2304 `DECLARED`, each optional on a pre-settlement)."""
    return {name: inputs.amount(data, name, "data") for name in DECLARED if data.get(name) not in (None, "")}


def _outpatient(platform: Platform, env: Envelope, commit: bool) -> dict[str, Any]:
    data = inputs.node(env.input, "data")
    inputs.require(data, ("mdtrt_id", "chrg_bchno") + (DECLARED if commit else ()), "data")
    inp = settle_input(data, "data", OUTPATIENT_MED_TYPES, mdtrt_id=inputs.text(data, "mdtrt_id", "data"),
                        chrg_bchno=inputs.text(data, "chrg_bchno", "data"), declared=declared_amounts(data))
    view = platform.settlement.outpatient(env.meta(), inp, commit)
    return wire.settlement_output(view, platform.today(), inp.cert_type)


def outpatient_presettle(platform: Platform, env: Envelope) -> dict[str, Any]:
    return _outpatient(platform, env, commit=False)


def outpatient_settle(platform: Platform, env: Envelope) -> dict[str, Any]:
    return _outpatient(platform, env, commit=True)


# reversal and query ------------------------------------------------------------------------------
def reverse(platform: Platform, env: Envelope) -> dict[str, Any]:
    data = inputs.node(env.input, "data")
    inputs.require(data, ("psn_no", "omsgid", "oinfno"), "data")
    outcome = platform.revocation.reverse(env.meta(), inputs.text(data, "psn_no", "data"), inputs.text(data, "omsgid", "data"),
                               inputs.text(data, "oinfno", "data"))
    return {"data": {"omsgid": data["omsgid"], "oinfno": data["oinfno"], "result": outcome}}


def query(platform: Platform, env: Envelope) -> dict[str, Any]:
    data = inputs.node(env.input, "data")
    inputs.require(data, ("psn_no", "setl_id"), "data")
    view = platform.revocation.query(env.meta(), inputs.text(data, "psn_no", "data"), inputs.text(data, "setl_id", "data"),
                          inputs.text(data, "mdtrt_id", "data", required=False))
    return wire.settlement_output(view, platform.today())


HANDLERS = {
    "2101": pharmacy_presettle, "2102": pharmacy_settle, "2103": revoke,
    "2201": register, "2202": cancel, "2203": diagnose, "2204": upload, "2205": delete_lines,
    "2206": outpatient_presettle, "2207": outpatient_settle, "2208": revoke,
    "2601": reverse, "5203": query,
}
