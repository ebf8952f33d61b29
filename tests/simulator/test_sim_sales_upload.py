"""3505/3506 sales upload: stored once per line, malformed uploads refused, a return needs a revoked
settlement, and the uploads reconcile against the settlements."""

from __future__ import annotations

from typing import Any

import pytest
from sim_client import fee_line
from sim_flows import Sim, druginfo

from tools.worlds import PHARMACY, item, world

BOX = "81000000000000000009"


@pytest.fixture
def shop(sim: Sim) -> dict[str, Any]:
    handles = sim.load(world(catalogue=[{"code": "T001", "name": "须追溯药", "class": "A", "traced": True}]))
    pc = sim.client(PHARMACY)
    pc.insuplc = "610103"
    pat = handles["handles"]["pat"]
    row = fee_line("1", item("T001", "1", "10.00")) | {"drugtracinfo": [{"drug_trac_codg": BOX}]}
    info = pc.call("2102", druginfo(pat, ("02", "610103197001011111"), [row], "310")).output["setlinfo"]
    return {"pc": pc, "pat": pat, "setl": info}


def sel(setl_id: str, number: str = "S001", **over: Any) -> dict[str, Any]:
    row = {"med_list_codg": "T001", "fixmedins_hilist_id": "SKU-1", "fixmedins_hilist_name": "须追溯药",
           "fixmedins_bchno": "B1", "setl_id": setl_id, "rx_flag": "0", "trdn_flag": "0", "sel_retn_cnt": "1",
           "sel_retn_time": "2026-01-01 10:00:00", "sel_retn_opter_name": "张三", "medins_prod_sel_no": number,
           "drugtracinfo": [{"drug_trac_codg": BOX}]}
    row.update(over)
    return row


def reconciled(sim: Sim) -> dict[str, Any]:
    return sim.admin("get", f"/uploads?fixmedins_code={PHARMACY}")


def test_a_sale_upload_is_stored_once_and_reconciles(sim: Sim, shop: dict[str, Any]) -> None:
    setl_id = shop["setl"]["setl_id"]
    assert reconciled(sim)["sales_not_uploaded"] == [setl_id]
    first = shop["pc"].call("3505", {"selinfo": [sel(setl_id)]}).output["result"]
    assert (first["retRslt"], first["stored"], first["already"]) == ("1", 1, 0)
    again = shop["pc"].call("3505", {"selinfo": sel(setl_id)}).output["result"]  # a resend after a lost reply
    assert (again["stored"], again["already"]) == (0, 1)
    done = reconciled(sim)
    assert done["sales_not_uploaded"] == [] and done["returns_not_uploaded"] == []
    assert [(u["kind"], u["trace_codes"]) for u in done["uploads"]] == [("sale", [BOX])]


def test_a_return_needs_a_revoked_settlement(sim: Sim, shop: dict[str, Any]) -> None:
    pc, info = shop["pc"], shop["setl"]
    assert pc.call("3506", {"selinfo": [sel(info["setl_id"], "R001")]}).code == "ERR_BAD_SALES_UPLOAD"
    assert pc.call("2103", {"data": {"setl_id": info["setl_id"], "mdtrt_id": info["mdtrt_id"],
                                     "psn_no": shop["pat"]}}).ok
    assert reconciled(sim)["returns_not_uploaded"] == [info["setl_id"]]
    assert pc.call("3506", {"selinfo": [sel(info["setl_id"], "R001")]}).ok
    assert reconciled(sim)["returns_not_uploaded"] == []


def test_malformed_uploads_are_refused_and_store_nothing(sim: Sim, shop: dict[str, Any]) -> None:
    pc, setl_id = shop["pc"], shop["setl"]["setl_id"]
    bad = [sel(setl_id, colour="red"), sel(setl_id, trdn_flag="2"), sel(setl_id, sel_retn_cnt="0"),
           sel(setl_id, sel_retn_cnt="2"), sel("NOPE"), sel(setl_id, sel_retn_time="today")]
    for row in bad:
        assert pc.call("3505", {"selinfo": [row]}).code in ("ERR_BAD_SALES_UPLOAD", "ERR_BAD_FIELD"), row
    assert pc.call("3505", {"selinfo": [sel(setl_id, drugtracinfo=[{"drug_trac_codg": "123"}])]}).code == \
        "ERR_BAD_TRACE_CODE"
    missing = sel(setl_id)
    del missing["fixmedins_bchno"]
    assert pc.call("3505", {"selinfo": [missing]}).code == "ERR_MISSING_FIELD"
    assert pc.call("3505", {"selinfo": [sel(setl_id), sel(setl_id)]}).code == "ERR_BAD_SALES_UPLOAD"
    assert reconciled(sim)["uploads"] == []
