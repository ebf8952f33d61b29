"""The load generator: a process of its own, so the harness never measures itself.

    python -m tools.bench.loadgen < spec.json  ->  one JSON line: ops, seconds, errors, latencies (ms)

One thread per connection, each with one keep-alive `http.client` connection (reopened by http.client
if the server closes it). An "op" is what a cashier waits for: `echo` one POST /admin/echo, `1101` one
person query, `pharmacy` 2101 then 2102, `outpatient` 2206 then 2207 on a visit opened (2201 + 2204)
before the clock starts. Every reply is checked (infcode 0); a failed op is counted, never timed.
"""

from __future__ import annotations

import http.client
import itertools
import json
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

SERVICE = "/fsi/api/rsfComIfsService/callService"
LINE = {"feedetl_sn": "1", "med_list_codg": "A001", "medins_list_codg": "A001", "medins_list_name": "阿莫西林胶囊",
        "det_item_fee_sumamt": "12.50", "cnt": "1", "pric": "12.50", "fee_ocur_time": "2026-01-01 09:00:00",
        "rxno": "", "rx_circ_flag": "0", "bilg_dr_codg": "D001", "bilg_dr_name": "医生"}


class OpFailed(Exception):
    """A reply that was not a success (its text is kept as a sample)."""


@dataclass
class Msgids:
    """Unique msgids for one run: `code` + a stamp from `base` + a 4-digit sequence (thread-safe)."""

    base: datetime
    counter: Any = field(default_factory=lambda: itertools.count())

    def next(self, code: str) -> str:
        n = next(self.counter)
        return f"{code}{self.base + timedelta(seconds=n // 10000):%Y%m%d%H%M%S}{n % 10000:04d}"


class Client:
    """One keep-alive connection speaking the envelope protocol for one institution."""

    def __init__(self, url: str, code: str, area: str, msgids: Msgids, sign_no: str = "") -> None:
        parts = urlsplit(url)
        self.conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=60)
        self.code, self.area, self.msgids, self.sign_no = code, area, msgids, sign_no

    def post(self, path: str, body: Any) -> Any:
        data = json.dumps(body, ensure_ascii=False).encode()
        self.conn.request("POST", path, data, {"Content-Type": "application/json; charset=utf-8"})
        reply = self.conn.getresponse()
        raw = reply.read()
        if reply.status != 200:
            raise OpFailed(f"HTTP {reply.status}: {raw[:200]!r}")
        return json.loads(raw)

    def call(self, infno: str, payload: dict[str, Any], insuplc: str = "") -> dict[str, Any]:
        now = datetime.now()
        body = {"infno": infno, "msgid": self.msgids.next(self.code), "mdtrtarea_admvs": self.area,
                "insuplc_admdvs": insuplc, "recer_sys_code": "BENCH", "dev_no": "", "dev_safe_info": "",
                "cainfo": "", "signtype": "", "infver": "V1.0", "opter_type": "1", "opter": "B001",
                "opter_name": "压测", "inf_time": f"{now:%Y-%m-%d %H:%M:%S}", "fixmedins_code": self.code,
                "fixmedins_name": "压测机构", "sign_no": self.sign_no, "input": payload}
        reply = self.post(SERVICE, body)
        if str(reply.get("infcode")) != "0":
            raise OpFailed(f"{infno}: {reply.get('err_msg')}")
        output: dict[str, Any] = reply["output"]
        return output

    def sign_in(self) -> str:
        out = self.call("9001", {"signIn": {"opter_no": "B001", "mac": "00:00:00:00:00:00", "ip": "127.0.0.1"}})
        self.sign_no = str(out["signinoutb"]["sign_no"])
        return self.sign_no

    def close(self) -> None:
        self.conn.close()


def person_query(client: Client, person: list[str]) -> None:
    client.call("1101", {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": person[1], "card_sn": "",
                                  "psn_cert_type": "01", "certno": "", "psn_name": ""}})


def pharmacy_sale(client: Client, person: list[str], insuplc: str) -> None:
    info = {"psn_no": person[0], "mdtrt_cert_type": "02", "mdtrt_cert_no": person[1],
            "begntime": "2026-01-01 09:00:00", "medfee_sumamt": LINE["det_item_fee_sumamt"], "insutype": "310",
            "acct_used_flag": "1", "med_type": "41", "invono": "", "fulamt_ownpay_amt": "", "exp_content": ""}
    payload = {"druginfo": info, "drugdetail": [LINE]}
    client.call("2101", payload, insuplc)
    client.call("2102", payload, insuplc)


