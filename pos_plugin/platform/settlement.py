"""Typed wrappers for the money transactions: pharmacy 2101/2102/2103, outpatient 2201-2208, 2601, 5203.

Inputs use the platform's field names (docs/protocol.md §3) with Decimal amounts; outputs are `Settlement`
and friends with Decimal amounts. 2102/2207/2103/2208 go through the journal (MONEY), see client.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from pos_plugin.errors import BadReply, InputError
from pos_plugin.platform import wire
from pos_plugin.platform.client import PlatformCore
from pos_plugin.platform.models import PayLeg, Registration, Settlement

# The 2206 amounts a 2207 repeats (docs/protocol.md §3).
PRESETTLE_ECHO = ("fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt")


def payplan_to_wire(legs: Sequence[Any]) -> list[dict[str, Any]]:
    """Legs (PayLeg, the domain's Leg, or mappings) -> exp_content.payplan entries; zero legs dropped."""
    plan = []
    for leg in legs:
        amount = _field(leg, "amount")
        if not isinstance(amount, Decimal):
            raise InputError(f"payplan 金额必须是 Decimal: {amount!r}")
        if amount == 0:
            continue
        entry: dict[str, Any] = {"source": str(_field(leg, "source")), "amount": amount}
        for key in ("rank", "psn_no", "pool_id"):
            if _field(leg, key) not in (None, ""):
                entry[key] = _field(leg, key)
        plan.append(entry)
    return plan


def _field(leg: Any, key: str) -> Any:
    return leg.get(key) if isinstance(leg, Mapping) else getattr(leg, key, None)


def with_exp_content(
    node: Mapping[str, Any], *, payplan: Sequence[Any] | None, use_wallet: bool | None
) -> dict[str, Any]:
    """A copy of `node` whose exp_content carries the payplan and the wallet consent."""
    merged = dict(node)
    content = wire.exp_content(node)
    merged.pop("expContent", None)
    if use_wallet is not None:
        content["use_wallet"] = "1" if use_wallet else "0"
    if payplan is not None:
        content["payplan"] = payplan_to_wire(payplan)
    merged["exp_content"] = content
    return merged


class SettlementApi(PlatformCore):
    """Pre-settle, settle, revoke, reverse and query settlements."""

    def pharmacy_presettle(
        self, druginfo: Mapping[str, Any], drugdetail: Sequence[Mapping[str, Any]], *, insuplc: str,
        use_wallet: bool | None = None,
    ) -> Settlement:
        """2101: the platform's split of a pharmacy purchase; changes nothing."""
        node = with_exp_content(self._drug_defaults(druginfo), payplan=None, use_wallet=use_wallet)
        return self._settlement("2101", {"druginfo": node, "drugdetail": list(drugdetail)}, insuplc, node)

    def pharmacy_settle(
        self, druginfo: Mapping[str, Any], drugdetail: Sequence[Mapping[str, Any]], *, insuplc: str,
        payplan: Sequence[Any] | None = None, use_wallet: bool | None = None,
    ) -> Settlement:
        """2102: settle a pharmacy purchase (journaled; an ambiguous failure raises UnknownOutcome)."""
        node = with_exp_content(self._drug_defaults(druginfo), payplan=payplan, use_wallet=use_wallet)
        return self._settlement("2102", {"druginfo": node, "drugdetail": list(drugdetail)}, insuplc, node)

    def pharmacy_revoke(self, *, setl_id: str, mdtrt_id: str, psn_no: str, insuplc: str) -> Settlement:
        """2103: revoke a pharmacy settlement; every leg goes back (amounts come back negated)."""
        data = {"setl_id": setl_id, "mdtrt_id": mdtrt_id, "psn_no": psn_no}
        return self._settlement("2103", {"data": data}, insuplc, data)

    def register(self, data: Mapping[str, Any], *, insuplc: str) -> Registration:
        """2201: open an outpatient visit; returns its mdtrt_id."""
        node = {"begntime": wire.inf_time(self.clock()), **data}
        out = self.call("2201", {"data": node}, insuplc=insuplc, psn_no=str(node.get("psn_no", ""))).output
        reg = out.get("data") or {}
        if not reg.get("mdtrt_id"):
            raise BadReply("挂号应答缺少 mdtrt_id")
        return Registration(str(reg["mdtrt_id"]), str(reg.get("psn_no") or node.get("psn_no")), str(reg.get("ipt_otp_no") or ""))

    def cancel_registration(self, *, psn_no: str, mdtrt_id: str, ipt_otp_no: str, insuplc: str) -> None:
        """2202: cancel an unsettled visit."""
        data = {"psn_no": psn_no, "mdtrt_id": mdtrt_id, "ipt_otp_no": ipt_otp_no}
        self.call("2202", {"data": data}, insuplc=insuplc, psn_no=psn_no)

    def upload_visit(self, mdtrtinfo: Mapping[str, Any], diseinfo: Sequence[Mapping[str, Any]], *, insuplc: str) -> None:
        """2203: the visit's details and diagnoses."""
        self.call("2203", {"mdtrtinfo": dict(mdtrtinfo), "diseinfo": list(diseinfo)}, insuplc=insuplc,
                  psn_no=str(mdtrtinfo.get("psn_no", "")))

    def upload_fees(self, feedetail: Sequence[Mapping[str, Any]], *, insuplc: str) -> list[dict[str, Any]]:
        """2204: upload fee lines; returns the per-line split (`result[]`, Decimal amounts)."""
        if not feedetail:
            raise InputError("没有可上传的费用明细")
        psn_no = str(feedetail[0].get("psn_no", ""))
        out = self.call("2204", {"feedetail": list(feedetail)}, insuplc=insuplc, psn_no=psn_no).output
        return list(out.get("result") or [])

    def delete_fees(self, *, mdtrt_id: str, psn_no: str, insuplc: str, chrg_bchno: str = "0000") -> int:
        """2205: delete the unsettled fee lines of a batch (`0000` = all of them); returns how many went."""
        data = {"mdtrt_id": mdtrt_id, "chrg_bchno": chrg_bchno, "psn_no": psn_no}
        out = self.call("2205", {"data": data}, insuplc=insuplc, psn_no=psn_no).output
        return int(out.get("deleted") or 0)

    def outpatient_presettle(self, data: Mapping[str, Any], *, insuplc: str, use_wallet: bool | None = None) -> Settlement:
        """2206: the platform's split of the uploaded fees; changes nothing."""
        node = with_exp_content(data, payplan=None, use_wallet=use_wallet)
        return self._settlement("2206", {"data": node}, insuplc, node)

    def outpatient_settle(
        self, data: Mapping[str, Any], *, insuplc: str, presettle: Settlement | None = None,
        payplan: Sequence[Any] | None = None, use_wallet: bool | None = None,
    ) -> Settlement:
        """2207: settle the visit (journaled); `presettle` fills the four 2206 amounts 2207 repeats."""
        node = dict(data)
        if presettle is not None:
            for name in PRESETTLE_ECHO:
                node.setdefault(name, presettle.amount(name))
        node = with_exp_content(node, payplan=payplan, use_wallet=use_wallet)
        return self._settlement("2207", {"data": node}, insuplc, node)

    def outpatient_revoke(self, *, setl_id: str, mdtrt_id: str, psn_no: str, insuplc: str) -> Settlement:
        """2208: revoke an outpatient settlement; every leg goes back (amounts negated)."""
        data = {"setl_id": setl_id, "mdtrt_id": mdtrt_id, "psn_no": psn_no}
        return self._settlement("2208", {"data": data}, insuplc, data)

    def reverse(self, *, psn_no: str, omsgid: str, oinfno: str, insuplc: str = "") -> None:
        """2601: undo whatever `omsgid` did, or mark it dead if it never arrived; harmless twice."""
        data = {"psn_no": psn_no, "omsgid": omsgid, "oinfno": oinfno}
        self.call("2601", {"data": data}, insuplc=insuplc, psn_no=psn_no)

    def query_settlement(self, *, psn_no: str, setl_id: str, mdtrt_id: str = "", insuplc: str = "") -> Settlement:
        """5203: a settlement as the platform holds it now."""
        data = {"psn_no": psn_no, "setl_id": setl_id, "mdtrt_id": mdtrt_id}
        return self._settlement("5203", {"data": data}, insuplc, data)

    def _settlement(self, infno: str, input_: Mapping[str, Any], insuplc: str, node: Mapping[str, Any]) -> Settlement:
        reply = self.call(infno, input_, insuplc=insuplc, psn_no=str(node.get("psn_no", "")))
        return Settlement.from_output(reply.output, reply.msgid)

    def _drug_defaults(self, druginfo: Mapping[str, Any]) -> dict[str, Any]:
        return {"med_type": "41", "begntime": wire.inf_time(self.clock()), **druginfo}


__all__ = ["PayLeg", "SettlementApi", "payplan_to_wire", "with_exp_content"]
