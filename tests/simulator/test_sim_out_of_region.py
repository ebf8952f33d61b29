"""异地就医 (docs/domain.md §1): at one Guangzhou pharmacy, the same cart settles under each patient's
insured region's policy; the pharmacy contributes its catalogue and its own wallet flag."""

from __future__ import annotations

from typing import Any

import pytest
from sim_flows import Sim, druginfo, lines_of

from tools.worlds import item

SHOP = "P44010600021"
CART = [item("A001", "1", "38.50"), item("B001", "2", "24.00"), item("CAP1", "1", "66.00"), item("C001", "1", "45.00")]


def person(handle: str, certno: str, insuplc: str) -> dict[str, Any]:
    return {"id": handle, "name": f"测试{handle}", "certno": certno, "gender": "2", "birthday": "1957-03-15",
            "insutype": "310", "psn_type": "1201", "insuplc": insuplc, "status": "1", "account": "150.00"}


def guangzhou_world(*, shop_wallet: bool = True) -> dict[str, Any]:
    return {
        "format": "yibao-world/1", "today": "2026-03-10T10:00:00", "policies": ["guangdong", "shaanxi"],
        "institutions": [{"code": SHOP, "name": "广州越秀康民大药房", "kind": "pharmacy", "admdvs": "440106",
                          "level": "1", "wallet_enabled": shop_wallet, "policy": "guangdong"}],
        "people": [person("xian", "610103195703154024", "610103"), person("gz", "440106195703154021", "440106")],
        "wallets": [{"owner": "xian", "balance": "100.00"}, {"owner": "gz", "balance": "100.00"}],
        "catalogue": [{"code": "A001", "name": "苯磺酸氨氯地平片", "class": "A"},
                      {"code": "B001", "name": "阿托伐他汀钙片", "class": "B", "selfpay_prop": "0.10"},
                      {"code": "CAP1", "name": "硝苯地平控释片", "class": "A", "price_cap": "60.00"},
                      {"code": "C001", "name": "电子血压计", "class": "C"}],
    }


def settle(sim: Sim, psn_no: str, certno: str) -> dict[str, Any]:
    pc = sim.client(SHOP, "440106")
    assert pc.person_info("02", certno).ok
    reply = pc.call("2102", druginfo(psn_no, ("02", certno), lines_of(CART), "310"))
    assert reply.ok, reply.body
    return dict(reply.output)


def figures(out: dict[str, Any]) -> tuple[tuple[str, ...], list[tuple[str, str]]]:
    info = out["setlinfo"]
    names = ("medfee_sumamt", "fulamt_ownpay_amt", "overlmt_selfpay", "psn_part_amt", "acct_pay", "wallet_pay",
             "psn_cash_pay")
    return tuple(info[n] for n in names), [(leg["source"], leg["amount"]) for leg in out["payleg"]]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_same_cart_settles_under_each_patients_insured_region(sim: Sim) -> None:
    h = sim.load(guangzhou_world())["handles"]
    # Shaanxi: accounts may pay own-pay (45.00) and over-cap (6.00) amounts; the wallet is on.
    assert figures(settle(sim, h["xian"], "610103195703154024")) == (
        ("197.50", "45.00", "6.00", "197.50", "150.00", "47.50", "0.00"),
        [("own", "150.00"), ("wallet", "47.50")])
    # Guangdong (the shop's own region): they stay off the account (197.50 - 51.00 = 146.50); no wallet.
    assert figures(settle(sim, h["gz"], "440106195703154021")) == (
        ("197.50", "45.00", "6.00", "197.50", "146.50", "0.00", "51.00"),
        [("own", "146.50")])
    balances = sim.balances()
    assert (balances["accounts"][h["xian"]], balances["wallets"][h["xian"]]) == ("0.00", "52.50")
    assert (balances["accounts"][h["gz"]], balances["wallets"][h["gz"]]) == ("3.50", "100.00")
    assert sim.conservation()["ok"] is True


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_1101_reports_the_wallet_of_the_insured_region_and_the_shops_flag(sim: Sim) -> None:
    h = sim.load(guangzhou_world(shop_wallet=False))["handles"]
    pc = sim.client(SHOP, "440106")
    gz = pc.person_info("02", "440106195703154021").output["walletinfo"]
    xian = pc.person_info("02", "610103195703154024").output["walletinfo"]  # the till now sends her insuplc
    assert (xian["usable"], xian["reason"]) == (False, "本机构未开通医保钱包支付")  # Shaanxi on, the shop off
    assert (gz["usable"], gz["reason"]) == (False, "参保地政策（guangdong）未开通医保钱包支付")
    reply = pc.call("2102", druginfo(h["xian"], ("02", "610103195703154024"), lines_of(CART), "310"))
    assert (reply.output["setlinfo"]["wallet_pay"], reply.output["setlinfo"]["psn_cash_pay"]) == ("0.00", "47.50")


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_scenario_names_the_patients_policy_and_lists_the_others(sim: Sim, app: Any) -> None:
    inline = {"name": "shaanxi-pilot", "province": "61", "mutual_aid": {"model": "drawdown"},
              "account_pays_ownpay": False, "wallet_enabled": False}
    scen = {"format": "yibao-scenario/1", "today": "2026-03-10T10:00:00", "policy": inline,
            "policies": ["guangdong"],
            "institution": {"code": SHOP, "name": "广州越秀康民大药房", "kind": "pharmacy", "admdvs": "440106",
                            "level": "1", "wallet_enabled": True},
            "people": [person("xian", "610103195703154024", "610103")],
            "wallets": [{"owner": "xian", "balance": "100.00"}],
            "checkout": {"lines": [{"code": c, "class": k, "selfpay_prop": p, "price_cap": cap}
                                   for c, k, p, cap in (("A001", "A", None, None), ("B001", "B", "0.10", None),
                                                        ("CAP1", "A", None, "60.00"), ("C001", "C", None, None))]}}
    h = sim.load(scen)["handles"]
    # The inline profile governs province 61: own-pay and over-cap amounts stay off the account, no wallet.
    assert figures(settle(sim, h["xian"], "610103195703154024"))[1] == [("own", "146.50")]
    with app.extensions["simulator"].platform.store.read() as tx:  # the shop's own: the listed profile of 44
        assert tx.reference.institution(SHOP).policy == "guangdong"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(("policies", "code"), [(["atlantis"], "ERR_BAD_WORLD"), ("guangdong", "ERR_BAD_WORLD"),
                                                ([{"name": "broken"}], "ERR_BAD_POLICY")])
def test_bad_policies_lists_are_refused_and_load_nothing(sim: Sim, policies: Any, code: str) -> None:
    body = {"format": "yibao-scenario/1", "policy": "shaanxi", "policies": policies,
            "institution": {"code": SHOP, "name": "药房", "kind": "pharmacy", "admdvs": "440106"},
            "people": [person("xian", "610103195703154024", "610103")]}
    reply = sim.t.post("/admin/world", body)
    assert (reply.status, reply.body["code"]) == (400, code), reply.body
    assert sim.balances() == {"accounts": {}, "pools": {}, "wallets": {}}
