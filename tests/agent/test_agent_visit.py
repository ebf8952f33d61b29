"""An outpatient sale through the agent registers with the visit the desk supplies (`visit`: department, doctor,
category, diagnoses), and `visit` is closed: an unknown field is 422 ERR_UNKNOWN_FIELD and nothing is opened. The
quote's visit is the visit desk's (in the visit book): a new quote cancels it, a confirmation settles it."""

from __future__ import annotations

import requests
from agent_world import scenario


def test_an_outpatient_quote_carries_the_desks_visit_and_refuses_unknown_fields(admin, start_agent, sim_url):
    scen = scenario("shaanxi-retiree-two-funders")
    admin.load_world(scen)
    agent = start_agent(scen)
    visit = {"dept_code": "A03.01", "dept_name": "心血管内科", "doctor_code": "D021", "doctor_name": "李主任",
             "caty": "A03", "diagnoses": [{"code": "I10", "name": "原发性高血压"}]}
    body = {"code": scen["people"][0]["certno"], "flow": "outpatient", "lines": scen["checkout"]["lines"]}
    refused = agent.call("POST", "/sales", dict(body, visit=dict(visit, doctorName="李")))
    assert refused.status_code == 422 and refused.json()["code"] == "ERR_UNKNOWN_FIELD"
    assert "visit.doctorName" in refused.json()["message"]
    quote = agent.call("POST", "/sales", dict(body, visit=visit))
    assert quote.status_code == 201, quote.text
    entries = requests.get(f"{sim_url}/console/api/journal", params={"institution": scen["institution"]["code"]},
                           timeout=10).json()["entries"]
    registered = [e["request"]["input"]["data"] for e in entries if e["infno"] == "2201" and e["outcome"] == "ok"]
    assert [(r["dept_code"], r["atddr_no"], r["caty"]) for r in registered] == [("A03.01", "D021", "A03")]
    diagnosed = [e["request"]["input"]["diseinfo"] for e in entries if e["infno"] == "2203" and e["outcome"] == "ok"]
    assert [[d["diag_code"] for d in rows] for rows in diagnosed] == [["I10"]]
    opened = agent.call("GET", "/visits").json()["visits"]  # the quote's visit is in the terminal's visit book
    assert [(v["state"], v["visit"]["doctor_code"]) for v in opened] == [("registered", "D021")]
    again = agent.call("POST", "/sales", dict(body, visit=visit))  # a new quote replaces it: its visit is closed
    assert again.status_code == 201, again.text
    states = {v["mdtrt_id"]: v["state"] for v in agent.call("GET", "/visits").json()["visits"]}
    assert states[opened[0]["mdtrt_id"]] == "cancelled" and sorted(states.values()) == ["cancelled", "registered"]
    sale = agent.call("POST", f"/sales/{again.json()['quote_id']}/confirm")
    assert sale.status_code == 201, sale.text
    settled = [v for v in agent.call("GET", "/visits").json()["visits"] if v["state"] == "settled"]
    assert [v["setl_id"] for v in settled] == [sale.json()["sale_id"]]
