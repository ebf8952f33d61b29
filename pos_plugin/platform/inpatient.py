"""Typed wrappers for an inpatient stay (docs/protocol.md §3): 2401–2405, 2301/2302 fee lines, 2303 pre-settle,
2304 settle and 2305 revoke (both journaled, MONEY, see client.py).

Inputs use the platform's field names with Decimal amounts; outputs are `Settlement` with Decimal amounts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pos_plugin.errors import BadReply, InputError
from pos_plugin.platform.client import PlatformCore
from pos_plugin.platform.models import Settlement
from pos_plugin.platform.settlement import PRESETTLE_ECHO, with_exp_content


class InpatientApi(PlatformCore):
    """Admit, change, discharge, upload the days' fees, settle and revoke a stay."""

    def admit(self, mdtrtinfo: Mapping[str, Any], diseinfo: Sequence[Mapping[str, Any]], *, insuplc: str) -> str:
        """2401: admit the patient; returns the stay's mdtrt_id."""
        psn_no = str(mdtrtinfo.get("psn_no", ""))
        out = self.call("2401", {"mdtrtinfo": {"med_type": "21", **mdtrtinfo}, "diseinfo": list(diseinfo)},
                        insuplc=insuplc, psn_no=psn_no).output
        result = out.get("result") or {}
        if not result.get("mdtrt_id"):
            raise BadReply("入院办理应答缺少 mdtrt_id")
        return str(result["mdtrt_id"])

    def change_admission(self, adminfo: Mapping[str, Any], *, insuplc: str) -> None:
        """2403: change the admission's ward fields or admission time."""
        self.call("2403", {"adminfo": dict(adminfo)}, insuplc=insuplc, psn_no=str(adminfo.get("psn_no", "")))

    def cancel_admission(self, *, mdtrt_id: str, psn_no: str, insuplc: str) -> None:
        """2404: cancel an admission that is neither discharged nor settled."""
        self.call("2404", {"data": {"mdtrt_id": mdtrt_id, "psn_no": psn_no}}, insuplc=insuplc, psn_no=psn_no)

    def discharge(self, dscginfo: Mapping[str, Any], diseinfo: Sequence[Mapping[str, Any]], *, insuplc: str) -> None:
        """2402: discharge the stay (no fees after it)."""
        self.call("2402", {"dscginfo": dict(dscginfo), "diseinfo": list(diseinfo)}, insuplc=insuplc,
                  psn_no=str(dscginfo.get("psn_no", "")))

    def cancel_discharge(self, *, mdtrt_id: str, psn_no: str, insuplc: str) -> None:
        """2405: undo a discharge that is not settled."""
        self.call("2405", {"data": {"mdtrt_id": mdtrt_id, "psn_no": psn_no}}, insuplc=insuplc, psn_no=psn_no)

    def upload_stay_fees(self, feedetail: Sequence[Mapping[str, Any]], *, insuplc: str) -> list[dict[str, Any]]:
        """2301: upload a batch of the stay's fee lines; returns the per-line split (`result[]`)."""
        if not feedetail:
            raise InputError("没有可上传的住院费用明细")
        psn_no = str(feedetail[0].get("psn_no", ""))
        out = self.call("2301", {"feedetail": [{"med_type": "21", **row} for row in feedetail]}, insuplc=insuplc,
                        psn_no=psn_no).output
        return list(out.get("result") or [])

    def delete_stay_fees(self, *, mdtrt_id: str, psn_no: str, insuplc: str, feedetl_sn: str = "0000") -> int:
        """2302: delete one unsettled fee line (`0000` = every unsettled line); returns how many went."""
        data = {"feedetl_sn": feedetl_sn, "mdtrt_id": mdtrt_id, "psn_no": psn_no}
        out = self.call("2302", {"data": data}, insuplc=insuplc, psn_no=psn_no).output
        return int(out.get("deleted") or 0)

    def inpatient_presettle(self, data: Mapping[str, Any], *, insuplc: str, use_wallet: bool | None = None) -> Settlement:
        """2303: the platform's split of the discharged stay; changes nothing."""
        node = with_exp_content({"mid_setl_flag": "0", **data}, payplan=None, use_wallet=use_wallet)
        return self._stay_settlement("2303", node, insuplc)

    def inpatient_settle(self, data: Mapping[str, Any], *, insuplc: str, presettle: Settlement | None = None,
                         payplan: Sequence[Any] | None = None, use_wallet: bool | None = None) -> Settlement:
        """2304: settle the stay (journaled); `presettle` fills the four 2303 amounts 2304 repeats."""
        node = {"mid_setl_flag": "0", **data}
        if presettle is not None:
            for name in PRESETTLE_ECHO:
                node.setdefault(name, presettle.amount(name))
        return self._stay_settlement("2304", with_exp_content(node, payplan=payplan, use_wallet=use_wallet), insuplc)

    def inpatient_revoke(self, *, setl_id: str, mdtrt_id: str, psn_no: str, insuplc: str) -> Settlement:
        """2305: revoke a stay's settlement; every leg goes back (amounts negated)."""
        return self._stay_settlement("2305", {"setl_id": setl_id, "mdtrt_id": mdtrt_id, "psn_no": psn_no}, insuplc)

    def _stay_settlement(self, infno: str, node: Mapping[str, Any], insuplc: str) -> Settlement:
        reply = self.call(infno, {"data": dict(node)}, insuplc=insuplc, psn_no=str(node.get("psn_no", "")))
        return Settlement.from_output(reply.output, reply.msgid)
