"""A plain protocol client for the simulator tests: envelopes, msgid sequence, sign-in, no payplan.

Written from docs/protocol.md alone (it does not use pos_plugin). Works over Flask's test client or real HTTP.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

SERVICE = "/fsi/api/rsfComIfsService/callService"
DECODE = "/localcfc/api/hsecfc/localQrCodeQuery"


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == 200 and isinstance(self.body, dict) and str(self.body.get("infcode")) == "0"

    @property
    def output(self) -> Any:
        assert self.ok, f"expected success, got {self.status} {self.body}"
        return self.body["output"]

    @property
    def err(self) -> str:
        assert self.status in (200, 401, 500) and str(self.body.get("infcode")) == "-1", self.body
        return str(self.body["err_msg"])

    @property
    def code(self) -> str:
        return str(self.body.get("err_code") or self.body.get("code"))


class FlaskTransport:
    def __init__(self, client: Any) -> None:
        self.client = client

    def post(self, path: str, body: Any, headers: dict[str, str] | None = None) -> Reply:
        resp = self.client.post(path, data=json.dumps(body, ensure_ascii=False).encode(),
                                headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})})
        return Reply(resp.status_code, _loads(resp.data), dict(resp.headers))

    def get(self, path: str) -> Reply:
        resp = self.client.get(path)
        return Reply(resp.status_code, _loads(resp.data), dict(resp.headers))

    def delete(self, path: str) -> Reply:
        resp = self.client.delete(path)
        return Reply(resp.status_code, _loads(resp.data), dict(resp.headers))


class HttpTransport:
    def __init__(self, base: str, session: Any) -> None:
        self.base, self.session = base, session

    def post(self, path: str, body: Any, headers: dict[str, str] | None = None) -> Reply:
        resp = self.session.post(self.base + path, data=json.dumps(body, ensure_ascii=False).encode(),
                                 headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
                                 timeout=30)
        return Reply(resp.status_code, _loads(resp.content), dict(resp.headers))

    def get(self, path: str) -> Reply:
        resp = self.session.get(self.base + path, timeout=30)
        return Reply(resp.status_code, _loads(resp.content), dict(resp.headers))

    def delete(self, path: str) -> Reply:
        resp = self.session.delete(self.base + path, timeout=30)
        return Reply(resp.status_code, _loads(resp.content), dict(resp.headers))


def _loads(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8"), parse_float=Decimal)
    except ValueError:
        return raw


class ProtocolClient:
    """Builds envelopes for one institution and operator; `sign_in()` before business calls."""

    _sequence = itertools.count(1)

    def __init__(self, transport: Any, fixmedins_code: str, area: str = "610103",
                 now: Callable[[], datetime] = datetime.now) -> None:
        self.t = transport
        self.code = fixmedins_code
        self.area = area
        self.sign_no = ""
        self.insuplc = ""
        self.now = now
        self.last_msgid = ""

    def next_msgid(self) -> str:
        return f"{self.code}{self.now():%Y%m%d%H%M%S}{next(self._sequence) % 10000:04d}"

    def envelope(self, infno: str, payload: dict[str, Any], msgid: str | None = None, **over: Any) -> dict[str, Any]:
        env = {"infno": infno, "msgid": msgid or self.next_msgid(), "mdtrtarea_admvs": self.area,
               "insuplc_admdvs": self.insuplc, "recer_sys_code": "TESTHIS", "dev_no": "", "dev_safe_info": "",
               "cainfo": "", "signtype": "", "infver": "V1.0", "opter_type": "1", "opter": "T001",
               "opter_name": "测试收银员", "inf_time": self.now().strftime("%Y-%m-%d %H:%M:%S"),
               "fixmedins_code": self.code, "fixmedins_name": "测试机构", "sign_no": self.sign_no,
               "input": payload}
        env.update(over)
        return env

    def call(self, infno: str, payload: dict[str, Any], msgid: str | None = None, **over: Any) -> Reply:
        env = self.envelope(infno, payload, msgid, **over)
        self.last_msgid = env["msgid"]
        return self.t.post(SERVICE, env)

    def sign_in(self) -> str:
        reply = self.call("9001", {"signIn": {"opter_no": "T001", "mac": "00:00:00:00:00:00", "ip": "127.0.0.1"}})
        self.sign_no = reply.output["signinoutb"]["sign_no"]
        return self.sign_no

    def person_info(self, cert_type: str, cert_no: str, card_sn: str = "") -> Reply:
        reply = self.call("1101", {"data": {"mdtrt_cert_type": cert_type, "mdtrt_cert_no": cert_no,
                                            "card_sn": card_sn, "psn_cert_type": "01", "certno": "",
                                            "psn_name": ""}})
        if reply.ok:
            self.insuplc = reply.body["output"]["insuinfo"][0]["insuplc_admdvs"]
        return reply

    def decode(self, qr: str, business_type: str = "02121") -> Reply:
        return self.t.post(DECODE, {"data": {"orgId": self.code, "businessType": business_type,
                                             "operatorId": "T001", "operatorName": "测试收银员", "officeId": "01",
                                             "officeName": "收费处", "ecQrCode": qr}})


def fee_line(sn: str, line: dict[str, Any], **extra: Any) -> dict[str, Any]:
    qty, price = Decimal(line["qty"]), Decimal(line["price"])
    amount = (qty * price).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
    return {"feedetl_sn": sn, "med_list_codg": line["code"], "medins_list_codg": line["code"],
            "medins_list_name": line.get("name", ""), "det_item_fee_sumamt": str(amount), "cnt": line["qty"],
            "pric": line["price"], "fee_ocur_time": "2026-01-01 00:00:00", "rxno": "", "rx_circ_flag": "0",
            "bilg_dr_codg": "D001", "bilg_dr_name": "医生", **extra}


def line_total(lines: list[dict[str, Any]]) -> Decimal:
    return sum((Decimal(item["det_item_fee_sumamt"]) for item in lines), Decimal("0.00"))
