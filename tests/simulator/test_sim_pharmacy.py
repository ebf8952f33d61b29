"""Pharmacy 2101 / 2102 / 2103 (and 5203): the money moves, the refusals change nothing."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from sim_client import ProtocolClient, fee_line
from sim_flows import Sim, druginfo

from tools.worlds import PHARMACY, item, world


@pytest.fixture
def shop(sim: Sim) -> dict[str, Any]:
    handles = sim.load(world())
    pc = sim.client(PHARMACY)
    pat = handles["handles"]["pat"]
    pc.insuplc = "610103"
    return {"pc": pc, "h": handles["handles"], "pat": pat, "cert": ("02", "610103197001011111")}


def buy(shop: dict[str, Any], lines: list[dict[str, Any]] | None = None, **over: Any) -> dict[str, Any]:
    lines = lines or [fee_line("1", item("A001", "2", "30.00")), fee_line("2", item("B001", "1", "10.00"))]
    return druginfo(shop["pat"], shop["cert"], lines, "310", **over)


def test_presettle_computes_and_changes_nothing(sim: Sim, shop: dict[str, Any]) -> None:
    before = sim.snapshot()
    reply = shop["pc"].call("2101", buy(shop))
    info = reply.output["setlinfo"]
    assert "setl_id" not in info
    assert (info["medfee_sumamt"], info["preselfpay_amt"], info["acct_pay"]) == ("70.00", "1.00", "70.00")
    assert [leg["amount"] for leg in reply.output["payleg"]] == ["20.00", "50.00"]
    assert [d["chrgitm_lv"] for d in reply.output["detlcutinfo"]] == ["01", "02"]
    assert sim.snapshot() == before


def test_settle_debits_each_leg_and_writes_the_ledger(sim: Sim, shop: dict[str, Any]) -> None:
    h = shop["h"]
    out = shop["pc"].call("2102", buy(shop, [fee_line("1", item("A001", "4", "30.00"))])).output
    info = out["setlinfo"]
    assert (info["acct_pay"], info["acct_mulaid_pay"], info["psn_cash_pay"], info["balc"]) == \
        ("120.00", "100.00", "0.00", "0.00")
    assert [(leg["source"], leg["rank"], leg["psn_no"], leg["amount"]) for leg in out["payleg"]] == [
        ("own", None, h["pat"], "20.00"), ("funder", 1, h["f1"], "50.00"), ("funder", 2, h["f2"], "50.00")]
    accounts = sim.balances()["accounts"]
    assert (accounts[h["pat"]], accounts[h["f1"]], accounts[h["f2"]]) == ("0.00", "0.00", "950.00")
    ledger = sim.ledger(info["setl_id"])
    assert [(e["source"], e["psn_no"], e["amount"]) for e in ledger] == [
        ("own", h["pat"], "20.00"), ("funder", h["f1"], "50.00"), ("funder", h["f2"], "50.00")]
    assert info["medins_setl_id"] == shop["pc"].last_msgid
    assert sim.conservation()["ok"] is True


def test_revoke_restores_every_leg_and_the_accumulators(sim: Sim, shop: dict[str, Any]) -> None:
    h, pc = shop["h"], shop["pc"]
    before = sim.balances()
    ytd_before = sim.person(h["pat"])
    out = pc.call("2102", buy(shop)).output["setlinfo"]
    reply = pc.call("2103", {"data": {"setl_id": out["setl_id"], "mdtrt_id": out["mdtrt_id"], "psn_no": h["pat"]}})
    info = reply.output["setlinfo"]
    assert (info["medfee_sumamt"], info["acct_pay"], info["psn_pay"], info["init_setl_id"]) == \
        ("-70.00", "-70.00", "-70.00", out["setl_id"])
    assert [leg["amount"] for leg in reply.output["payleg"]] == ["-20.00", "-50.00"]
    assert sim.balances() == before
    after = sim.person(h["pat"])
    assert (after["ytd_deductible_used"], after["ytd_fund_paid"]) == \
        (ytd_before["ytd_deductible_used"], ytd_before["ytd_fund_paid"])
    assert sum(Decimal(e["amount"]) for e in sim.ledger(out["setl_id"])) == 0
    again = pc.call("2103", {"data": {"setl_id": out["setl_id"], "mdtrt_id": out["mdtrt_id"], "psn_no": h["pat"]}})
    assert again.code == "ERR_ALREADY_REVOKED" and sim.balances() == before


def test_revoke_with_the_outpatient_transaction_is_refused(sim: Sim, shop: dict[str, Any]) -> None:
    out = shop["pc"].call("2102", buy(shop)).output["setlinfo"]
    before = sim.snapshot()
    reply = shop["pc"].call("2208", {"data": {"setl_id": out["setl_id"], "mdtrt_id": out["mdtrt_id"],
                                              "psn_no": shop["pat"]}})
    assert reply.code == "ERR_WRONG_REVOKE" and "药店" in reply.err
    unknown = shop["pc"].call("2103", {"data": {"setl_id": "nope", "mdtrt_id": out["mdtrt_id"],
                                                "psn_no": shop["pat"]}})
    assert unknown.code == "ERR_SETTLEMENT_UNKNOWN"
    assert sim.snapshot() == before


def test_a_reused_msgid_is_refused_without_a_second_debit(sim: Sim, shop: dict[str, Any]) -> None:
    pc = shop["pc"]
    first = pc.call("2102", buy(shop))
    assert first.ok
    before = sim.snapshot()
    second = pc.call("2102", buy(shop), msgid=pc.last_msgid)
    assert second.code == "ERR_MSGID_REUSED" and "已使用" in second.err
    assert sim.snapshot() == before


def test_payplan_that_matches_settles(sim: Sim, shop: dict[str, Any]) -> None:
    h = shop["h"]
    plan = [{"source": "own", "psn_no": h["pat"], "amount": "20.00"},
            {"source": "funder", "rank": 1, "psn_no": h["f1"], "amount": "50.00"}]
    reply = shop["pc"].call("2102", buy(shop, exp={"payplan": plan}))
    assert reply.ok and reply.output["setlinfo"]["acct_mulaid_pay"] == "50.00"


def test_payplan_mismatch_names_the_first_differing_leg_and_changes_nothing(sim: Sim, shop: dict[str, Any]) -> None:
    h, pc = shop["h"], shop["pc"]
    planned = pc.call("2101", buy(shop)).output["payleg"]
    # Someone else spends the rank-1 funder's money between pre-settlement and settlement.
    sim.admin("post", "/topup", {"target": "account", "psn_no": h["pat"], "amount": "5.00"})
    before = sim.snapshot()
    plan = [{k: leg[k] for k in ("source", "rank", "psn_no", "amount")} for leg in planned]
    reply = pc.call("2102", buy(shop, exp=json.dumps({"payplan": plan})))
    assert reply.code == "ERR_PAYPLAN_MISMATCH"
    assert "第 1 段" in reply.err and "20.00" in reply.err and "25.00" in reply.err
    assert sim.snapshot() == before


@pytest.mark.parametrize("plan", [
    [{"source": "own", "amount": "20.00"}],  # one leg short
    [{"source": "own", "amount": "20.00"}, {"source": "funder", "rank": 2, "amount": "50.00"}],  # wrong rank
    [{"source": "wallet", "amount": "20.00"}, {"source": "funder", "amount": "50.00"}],  # wrong source
])
def test_payplan_variants_that_differ_are_refused(sim: Sim, shop: dict[str, Any], plan: list[Any]) -> None:
    before = sim.snapshot()
    reply = shop["pc"].call("2102", buy(shop, exp={"payplan": plan}))
    assert reply.code == "ERR_PAYPLAN_MISMATCH"
    assert sim.snapshot() == before


@pytest.mark.parametrize(("over", "code"), [
    ({"exp": {"payplan": [{"source": "bank", "amount": "1"}]}}, "ERR_BAD_PAYPLAN"),
    ({"exp": "{not json"}, "ERR_BAD_EXP_CONTENT"),
    ({"exp": {"use_wallet": "2"}}, "ERR_BAD_EXP_CONTENT"),
    ({"medfee_sumamt": "69.99"}, "ERR_MEDFEE_MISMATCH"),
    ({"medfee_sumamt": "70.001"}, "ERR_BAD_NUMBER"),
    ({"medfee_sumamt": "seventy"}, "ERR_BAD_NUMBER"),
    ({"medfee_sumamt": True}, "ERR_BAD_NUMBER"),
    ({"medfee_sumamt": "-70.00"}, "ERR_BAD_NUMBER"),
    ({"med_type": "11"}, "ERR_BAD_FIELD"),
    ({"acct_used_flag": "Y"}, "ERR_BAD_FIELD"),
    ({"insutype": "390"}, "ERR_INSUTYPE_MISMATCH"),
    ({"mdtrt_cert_no": "610103199501012222"}, "ERR_IDENTITY_MISMATCH"),
    ({"mdtrt_cert_type": "01", "mdtrt_cert_no": "610103ecnotatoken"}, "ERR_TOKEN_INVALID"),
    ({"psn_no": "61999999999999999999"}, "ERR_PERSON_UNKNOWN"),
])
def test_bad_settlement_input_is_refused_and_changes_nothing(sim: Sim, shop: dict[str, Any], over: dict[str, Any],
                                                             code: str) -> None:
    payload, over = buy(shop), dict(over)
    exp = over.pop("exp", None)
    if exp is not None:
        payload["druginfo"]["exp_content"] = exp
    payload["druginfo"].update(over)
    before = sim.snapshot()
    reply = shop["pc"].call("2102", payload)
    assert reply.code == code, reply.body
    assert reply.body["output"] is None and reply.err
    assert sim.snapshot() == before


@pytest.mark.parametrize(("line", "code"), [
    ({"det_item_fee_sumamt": "60.01"}, "ERR_LINE_AMOUNT"),
    ({"cnt": "0"}, "ERR_BAD_NUMBER"),
    ({"pric": "1.0000001"}, "ERR_BAD_NUMBER"),
    ({"med_list_codg": ""}, "ERR_MISSING_FIELD"),
])
def test_bad_lines_are_refused(sim: Sim, shop: dict[str, Any], line: dict[str, Any], code: str) -> None:
    payload = buy(shop, [dict(fee_line("1", item("A001", "2", "30.00")), **line)])
    payload["druginfo"]["medfee_sumamt"] = "60.00"
    before = sim.snapshot()
    assert shop["pc"].call("2102", payload).code == code
    assert sim.snapshot() == before


def test_amounts_may_be_json_numbers(sim: Sim, shop: dict[str, Any]) -> None:
    payload = buy(shop, [dict(fee_line("1", item("A001", "2", "30.00")), det_item_fee_sumamt=60, cnt=2, pric=30.0)])
    payload["druginfo"]["medfee_sumamt"] = 60.00
    assert shop["pc"].call("2102", payload).output["setlinfo"]["medfee_sumamt"] == "60.00"


def test_duplicate_feedetl_sn_in_one_request_is_refused(sim: Sim, shop: dict[str, Any]) -> None:
    lines = [fee_line("1", item("A001", "1", "30.00")), fee_line("1", item("B001", "1", "10.00"))]
    assert shop["pc"].call("2102", buy(shop, lines)).code == "ERR_DUPLICATE_FEE_LINE"


def test_a_paused_person_cannot_settle(sim: Sim, shop: dict[str, Any]) -> None:
    pc: ProtocolClient = shop["pc"]
    payload = druginfo(shop["h"]["paused"], ("02", "610103196001015555"), [fee_line("1", item("A001", "1", "9.00"))],
                       "310")
    before = sim.snapshot()
    reply = pc.call("2101", payload)
    assert reply.code == "ERR_NOT_INSURED" and "暂停参保" in reply.err
    assert pc.call("2102", payload).code == "ERR_NOT_INSURED"
    assert sim.snapshot() == before


def test_declining_the_account_pays_cash_and_moves_nothing(sim: Sim, shop: dict[str, Any]) -> None:
    before = sim.balances()
    info = shop["pc"].call("2102", buy(shop, acct_used="0")).output["setlinfo"]
    assert (info["acct_pay"], info["psn_cash_pay"]) == ("0.00", "70.00")
    assert sim.balances() == before


def test_wallet_pays_after_the_funder_unless_declined(sim: Sim, shop: dict[str, Any]) -> None:
    h, pc = shop["h"], shop["pc"]
    sim.admin("post", "/clock", {"now": "2026-05-10T10:00:00"})
    kid = h["kid"]
    lines = [fee_line("1", item("C001", "1", "100.00"))]
    sim.admin("post", "/topup", {"target": "account", "psn_no": h["f2"], "amount": "0.01"})
    # f2 (1000.01) covers everything for the kid: the wallet is not reached.
    info = pc.call("2101", druginfo(kid, ("02", "610103201501014444"), lines, "390")).output
    assert [leg["source"] for leg in info["payleg"]] == ["funder"]
    declined = druginfo(kid, ("02", "610103201501014444"), lines, "390", acct_used="0")
    out = pc.call("2102", declined).output
    assert [(leg["source"], leg["amount"]) for leg in out["payleg"]] == [("wallet", "40.00")]
    assert (out["setlinfo"]["wallet_pay"], out["setlinfo"]["psn_cash_pay"]) == ("40.00", "60.00")
    no_wallet = druginfo(kid, ("02", "610103201501014444"), lines, "390", acct_used="0",
                         exp={"use_wallet": "0"})
    assert pc.call("2101", no_wallet).output["setlinfo"]["psn_cash_pay"] == "100.00"


def test_settlement_query_5203_reports_status(sim: Sim, shop: dict[str, Any]) -> None:
    pc, pat = shop["pc"], shop["pat"]
    out = pc.call("2102", buy(shop)).output["setlinfo"]
    query = pc.call("5203", {"data": {"psn_no": pat, "setl_id": out["setl_id"], "mdtrt_id": out["mdtrt_id"]}})
    assert query.output["setlinfo"]["acct_pay"] == "70.00"
    assert [leg["amount"] for leg in query.output["payleg"]] == ["20.00", "50.00"]
    pc.call("2103", {"data": {"setl_id": out["setl_id"], "mdtrt_id": out["mdtrt_id"], "psn_no": pat}})
    query = pc.call("5203", {"data": {"psn_no": pat, "setl_id": out["setl_id"]}})
    assert query.output["setlinfo"]["setl_status"] == "revoked"
