"""An outpatient visit step by step through the local agent over real HTTP (pos_plugin/agent/visits.py): register
with the desk's visit, two fee batches through two agents on the same books, a third deleted, quote, settle with
the quote id (the pre-settlement is the settlement; a retried key replays), revoke, cancel; a balance that moved
answers 409 with the fresh quote, a changed visit makes its quote stale; every refusal with its code, changing
nothing; every /visits operation answered for real and validated against the OpenAPI document."""

from __future__ import annotations

from decimal import Decimal

from agent_world import scenario
from test_agent_openapi import Checker

from pos_plugin.agent.openapi import document

SCEN = scenario("shaanxi-retiree-two-funders")
LINES = SCEN["checkout"]["lines"]
WANG = SCEN["people"][0]["certno"]
VISIT = {"dept_code": "A03.01", "dept_name": "心血管内科", "doctor_code": "D021", "doctor_name": "李主任", "caty": "A03",
         "diagnoses": [{"code": "I10", "name": "原发性高血压"}]}
EXTRA = {"code": "F0001", "name": "复诊诊查费", "class": "A", "qty": "1", "price": "20.00"}


def test_a_visit_through_the_agent_validates_against_the_document(admin, start_agent):
    loaded = admin.load_world(SCEN)
    agent, other = start_agent(SCEN), start_agent(SCEN)  # two agents over the same books (a restart between batches)
    check = Checker(document())
    refused = check("POST", "/visits", agent.call("POST", "/visits", {"code": WANG, "visit": VISIT, "medType": "11"}))
    assert refused["code"] == "ERR_UNKNOWN_FIELD" and "med_type" in refused["message"]
    assert check("GET", "/visits", agent.call("GET", "/visits"))["visits"] == []  # the refusal registered nobody
    visit = check("POST", "/visits", agent.call("POST", "/visits", {"code": WANG, "visit": VISIT}))
    assert (visit["state"], visit["visit"]["doctor_name"], visit["med_type"]) == ("registered", "李主任", "11")
    base = f"/visits/{visit['mdtrt_id']}"
    first = check("POST", "/visits/{mdtrt_id}/fees", agent.call("POST", f"{base}/fees", {"lines": LINES[:2]}))
    assert [(f["batch"], f["split"]["inscp_scp_amt"]) for f in first["fees"]] == [("0001", "120.00"), ("0001", "232.20")]
    bad = {"lines": [dict(EXTRA, qnty="1")]}
    assert check("POST", "/visits/{mdtrt_id}/fees", agent.call("POST", f"{base}/fees", bad))["code"] == "ERR_UNKNOWN_FIELD"
    second = check("POST", "/visits/{mdtrt_id}/fees", other.call("POST", f"{base}/fees", {"lines": LINES[2:]}))
    assert second["batch"] == "0002" and second["fees"][0]["split"]["overlmt_amt"] == "14.00"
    stale = check("POST", "/visits/{mdtrt_id}/quote", agent.call("POST", f"{base}/quote", {"code": WANG}))
    assert check("POST", "/visits/{mdtrt_id}/fees", agent.call("POST", f"{base}/fees", {"lines": [EXTRA]}))["batch"] == "0003"
    gone = check("POST", "/visits/{mdtrt_id}/fees/{batch}/delete", agent.call("POST", f"{base}/fees/0003/delete", {}))
    assert gone == {"mdtrt_id": visit["mdtrt_id"], "deleted": 1}
    detail = check("GET", "/visits/{mdtrt_id}", agent.call("GET", base))
    assert [(f["batch"], f["deleted"]) for f in detail["fees"]][-1] == ("0003", True)
    old = check("POST", "/visits/{mdtrt_id}/settle", agent.call("POST", f"{base}/settle", {"quote_id": stale["quote_id"]}))
    assert old["code"] == "ERR_QUOTE_STALE"  # the visit's fees changed since that quote
    quote = check("POST", "/visits/{mdtrt_id}/quote", agent.call("POST", f"{base}/quote", {"code": WANG}))
    assert quote["split"]["hifp_pay"] == "243.74" and quote["mdtrt_id"] == visit["mdtrt_id"]
    assert [leg["amount"] for leg in quote["legs"]] == ["35.20", "180.00", "73.06"]
    admin._call("POST", "/admin/topup", {"target": "account", "psn_no": loaded["handles"]["daughter"], "amount": "100.00"})
    moved = check("POST", "/visits/{mdtrt_id}/settle", agent.call("POST", f"{base}/settle", {"quote_id": quote["quote_id"]}))
    assert moved["code"] == "ERR_BALANCE_MOVED"  # nothing settled: the fresh quote to confirm instead
    assert [leg["amount"] for leg in moved["quote"]["legs"]] == ["35.20", "253.06"]
    fresh = moved["quote"]["quote_id"]
    done = check("POST", "/visits/{mdtrt_id}/settle",
                 agent.call("POST", f"{base}/settle", {"quote_id": fresh}, key="k-visit"))
    replay = agent.call("POST", f"{base}/settle", {"quote_id": fresh}, key="k-visit")
    assert replay.json() == done and replay.headers.get("Idempotent-Replayed") == "true"
    assert done["setlinfo"]["hifp_pay"] == quote["split"]["hifp_pay"] and "医保结算凭条" in done["receipt"]
    for path, body, code in ((f"{base}/fees", {"lines": [EXTRA]}, "ERR_VISIT_HAS_SETTLEMENT"),
                             (f"{base}/quote", {"code": WANG}, "ERR_ALREADY_SETTLED"),
                             (f"{base}/cancel", {}, "ERR_VISIT_HAS_SETTLEMENT")):
        template = path.replace(visit["mdtrt_id"], "{mdtrt_id}")
        assert check("POST", template, agent.call("POST", path, body))["code"] == code
    revoked = check("POST", "/visits/{mdtrt_id}/revoke", agent.call("POST", f"{base}/revoke", {}, key="k-revoke"))
    assert revoked["sale_id"] == done["sale_id"]
    assert admin.balances()["accounts"][loaded["handles"]["daughter"]] == Decimal("280.00")
    again = check("POST", "/visits/{mdtrt_id}/revoke", agent.call("POST", f"{base}/revoke", {}))
    assert again["code"] == "ERR_SETTLEMENT_UNKNOWN"
    assert check("POST", "/visits/{mdtrt_id}/cancel", agent.call("POST", f"{base}/cancel", {}))["state"] == "cancelled"
    assert check("POST", "/visits/{mdtrt_id}/fees", agent.call("POST", f"{base}/fees", {"lines": [EXTRA]}))["code"] == \
        "ERR_VISIT_CANCELLED"
    assert check("GET", "/visits/{mdtrt_id}", agent.call("GET", "/visits/NOSUCH"))["code"] == "ERR_VISIT_UNKNOWN"
    empty = check("POST", "/visits", agent.call("POST", "/visits", {"code": WANG}))
    nothing = check("POST", "/visits/{mdtrt_id}/quote", agent.call("POST", f"/visits/{empty['mdtrt_id']}/quote",
                                                                  {"code": WANG}))
    assert nothing["code"] == "ERR_NO_FEE_LINES"
    listed = check("GET", "/visits", agent.call("GET", "/visits?state=cancelled"))["visits"]
    assert [v["mdtrt_id"] for v in listed] == [visit["mdtrt_id"]]
    check("GET", "/visits", agent.call("GET", "/visits?state=open"))  # 400
    documented = {(m.upper(), p) for p, ops in document()["paths"].items() for m in ops if p.startswith("/visits")}
    assert {(m, p) for m, p, _ in check.seen} == documented
    assert {s for _, _, s in check.seen} >= {200, 201, 400, 404, 409, 422}