def open_visit(client: Client, person: list[str], insuplc: str) -> dict[str, Any]:
    """2201 + 2204: a visit with one fee line, ready for 2206/2207 (not timed)."""
    reg = client.call("2201", {"data": {"psn_no": person[0], "insutype": "310", "begntime": "2026-01-01 09:00:00",
                                        "mdtrt_cert_type": "02", "mdtrt_cert_no": person[1], "ipt_otp_no": "OP1",
                                        "atddr_no": "D001", "dr_name": "医生", "dept_code": "A01",
                                        "dept_name": "内科", "caty": "A03"}}, insuplc)
    mdtrt_id = str(reg["data"]["mdtrt_id"])
    client.call("2204", {"feedetail": [dict(LINE, mdtrt_id=mdtrt_id, psn_no=person[0], chrg_bchno="B1",
                                            bilg_dept_codg="A01", bilg_dept_name="内科", hosp_appr_flag="1")]},
                insuplc)
    return {"psn_no": person[0], "mdtrt_cert_type": "02", "mdtrt_cert_no": person[1], "med_type": "11",
            "medfee_sumamt": LINE["det_item_fee_sumamt"], "psn_setlway": "01", "mdtrt_id": mdtrt_id,
            "chrg_bchno": "0000", "acct_used_flag": "1", "insutype": "310", "invono": "", "exp_content": ""}


DECLARED = ("fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt")


def outpatient_settle(client: Client, data: dict[str, Any], insuplc: str) -> None:
    """2206, then 2207 declaring the four amounts 2206 computed (as a HIS does)."""
    info = client.call("2206", {"data": data}, insuplc)["setlinfo"]
    client.call("2207", {"data": dict(data, **{name: info[name] for name in DECLARED})}, insuplc)


def run(spec: dict[str, Any]) -> dict[str, Any]:
    """Run `spec["conns"]` connections for `spec["seconds"]` (or `spec["max_ops"]` ops in all)."""
    kind, conns, persons = spec["kind"], int(spec["conns"]), spec.get("persons") or [["", ""]]
    code = str(spec.get("hospital") if kind == "outpatient" else spec.get("pharmacy", ""))
    msgids = Msgids(datetime.fromisoformat(spec["msgid_base"]))
    area, insuplc = spec.get("area", "610103"), spec.get("insuplc", "610103")
    sign_no = Client(spec["url"], code, area, msgids).sign_in() if kind != "echo" else ""
    clients = [Client(spec["url"], code, area, msgids, sign_no) for _ in range(conns)]
    max_ops = int(spec.get("max_ops") or 10**9)
    work: list[list[Any]] = [[] for _ in range(conns)]
    if kind == "outpatient":  # visits opened before the clock starts
        for i in range(max_ops):
            work[i % conns].append(open_visit(clients[i % conns], persons[i % len(persons)], insuplc))
    latencies: list[list[float]] = [[] for _ in range(conns)]
    errors: list[str] = []
    stop_at = [0.0]
    budget = itertools.count()

    def one(index: int, n: int) -> None:
        client = clients[index]
        person = persons[(n * 7 + index) % len(persons)]
        if kind == "echo":
            client.post("/admin/echo", {"ping": n})
        elif kind == "1101":
            person_query(client, person)
        elif kind == "pharmacy":
            pharmacy_sale(client, person, insuplc)
        else:
            outpatient_settle(client, work[index].pop(), insuplc)

    def loop(index: int) -> None:
        while time.perf_counter() < stop_at[0]:
            n = next(budget)
            if n >= max_ops or (kind == "outpatient" and not work[index]):
                return
            started = time.perf_counter()
            try:
                one(index, n)
            except (OpFailed, OSError, http.client.HTTPException, ValueError) as exc:
                errors.append(f"{type(exc).__name__}: {exc}"[:300])
                continue
            latencies[index].append((time.perf_counter() - started) * 1000)

    threads = [threading.Thread(target=loop, args=(i,), daemon=True) for i in range(conns)]
    started = time.perf_counter()
    stop_at[0] = started + float(spec["seconds"])
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    for client in clients:
        client.close()
    flat = sorted(x for per in latencies for x in per)
    return {"kind": kind, "conns": conns, "ops": len(flat), "seconds": elapsed, "errors": len(errors),
            "error_samples": errors[:3], "latencies_ms": flat}


if __name__ == "__main__":
    print(json.dumps(run(json.loads(sys.stdin.read()))))
