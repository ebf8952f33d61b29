"""A seeded generator of hostile requests for the envelope endpoint (issue 12's categories).

Starts from valid requests built on a loaded world (sign-in, 1101, 2101/2102/2103, 2601, 5203, 3201,
9101/9102, 2201/2202), then mutates them: lone surrogates, NUL and control characters, numeric forms
(`²`, 400 digits, 1e400, NaN, Arabic-Indic digits, huge and negative amounts), wrong types, missing
fields, over-long texts, deep nesting, bodies over the size limit, broken JSON, reused msgids, odd
echoed fields. About one request in five is sent unmutated so money really moves in between.
"""

from __future__ import annotations

import copy
import itertools
import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from tools.worlds import HOSPITAL, PHARMACY, world

SERVICE = "/fsi/api/rsfComIfsService/callService"
ENVELOPE_KEYS = {"infcode", "inf_refmsgid", "refmsg_time", "respond_time", "err_msg", "warn_msg", "cainfo",
                 "signtype", "output"}
AMOUNT_KEYS = ("medfee_sumamt", "det_item_fee_sumamt", "cnt", "pric", "fund_pay_sumamt", "acct_pay", "cash_payamt")
NUMERIC_FORMS: list[Any] = ["²", "1" * 400, 10**50, -(10**30), "-5.00", "1e9999", "NaN", "Infinity", "١٢", "1_0",
                            " 5", "5.001", Decimal("1E+400"), Decimal("0.1"), Decimal("-1E-400"), Decimal("1.5"), -1, 0, "0x10", "+3", "-0", "", None,
                            "9" * 4000, 2**63, -(2**63) - 1, "1e-7", "۵", "Ⅻ", True]
WEIRD_TEXTS = ["\ud800", "a\udfffb", "\x00", "a\x00b", "\x1b[31m", "\u2028", "\ufeff", "𝟘", "\x7f", "'; DROP TABLE x;--",
               "%00", "../../etc/passwd", "\u202e", "x" * 51, "人" * 300, "x" * 70000]
WRONG_TYPES: list[Any] = [None, [], {}, [1, 2], {"a": 1}, True, False, 0, -1, Decimal("1.5"), "", "null"]


@dataclass
class World:
    """What the generator knows about the loaded world and what has happened so far."""

    people: list[tuple[str, str]]  # (psn_no, certno)
    sign_no: dict[str, str]
    settled: list[tuple[str, str, str, str, str]] = field(default_factory=list)  # code, setl_id, mdtrt_id, psn, msgid
    files: list[tuple[str, str]] = field(default_factory=list)  # code, file_qury_no
    msgids: list[tuple[str, str, str]] = field(default_factory=list)  # code, msgid, infno


