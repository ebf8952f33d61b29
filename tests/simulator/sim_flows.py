"""Test-side helpers: an admin facade and checkout flows built on the plain protocol client."""

from __future__ import annotations

import base64
import io
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from sim_client import ProtocolClient, Reply, fee_line, line_total

from tools.worlds import PHARMACY, item, world

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
DECLARED = ("fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt")


def scenario(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / "scenarios" / f"{name}.json").read_text(encoding="utf-8"))


def scenario_names() -> list[str]:
    return sorted(p.stem for p in (FIXTURES / "scenarios").glob("*.json"))


@dataclass
class Sim:
    """Admin API + protocol clients over one transport (Flask test client or real HTTP)."""

    t: Any

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        reply = getattr(self.t, method)("/admin" + path, *([body] if method == "post" else []))
        assert reply.status == 200, f"{method} {path}: {reply.status} {reply.body}"
        return reply.body

    def load(self, world: dict[str, Any] | str) -> dict[str, Any]:
        return self.admin("post", "/world", scenario(world) if isinstance(world, str) else world)

    def balances(self) -> dict[str, Any]:
        return self.admin("get", "/balances")

    def account(self, psn_no: str) -> Decimal:
        return Decimal(self.balances()["accounts"][psn_no])

    def person(self, psn_no: str) -> dict[str, Any]:
        return self.admin("get", f"/persons/{psn_no}")

    def ledger(self, setl_id: str = "") -> list[dict[str, Any]]:
        return self.admin("get", "/ledger" + (f"?setl_id={setl_id}" if setl_id else ""))["entries"]

    def conservation(self) -> dict[str, Any]:
        return self.admin("get", "/conservation")

    def snapshot(self) -> dict[str, Any]:
        """Everything money-related: compare before/after a refusal."""
        return {"balances": self.balances(), "ledger": self.ledger(),
                "settlements": self.admin("get", "/settlements")["settlements"],
                "conservation": self.conservation()}

    def set_clock(self, now: str) -> None:
        self.admin("post", "/clock", {"now": now})

    def advance(self, seconds: int) -> None:
        self.admin("post", "/clock/advance", {"seconds": seconds})

    def evoucher(self, psn_no: str) -> str:
        return str(self.admin("post", "/evouchers", {"psn_no": psn_no})["code"])

    def evoucher_png_code(self, psn_no: str) -> str:
        """Issue a code as a PNG and read it back with pyzbar (the real image path)."""
        from PIL import Image
        from pyzbar.pyzbar import decode

        png = base64.b64decode(self.admin("post", "/evouchers", {"psn_no": psn_no})["png_base64"])
        found = decode(Image.open(io.BytesIO(png)))
        assert len(found) == 1
        return str(found[0].data.decode())

    def client(self, code: str, area: str = "610103", sign_in: bool = True) -> ProtocolClient:
        pc = ProtocolClient(self.t, code, area)
        if sign_in:
            pc.sign_in()
        return pc

    def token(self, pc: ProtocolClient, psn_no: str) -> str:
        reply = pc.decode(self.evoucher(psn_no))
        assert reply.body["code"] == 0, reply.body
        return str(reply.body["data"]["ecToken"])


# flows ---------------------------------------------------------------------------------------------
def lines_of(items: list[dict[str, Any]], batch: bool = False) -> list[dict[str, Any]]:
    """Wire fee lines for the insurable items (one chrg_bchno per line when `batch`)."""
    insurable = [item for item in items if item.get("insurable", True) is not False]
    return [fee_line(str(i), item, **({"chrg_bchno": f"B{i}"} if batch else {}))
            for i, item in enumerate(insurable, start=1)]


def druginfo(psn_no: str, cert: tuple[str, str], lines: list[dict[str, Any]], insutype: str,
             acct_used: str = "1", exp: Any = None, **over: Any) -> dict[str, Any]:
    info = {"psn_no": psn_no, "mdtrt_cert_type": cert[0], "mdtrt_cert_no": cert[1],
            "begntime": "2026-01-01 09:00:00", "medfee_sumamt": str(line_total(lines)), "insutype": insutype,
            "acct_used_flag": acct_used, "med_type": "41", "invono": "", "fulamt_ownpay_amt": "",
            "exp_content": exp if exp is not None else ""}
    info.update(over)
    return {"druginfo": info, "drugdetail": lines}


