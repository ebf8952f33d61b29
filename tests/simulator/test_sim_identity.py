"""1101 person info (mulaidinfo, walletinfo), e-voucher issue and decode, certificates."""

from __future__ import annotations

from typing import Any

import pytest
from sim_flows import Sim, scenario

from tools.worlds import PHARMACY, world

NOT_CODES = ["134567890123456789", "6901234567892", "https://example.com/pay?x=1", "12345678901234567890123456789",
             "1234567890123456789012345a78", "", None, 12345]


@pytest.fixture
def shop(sim: Sim) -> dict[str, Any]:
    h = sim.load(world())["handles"]
    return {"h": h, "pc": sim.client(PHARMACY)}


def test_person_info_by_id_number_card_and_token(sim: Sim, shop: dict[str, Any]) -> None:
    pc, h = shop["pc"], shop["h"]
    by_id = pc.person_info("02", "610103197001011111").output
    assert by_id["baseinfo"]["psn_no"] == h["pat"] and by_id["insuinfo"][0]["balc"] == "20.00"
    card = sim.person(h["pat"])["card_sn"]
    assert pc.person_info("03", "", card).output["baseinfo"]["psn_no"] == h["pat"]
    token = sim.token(pc, h["kid"])
    kid = pc.person_info("01", token).output
    assert kid["baseinfo"]["psn_name"] == "周小" and kid["insuinfo"][0]["insutype"] == "390"
    assert kid["walletinfo"]["balc"] == "40.00" and kid["walletinfo"]["usable"] is True


def test_mulaidinfo_lists_bindings_by_rank_with_usability(sim: Sim, shop: dict[str, Any]) -> None:
    pc, h = shop["pc"], shop["h"]
    rows = pc.person_info("02", "610103197001011111").output["mulaidinfo"]
    assert [(r["rank"], r["funder_psn_no"], r["funder_name"], r["avail_amt"], r["usable"]) for r in rows] == [
        (1, h["f1"], "周*", "50.00", True), (2, h["f2"], "周*", "1000.00", True)]
    assert rows[0]["enddate"] == "2026-12-31" and rows[0]["reason"] is None
    sim.set_clock("2027-01-02T09:00:00")
    pc.sign_in()
    rows = pc.person_info("02", "610103197001011111").output["mulaidinfo"]
    assert rows[0]["usable"] is False and "已过期" in rows[0]["reason"] and rows[1]["usable"] is True


def test_pool_model_shows_one_row_with_the_pool(sim: Sim) -> None:
    sc = scenario("linxia-child-pool-wallet")
    w = sim.load(sc)
    pc = sim.client(sc["institution"]["code"], "622901")
    out = pc.person_info("02", "622901201609122870").output
    assert out["mulaidinfo"] == [{"rank": 1, "funder_psn_no": w["handles"]["father"], "funder_name": "马*",
                                  "relation": "family_pool", "avail_amt": "150.00", "begndate": None,
                                  "enddate": None, "state": "active", "usable": True, "reason": None,
                                  "pool_id": w["pools"]["ma-family"]}]


def test_out_of_scope_funder_is_not_usable(sim: Sim) -> None:
    sc = scenario("guangdong-pooling-region-scope")
    sim.load(sc)
    pc = sim.client(sc["institution"]["code"], "440106")
    rows = pc.person_info("02", "440106199003154248").output["mulaidinfo"]
    assert [r["usable"] for r in rows] == [False, True] and "统筹区" in rows[0]["reason"]
    assert pc.person_info("02", "440106199003154248").output["walletinfo"] is None


def test_evoucher_decodes_once_into_a_token(sim: Sim, shop: dict[str, Any]) -> None:
    pc, h = shop["pc"], shop["h"]
    code = sim.evoucher_png_code(h["pat"])
    assert len(code) == 28 and code.isdigit() and code.endswith("610103")
    reply = pc.decode(code)
    data = reply.body["data"]
    assert reply.body["code"] == 0 and reply.body["message"] == "成功"
    assert data["idNo"] == "610103********1111" and data["userName"] == "周平" and data["insuOrg"] == "610103"
    token = data["ecToken"]
    assert token.startswith("610103ec") and len(token) == 38 and token[8:].isalnum() and token[8:].islower()
    used = pc.decode(code)
    assert (used.body["code"], used.body["success"], used.body["err_code"]) == (3, False, "ERR_CODE_USED")
    assert "已使用" in used.body["message"]


def test_the_png_endpoint_serves_a_fresh_code(sim: Sim, shop: dict[str, Any], app: Any) -> None:
    resp = app.test_client().get(f"/admin/evouchers/{shop['h']['pat']}.png")
    assert resp.status_code == 200 and resp.content_type == "image/png" and resp.data[:4] == b"\x89PNG"
    assert shop["pc"].decode(resp.headers["X-Ecode"]).body["code"] == 0


def test_an_expired_code_is_refused(sim: Sim, shop: dict[str, Any]) -> None:
    code = sim.evoucher(shop["h"]["pat"])
    sim.advance(61)
    reply = shop["pc"].decode(code)
    assert (reply.body["code"], reply.body["err_code"]) == (2, "ERR_CODE_EXPIRED") and "过期" in reply.body["message"]


@pytest.mark.parametrize("garbage", NOT_CODES)
def test_things_that_are_not_insurance_codes(sim: Sim, shop: dict[str, Any], garbage: Any) -> None:
    reply = shop["pc"].decode(garbage)
    assert reply.body == {"code": 1, "success": False, "type": "error", "message": "请使用医保电子凭证二维码",
                          "err_code": "ERR_NOT_AN_INSURANCE_CODE", "data": None}


def test_unknown_code_bad_business_type_and_unknown_org(sim: Sim, shop: dict[str, Any]) -> None:
    pc = shop["pc"]
    assert pc.decode("1" * 22 + "610103").body["err_code"] == "ERR_CODE_UNKNOWN"
    code = sim.evoucher(shop["h"]["pat"])
    assert pc.decode(code, business_type="99999").body["err_code"] == "ERR_BAD_BUSINESS_TYPE"
    pc.code = "P00000000000"
    assert pc.decode(code).body["err_code"] == "ERR_INSTITUTION_UNKNOWN"
    pc.code = PHARMACY
    assert pc.decode(code).body["code"] == 0  # none of the refusals used the code up


def test_tokens_expire_after_30_minutes(sim: Sim, shop: dict[str, Any]) -> None:
    pc = shop["pc"]
    token = sim.token(pc, shop["h"]["pat"])
    sim.advance(29 * 60)
    assert pc.person_info("01", token).ok
    sim.advance(2 * 60)
    reply = pc.person_info("01", token)
    assert reply.code == "ERR_TOKEN_EXPIRED" and "30 分钟" in reply.err
    assert pc.person_info("01", "610103ecnotatoken").code == "ERR_TOKEN_INVALID"


def test_person_name_must_match_when_given(sim: Sim, shop: dict[str, Any]) -> None:
    reply = shop["pc"].call("1101", {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": "610103197001011111",
                                              "psn_name": "别人"}})
    assert reply.code == "ERR_IDENTITY_MISMATCH"
