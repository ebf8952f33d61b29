"""A stay through the local agent over real HTTP (pos_plugin/agent/stays.py): admit, two days of fees, discharge,
quote, settle with the quote id, receipt, revoke; every /stays operation answered for real and validated against
the OpenAPI document; closed request bodies (an unknown field is 422 ERR_UNKNOWN_FIELD and changes nothing)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from test_agent_openapi import Checker

from pos_plugin.agent.openapi import document

ROOT = Path(__file__).resolve().parents[2]
STAY = json.loads((ROOT / "fixtures/scenarios/shaanxi-retiree-first-stay.json").read_text(encoding="utf-8"))
ADMISSION = STAY["checkout"]["admission"]
WANG = STAY["people"][0]["certno"]


def test_a_stay_through_the_agent_validates_against_the_document(admin, start_agent):
    loaded = admin.load_world(STAY)
    agent = start_agent(STAY)
    check = Checker(document())
    admit = {"code": WANG, "ipt_no": ADMISSION["ipt_no"], "dept_code": ADMISSION["dept_code"],
             "dept_name": ADMISSION["dept_name"], "bed": ADMISSION["bed"], "begntime": ADMISSION["begntime"]}
    refused = check("POST", "/stays", agent.call("POST", "/stays", dict(admit, iptNo="x")))
    assert refused["code"] == "ERR_UNKNOWN_FIELD" and "iptNo" in refused["message"]
    assert check("GET", "/stays", agent.call("GET", "/stays"))["stays"] == []  # the refusal admitted nobody
    stay = check("POST", "/stays", agent.call("POST", "/stays", admit))
    mdtrt_id = stay["mdtrt_id"]
    base = f"/stays/{mdtrt_id}"
    for raw in STAY["checkout"]["batches"]:
        added = check("POST", "/stays/{mdtrt_id}/fees", agent.call("POST", f"{base}/fees", raw))
        assert [fee["day"] for fee in added["fees"]] == [raw["day"]] * len(raw["lines"])
    bad_line = {"day": "2026-03-05", "lines": [dict(STAY["checkout"]["batches"][0]["lines"][0], qnty="1")]}
    assert check("POST", "/stays/{mdtrt_id}/fees", agent.call("POST", f"{base}/fees", bad_line))["code"] == \
        "ERR_UNKNOWN_FIELD"
    extra = {"day": "2026-03-05", "lines": [{"code": "Z0101", "name": "床位费", "class": "A", "qty": "1",
                                            "price": "60.00"}]}
    sn = check("POST", "/stays/{mdtrt_id}/fees", agent.call("POST", f"{base}/fees", extra))["fees"][0]["feedetl_sn"]
    gone = check("POST", "/stays/{mdtrt_id}/fees/{feedetl_sn}/delete",
                 agent.call("POST", f"{base}/fees/{sn}/delete", {}))
    assert gone["deleted"] == 1
    detail = check("GET", "/stays/{mdtrt_id}", agent.call("GET", base))
    assert [fee["deleted"] for fee in detail["fees"]] == [False] * 5  # the deleted line is not listed
    check("POST", "/stays/{mdtrt_id}/quote", agent.call("POST", f"{base}/quote", {"code": WANG}))  # 400: still in hospital
    check("POST", "/stays/{mdtrt_id}/discharge", agent.call("POST", f"{base}/discharge",
                                                            {"endtime": STAY["checkout"]["discharge"]["endtime"]}))
    check("POST", "/stays/{mdtrt_id}/cancel-discharge", agent.call("POST", f"{base}/cancel-discharge", {}))
    check("POST", "/stays/{mdtrt_id}/discharge", agent.call("POST", f"{base}/discharge",
                                                            {"endtime": STAY["checkout"]["discharge"]["endtime"]}))
    quote = check("POST", "/stays/{mdtrt_id}/quote", agent.call("POST", f"{base}/quote", {"code": WANG}))
    assert quote["figures"]["hifp_pay"] == "1756.30"
    assert [(leg["source"], leg["amount"]) for leg in quote["legs"]] == [("own", "800.00"), ("funder", "443.70")]
    stale = check("POST", "/stays/{mdtrt_id}/settle", agent.call("POST", f"{base}/settle", {"quote_id": "SQ-x"}))
    assert stale["code"] == "ERR_QUOTE_STALE"
    done = check("POST", "/stays/{mdtrt_id}/settle",
                 agent.call("POST", f"{base}/settle", {"quote_id": quote["quote_id"]}, key="k-settle"))
    replay = agent.call("POST", f"{base}/settle", {"quote_id": quote["quote_id"]}, key="k-settle")
    assert replay.json() == done and replay.headers.get("Idempotent-Replayed") == "true"
    assert done["setlinfo"]["acct_mulaid_pay"] == "443.70" and "出院结算单" in done["receipt"]
    assert check("GET", "/stays/{mdtrt_id}/receipt", agent.call("GET", f"{base}/receipt"))["receipt"] == done["receipt"]
    assert admin.balances()["accounts"][loaded["handles"]["daughter"]] == Decimal("556.30")
    revoked = check("POST", "/stays/{mdtrt_id}/revoke", agent.call("POST", f"{base}/revoke", {}))
    assert revoked["fund_returned"] == "1756.30"
    check("POST", "/stays/{mdtrt_id}/revoke", agent.call("POST", f"{base}/revoke", {}))  # 400: not settled now
    check("POST", "/stays/{mdtrt_id}/cancel", agent.call("POST", f"{base}/cancel", {}))  # 400: discharged
    check("POST", "/stays/{mdtrt_id}/cancel-discharge", agent.call("POST", f"{base}/cancel-discharge", {}))
    check("POST", "/stays/{mdtrt_id}/cancel", agent.call("POST", f"{base}/cancel", {}))
    check("GET", "/stays/{mdtrt_id}", agent.call("GET", "/stays/NOSUCH"))
    documented = {(m.upper(), p) for p, ops in document()["paths"].items() for m in ops if p.startswith("/stays")}
    assert {(m, p) for m, p, _ in check.seen} == documented
    assert {s for _, _, s in check.seen} >= {200, 201, 400, 409, 422}