def open_visit(pc: ProtocolClient, psn_no: str, cert: tuple[str, str], insutype: str, med_type: str = "11") -> str:
    reply = pc.call("2201", {"data": {"psn_no": psn_no, "insutype": insutype, "begntime": "2026-01-01 09:00:00",
                                      "mdtrt_cert_type": cert[0], "mdtrt_cert_no": cert[1], "ipt_otp_no": "OP001",
                                      "atddr_no": "D001", "dr_name": "李医生", "dept_code": "A01",
                                      "dept_name": "内科", "caty": "A03"}})
    mdtrt_id = str(reply.output["data"]["mdtrt_id"])
    diag = pc.call("2203", {"mdtrtinfo": {"mdtrt_id": mdtrt_id, "psn_no": psn_no, "med_type": med_type,
                                          "begntime": "2026-01-01 09:00:00", "main_cond_dscr": ""},
                            "diseinfo": [{"diag_type": "1", "diag_srt_no": "1", "diag_code": "I10",
                                          "diag_name": "原发性高血压", "vali_flag": "1"}]})
    assert diag.ok, diag.body
    return mdtrt_id


def upload(pc: ProtocolClient, mdtrt_id: str, psn_no: str, lines: list[dict[str, Any]]) -> Reply:
    return pc.call("2204", {"feedetail": [dict(line, mdtrt_id=mdtrt_id, psn_no=psn_no,
                                               chrg_bchno=line.get("chrg_bchno", "B1"), bilg_dept_codg="A01",
                                               bilg_dept_name="内科", hosp_appr_flag="1") for line in lines]})


def setl_data(psn_no: str, cert: tuple[str, str], mdtrt_id: str, medfee: Decimal | str, insutype: str,
              acct_used: str = "1", chrg_bchno: str = "0000", exp: Any = None, **over: Any) -> dict[str, Any]:
    data = {"psn_no": psn_no, "mdtrt_cert_type": cert[0], "mdtrt_cert_no": cert[1], "med_type": "11",
            "medfee_sumamt": str(medfee), "psn_setlway": "01", "mdtrt_id": mdtrt_id, "chrg_bchno": chrg_bchno,
            "acct_used_flag": acct_used, "insutype": insutype, "invono": "",
            "exp_content": exp if exp is not None else ""}
    data.update(over)
    return data


def presettle_and_settle(pc: ProtocolClient, data: dict[str, Any]) -> tuple[Reply, Reply]:
    """2206 then 2207 carrying the four amounts from 2206."""
    pre = pc.call("2206", {"data": data})
    if not pre.ok:
        return pre, pre
    declared = {name: pre.output["setlinfo"][name] for name in DECLARED}
    return pre, pc.call("2207", {"data": dict(data, **declared)})


# The ID certificate of world()'s patient "pat".
PATIENT_CERT = ("02", "610103197001011111")


def pharmacy_shop(sim: Sim, qty: str, price: str) -> dict[str, Any]:
    """world() loaded, a signed-in pharmacy till for the patient's area, and a one-line purchase ready to send."""
    h = sim.load(world())["handles"]
    pc = sim.client(PHARMACY)
    pc.insuplc = "610103"
    return {"pc": pc, "h": h, "pat": h["pat"],
            "buy": druginfo(h["pat"], PATIENT_CERT, [fee_line("1", item("A001", qty, price))], "310")}


def table_scans(store: Any) -> tuple[int, list[tuple[str, str]]]:
    """(how many compiled statements the store prepared, the SQLite plan steps among them that SCAN a
    table). Inserts are left out; every other request statement must use an index."""
    prepared = list(store.statements._cache.values())
    scans: list[tuple[str, str]] = []
    with store.engine.connect() as conn:
        raw = conn.connection.driver_connection
        for statement in prepared:
            if statement.sql.lstrip().upper().startswith("INSERT"):
                continue
            params = tuple(None for _ in statement.order or ())
            plan = [row[3] for row in raw.execute("EXPLAIN QUERY PLAN " + statement.sql, params)]
            scans += [(statement.sql.split("\n")[0][:80], step) for step in plan if step.startswith("SCAN")]
    return len(prepared), scans