class Generator:
    """Seeded: the same seed on a fresh database gives the same requests."""

    def __init__(self, seed: int, state: World) -> None:
        self.rng = random.Random(seed)
        self.state = state
        self._seq = itertools.count(1)

    # valid requests ------------------------------------------------------------------------------
    def msgid(self, code: str) -> str:
        return f"{code}{datetime.now():%Y%m%d%H%M%S}{next(self._seq) % 10000:04d}"

    def envelope(self, code: str, infno: str, payload: dict[str, Any]) -> dict[str, Any]:
        return {"infno": infno, "msgid": self.msgid(code), "mdtrtarea_admvs": "610103", "insuplc_admdvs": "610103",
                "recer_sys_code": "FUZZ", "dev_no": "", "dev_safe_info": "", "cainfo": "", "signtype": "",
                "infver": "V1.0", "opter_type": "1", "opter": "T001", "opter_name": "模糊测试",
                "inf_time": datetime.now().strftime("%Y-%m-%d %H:%M:%S"), "fixmedins_code": code,
                "fixmedins_name": "模糊测试机构", "sign_no": self.state.sign_no.get(code, ""), "input": payload}

    def _lines(self) -> list[dict[str, Any]]:
        out = []
        for sn in range(1, self.rng.randint(1, 3) + 1):
            qty, price = Decimal(self.rng.randint(1, 3)), Decimal(self.rng.randint(1, 4000)) / 100
            out.append({"feedetl_sn": str(sn), "med_list_codg": self.rng.choice(["A001", "B001", "C001", "CAP1"]),
                        "medins_list_codg": "X", "medins_list_name": "药品", "det_item_fee_sumamt": f"{qty * price:.2f}",
                        "cnt": str(qty), "pric": f"{price:.2f}", "fee_ocur_time": "2026-01-01 00:00:00"})
        return out

    def valid(self) -> tuple[str, dict[str, Any]]:
        """(kind, envelope): one valid request (valid in form; the platform may still refuse it)."""
        rng, st = self.rng, self.state
        psn_no, certno = rng.choice(st.people)
        kind = rng.choice(["9001", "1101", "2101", "2102", "2102", "2103", "2601", "5203", "3201", "9101", "9102",
                           "2201", "2202"])
        code = HOSPITAL if kind in ("2201", "2202") else PHARMACY
        if kind == "9001":
            return kind, self.envelope(code, kind, {"signIn": {"opter_no": "T001"}})
        if kind == "1101":
            return kind, self.envelope(code, kind, {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": certno,
                                                             "psn_cert_type": "01", "certno": "", "psn_name": ""}})
        if kind in ("2101", "2102"):
            lines = self._lines()
            total = sum((Decimal(x["det_item_fee_sumamt"]) for x in lines), Decimal("0.00"))
            info = {"psn_no": psn_no, "mdtrt_cert_type": "02", "mdtrt_cert_no": certno,
                    "begntime": "2026-01-01 09:00:00", "medfee_sumamt": str(total), "insutype": "310",
                    "acct_used_flag": rng.choice(["0", "1"]), "med_type": "41", "exp_content": ""}
            return kind, self.envelope(code, kind, {"druginfo": info, "drugdetail": lines})
        if kind == "2103" and st.settled:
            c, setl_id, mdtrt_id, psn, _m = rng.choice(st.settled)
            return kind, self.envelope(c, kind, {"data": {"setl_id": setl_id, "mdtrt_id": mdtrt_id, "psn_no": psn}})
        if kind == "2601" and st.msgids:
            c, omsgid, oinfno = rng.choice(st.msgids)
            psn = next((s[3] for s in st.settled if s[4] == omsgid), psn_no)
            return kind, self.envelope(c, kind, {"data": {"psn_no": psn, "omsgid": omsgid, "oinfno": oinfno}})
        if kind == "5203" and st.settled:
            c, setl_id, mdtrt_id, psn, _m = rng.choice(st.settled)
            return kind, self.envelope(c, kind, {"data": {"psn_no": psn, "setl_id": setl_id, "mdtrt_id": mdtrt_id}})
        if kind == "3201":
            day = "2026-05-10"
            return kind, self.envelope(code, kind, {"data": {
                "insutype": "310", "clr_type": "41", "setl_optins": "610103", "stmt_begndate": day,
                "stmt_enddate": day, "medfee_sumamt": "0.00", "fund_pay_sumamt": "0.00", "acct_pay": "0.00",
                "fixmedins_setl_cnt": "0"}})
        if kind == "9101":
            return kind, self.envelope(code, kind, {"fsUploadIn": {"in": "aGVsbG8=", "filename": "f.txt"}})
        if kind == "9102" and st.files:
            c, number = rng.choice(st.files)
            return kind, self.envelope(c, kind, {"fsDownloadIn": {"file_qury_no": number}})
        if kind == "2201":
            return kind, self.envelope(code, kind, {"data": {
                "psn_no": psn_no, "insutype": "310", "begntime": "2026-05-10 09:00:00", "mdtrt_cert_type": "02",
                "mdtrt_cert_no": certno, "ipt_otp_no": f"MZ{rng.randint(1, 10**6)}", "atddr_no": "D1",
                "dr_name": "医生", "dept_code": "01", "dept_name": "内科", "caty": "A01"}})
        return "1101", self.envelope(PHARMACY, "1101", {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": certno}})

    # mutations -----------------------------------------------------------------------------------
    def _paths(self, node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
        if isinstance(node, dict):
            for key, value in node.items():
                yield (*prefix, key)
                yield from self._paths(value, (*prefix, key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                yield (*prefix, index)
                yield from self._paths(value, (*prefix, index))

    def _set(self, env: dict[str, Any], path: tuple[Any, ...], value: Any, delete: bool = False) -> None:
        node: Any = env
        for key in path[:-1]:
            node = node[key]
        if delete and isinstance(node, dict):
            node.pop(path[-1], None)
        else:
            node[path[-1]] = value

    def request(self) -> tuple[str, str, bytes]:
        """(kind, category, body bytes) of the next request."""
        kind, env = self.valid()
        rng = self.rng
        category = rng.choice(["valid", "valid", "surrogate", "nul", "text", "numeric", "numeric", "wrong_type",
                               "missing", "deep", "oversize", "bad_json", "msgid", "echo"])
        paths = list(self._paths(env))
        amount_paths = [p for p in paths if p[-1] in AMOUNT_KEYS]
        text_paths = [p for p in paths if isinstance(self._get(env, p), str)]
        if category in ("surrogate", "nul", "text") and text_paths:
            value = {"surrogate": rng.choice(["\ud800", "x\udc00", "\udbff\udbff"]),
                     "nul": rng.choice(["\x00", "61\x0001", "\x00" * 3])}.get(category) or rng.choice(WEIRD_TEXTS)
            path = rng.choice(text_paths + [("cainfo",), ("signtype",), ("mdtrtarea_admvs",)])
            self._set(env, path, value)
        elif category == "numeric":
            path = rng.choice(amount_paths or paths)
            self._set(env, path, rng.choice(NUMERIC_FORMS))
        elif category == "wrong_type":
            self._set(env, rng.choice(paths), copy.deepcopy(rng.choice(WRONG_TYPES)))
        elif category == "missing":
            self._set(env, rng.choice(paths), None, delete=True)
        elif category == "deep":
            depth = rng.choice([33, 100, 1000, 50_000])
            nested: Any = "x"
            for _ in range(min(depth, 300)):
                nested = [nested] if rng.random() < 0.5 else {"k": nested}
            if depth > 300:
                head = encode(env)[:-1]
                return kind, category, (head + ', "deep": ' + "[" * depth + "]" * depth + "}").encode()
            self._set(env, rng.choice(paths), nested)
        elif category == "oversize":
            self._set(env, rng.choice(text_paths or paths), "x" * rng.choice([300, 5000, 70_000, 300_000]))
        elif category == "bad_json":
            raw = encode(env).encode()
            return kind, category, rng.choice([raw[: rng.randint(0, len(raw))], raw + b"}", b"\xff\xfe" + raw,
                                               raw.replace(b'"', b"'", 3), b"", b"null", b"[]", b"1e999999"])
        elif category == "msgid":
            used = [m for _c, m, _i in self.state.msgids]
            env["msgid"] = rng.choice([*(used[-3:] or ["x"]), env["msgid"][:-1], env["msgid"] + "0",
                                       PHARMACY[:-1] + env["msgid"][len(PHARMACY):], "²" * 30, 12345])
        elif category == "echo":
            env[rng.choice(["cainfo", "signtype"])] = copy.deepcopy(rng.choice(WRONG_TYPES + WEIRD_TEXTS))
        return kind, category, encode(env).encode()

    @staticmethod
    def _get(env: Any, path: tuple[Any, ...]) -> Any:
        for key in path:
            env = env[key]
        return env


_NUMBER = re.compile(r'"@@number:([^"@]+)@@"')


def encode(env: Any) -> str:
    """ASCII JSON (lone surrogates travel as escapes); Decimals go out as raw JSON numbers (1E+400)."""
    text = json.dumps(env, ensure_ascii=True, default=lambda d: f"@@number:{d}@@")
    return _NUMBER.sub(r"\1", text)


def load_world(client: Any) -> World:
    """Load the test world on a frozen clock and sign both institutions in."""
    body = world()
    for person in body["people"]:
        if "account" in person:
            person["account"] = "100000.00"  # enough for thousands of settlements
    loaded = client.post("/admin/world", json=body).json
    client.post("/admin/clock", json={"now": "2026-05-10 10:00:00", "frozen": True})
    certs = {p["id"]: p["certno"] for p in body["people"]}
    state = World(people=[(loaded["handles"][h], certs[h]) for h in certs], sign_no={})
    gen = Generator(0, state)
    for code in (PHARMACY, HOSPITAL):
        reply = client.post(SERVICE, json=gen.envelope(code, "9001", {"signIn": {"opter_no": "T001"}})).json
        state.sign_no[code] = reply["output"]["signinoutb"]["sign_no"]
    return state


def learn(state: World, kind: str, env: dict[str, Any] | None, body: Any) -> None:
    """Remember settlements, files and msgids of accepted requests, for later revokes, queries, 2601s."""
    if env is None or not isinstance(body, dict) or body.get("infcode") != 0:
        return
    code, msgid, out = env["fixmedins_code"], env["msgid"], body.get("output") or {}
    if kind in ("2102", "2103"):
        state.msgids.append((code, msgid, kind))
    if kind == "2102":
        info = out["setlinfo"]
        state.settled.append((code, info["setl_id"], info["mdtrt_id"], info["psn_no"], msgid))
    if kind == "9101":
        state.files.append((code, out["file_qury_no"]))
