"""Runs a scenario's checkout against the simulator with the plain protocol client (no payplan) and
lists every field that differs from the scenario's `expect` (and its `then` steps)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sim_client import ProtocolClient, Reply, line_total
from sim_flows import Sim, druginfo, lines_of, open_visit, presettle_and_settle, setl_data, upload

ERROR_CODES = {"not_insured": "ERR_NOT_INSURED", "code_expired": "ERR_CODE_EXPIRED", "code_used": "ERR_CODE_USED",
               "not_an_insurance_code": "ERR_NOT_AN_INSURANCE_CODE"}
ZERO = Decimal("0.00")


@dataclass
class Checkout:
    """What one scenario run produced."""

    setlinfo: dict[str, Any] = field(default_factory=dict)
    legs: list[dict[str, Any]] = field(default_factory=list)
    outside: Decimal = ZERO
    error: str | None = None
    setl_id: str = ""
    mdtrt_id: str = ""


class ScenarioRun:
    def __init__(self, sim: Sim, sc: dict[str, Any]) -> None:
        self.sim, self.sc = sim, sc
        self.world = sim.load(sc)
        self.co = sc["checkout"]
        self.psn_no = self.world["handles"][self.co["patient"]]
        inst = sc["institution"]
        self.pc: ProtocolClient = sim.client(inst["code"], inst["admdvs"])
        self.outpatient = self.co["flow"] == "outpatient"
        self.patient = next(p for p in sc["people"] if p["id"] == self.co["patient"])

    # running ---------------------------------------------------------------------------------
    def credential(self) -> tuple[str, str]:
        kind = self.co.get("credential", "id_card")
        if kind == "qr":
            reply = self.pc.decode(self.sim.evoucher_png_code(self.psn_no))
            assert reply.body["code"] == 0, reply.body
            return "01", str(reply.body["data"]["ecToken"])
        if kind == "ss_card":
            return "03", self.world["card_sn"][self.co["patient"]]
        return "02", self.patient["certno"]

    def exp_content(self) -> str:
        return "" if self.co.get("use_wallet", True) else json.dumps({"use_wallet": "0"})

    def checkout(self, items: list[dict[str, Any]] | None = None) -> Checkout:
        items = self.co["lines"] if items is None else items
        outside = sum((Decimal(i["qty"]) * Decimal(i["price"]) for i in items if i.get("insurable", True) is False),
                      ZERO).quantize(Decimal("0.01"))
        result = Checkout(outside=outside)
        cert = self.credential()
        info = self.pc.person_info(*cert)
        assert info.ok, info.body
        mapped = {m["item"]: m["med_list_codg"] for m in self.sc.get("mapping") or []}
        lines = lines_of([{**{k: v for k, v in i.items() if k not in ("item", "trace_codes")},
                           "code": mapped.get(str(i["item"]), i["item"]) if "item" in i else i["code"]}
                          for i in items], batch=self.outpatient)
        insurable = [i for i in items if i.get("insurable", True) is not False]
        for line, item in zip(lines, insurable, strict=True):
            if item.get("trace_codes"):
                line["drugtracinfo"] = [{"drug_trac_codg": code} for code in item["trace_codes"]]
        if not lines:
            return result
        reply = self._settle(cert, lines)
        if not reply.ok:
            result.error = reply.code
            return result
        out = reply.output
        result.setlinfo, result.legs = out["setlinfo"], out["payleg"]
        result.setl_id, result.mdtrt_id = out["setlinfo"]["setl_id"], out["setlinfo"]["mdtrt_id"]
        return result

    def _settle(self, cert: tuple[str, str], lines: list[dict[str, Any]]) -> Reply:
        insutype, acct = self.patient["insutype"], "1" if self.co.get("use_account", True) else "0"
        if not self.outpatient:
            payload = druginfo(self.psn_no, cert, lines, insutype, acct, self.exp_content())
            pre = self.pc.call("2101", payload)
            return pre if not pre.ok else self.pc.call("2102", payload)
        mdtrt_id = open_visit(self.pc, self.psn_no, cert, insutype, self.co.get("med_type", "11"))
        up = upload(self.pc, mdtrt_id, self.psn_no, lines)
        if not up.ok:
            return up
        data = setl_data(self.psn_no, cert, mdtrt_id, line_total(lines), insutype, acct, exp=self.exp_content())
        return presettle_and_settle(self.pc, data)[1]

    def revoke(self, done: Checkout) -> Reply:
        return self.pc.call("2208" if self.outpatient else "2103",
                            {"data": {"setl_id": done.setl_id, "mdtrt_id": done.mdtrt_id, "psn_no": self.psn_no}})

    # comparing -------------------------------------------------------------------------------
    def differences(self, expect: dict[str, Any], got: Checkout | None) -> list[str]:
        diffs: list[str] = []
        if got is not None:
            diffs += self._checkout_diffs(expect, got)
        diffs += self._state_diffs(expect)
        return diffs

    def _checkout_diffs(self, expect: dict[str, Any], got: Checkout) -> list[str]:
        diffs = []
        want_error = (expect.get("error") or {}).get("code")
        if want_error or got.error:
            wanted = ERROR_CODES.get(want_error or "", want_error)
            if wanted != got.error:
                diffs.append(f"error: expected {wanted}, got {got.error}")
            return diffs
        for key, value in (expect.get("setlinfo") or {}).items():
            actual = got.setlinfo.get(key, "0.00")
            if Decimal(str(actual)) != Decimal(value):
                diffs.append(f"setlinfo.{key}: expected {value}, got {actual}")
        diffs += self._leg_diffs(expect.get("legs") or [], got.legs)
        if "outside_settlement" in expect and Decimal(expect["outside_settlement"]) != got.outside:
            diffs.append(f"outside_settlement: expected {expect['outside_settlement']}, got {got.outside}")
        if "cash_total" in expect:
            cash = Decimal(str(got.setlinfo.get("psn_cash_pay", "0.00"))) + got.outside
            if cash != Decimal(expect["cash_total"]):
                diffs.append(f"cash_total: expected {expect['cash_total']}, got {cash}")
        return diffs

    def _leg_diffs(self, wanted: list[dict[str, Any]], legs: list[dict[str, Any]]) -> list[str]:
        diffs = []
        if len(wanted) != len(legs):
            diffs.append(f"legs: expected {len(wanted)} legs, got {len(legs)}: {legs}")
        for index, (want, leg) in enumerate(zip(wanted, legs, strict=False)):
            checks = {"source": (want["source"], leg["source"]),
                      "amount": (Decimal(want["amount"]), Decimal(leg["amount"]))}
            if "rank" in want:
                checks["rank"] = (want["rank"], leg["rank"])
            if "person" in want:
                checks["person"] = (self.world["handles"][want["person"]], leg["psn_no"])
            if "pool" in want:
                checks["pool"] = (self.world["pools"][want["pool"]], leg.get("pool_id"))
            diffs += [f"legs[{index}].{k}: expected {e}, got {a}" for k, (e, a) in checks.items() if e != a]
        return diffs

    def _state_diffs(self, expect: dict[str, Any]) -> list[str]:
        balances, diffs = self.sim.balances(), []
        sections = (("balances_after", "accounts", self.world["handles"]),
                    ("pools_after", "pools", self.world["pools"]),
                    ("wallets_after", "wallets", self.world["handles"]))
        for key, where, ids in sections:
            for handle, value in (expect.get(key) or {}).items():
                actual = balances[where].get(ids[handle])
                if actual is None or Decimal(actual) != Decimal(value):
                    diffs.append(f"{key}.{handle}: expected {value}, got {actual}")
        return diffs

    def run(self) -> list[str]:
        """Checkout, compare, then every `then` step; returns all differences."""
        got = self.checkout()
        diffs = self.differences(self.sc["expect"], got)
        for number, step in enumerate(self.sc.get("then") or [], start=1):
            diffs += [f"then[{number}] {d}" for d in self._then(step, got)]
        return diffs

    def _then(self, step: dict[str, Any], got: Checkout) -> list[str]:
        if not got.setl_id:  # nothing was settled on the platform: the till gives the cash back, sends nothing
            return self.differences(step.get("expect") or {}, None)
        reply = self.revoke(got)
        if not reply.ok:
            return [f"revoke failed: {reply.body}"]
        if step["action"] == "refund":
            keep = [i for i in self.co["lines"] if i["code"] not in set(step["lines"])]
            again = self.checkout(keep)
            return self.differences(step.get("expect") or {}, again)
        return self.differences(step.get("expect") or {}, None)
