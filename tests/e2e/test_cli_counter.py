"""The `pos-plugin` counter commands through click's CliRunner, against the real simulator over HTTP."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from e2e_world import scenario

from pos_plugin.cli import main
from pos_plugin.lab.embedded import running_simulator
from pos_plugin.lab.sim_admin import SimulatorAdmin


@pytest.fixture
def world(admin, sim_url, tmp_path):
    scen = scenario("shaanxi-retiree-two-funders")
    loaded = admin.load_world(scen)
    inst = scen["institution"]
    env = {"YIBAO_PLATFORM": sim_url, "YIBAO_INSTITUTION": inst["code"], "YIBAO_INSTITUTION_NAME": inst["name"],
           "YIBAO_ADMDVS": inst["admdvs"], "YIBAO_POLICY": scen["policy"], "YIBAO_STATE_DIR": str(tmp_path / "var")}
    cart = tmp_path / "cart.json"
    cart.write_text(json.dumps({"lines": scen["checkout"]["lines"]}, ensure_ascii=False), encoding="utf-8")
    return scen, loaded, env, cart


def run(env, *args, input=None):
    return CliRunner().invoke(main, list(args), env=env, input=input, catch_exceptions=False)


def test_checkout_from_an_image_then_receipt_refund_and_revoke(world, admin, tmp_path):
    scen, loaded, env, cart = world
    _, png = admin.evoucher(loaded["handles"]["wang"])
    image = tmp_path / "wang.png"
    image.write_bytes(png)
    done = run(env, "checkout", str(image), "--cart", str(cart), "--flow", "outpatient", "--yes", "--json")
    assert done.exit_code == 0, done.output
    sale = json.loads(done.output.strip().splitlines()[-1])
    assert [leg["amount"] for leg in sale["legs"]] == ["35.20", "180.00", "73.06"]
    assert sale["setlinfo"]["acct_mulaid_pay"] == "253.06" and sale["cash_total"] == "0.00"
    assert "共济账户(第一顺位 王* 尾号" in sale["receipt"]

    reprint = run(env, "receipt", sale["setl_id"])
    assert reprint.exit_code == 0 and reprint.output.startswith(sale["receipt"].rstrip("\n")[:20])

    refund = run(env, "refund", sale["setl_id"], "--code", scen["people"][0]["certno"], "--line", "D9004", "--yes")
    assert refund.exit_code == 0, refund.output
    assert "原结算" in refund.output and "新结算" in refund.output and "468.00" in refund.output
    # Before: `退回 own -35.20，funder -180.00，…` (English names, negative amounts), and no cash line.
    given_back = refund.output.split("退回:\n", 1)[1].split("请退还顾客现金", 1)[0].splitlines()
    assert [line.split()[0] for line in given_back] == ["本人账户", "共济账户(第一顺位", "共济账户(第二顺位", "现金"]
    assert [line.split()[-1] for line in given_back] == ["35.20", "180.00", "73.06", "0.00"]
    assert " own " not in refund.output and "-35.20" not in refund.output
    assert refund.output.strip().splitlines()[-1].startswith("合计：")
    balances = admin.balances()["accounts"]
    assert str(balances[loaded["handles"]["son"]]) == "1990.94"

    again = run(env, "revoke", sale["setl_id"])
    assert again.exit_code == 2 and "ERR_ALREADY_REVOKED" in again.output  # already revoked by the refund


def test_interactive_confirmation_declined_moves_nothing(world, admin):
    scen, loaded, env, cart = world
    before = admin.balances()
    result = run(env, "checkout", "--code", scen["people"][0]["certno"], "--cart", str(cart), "--flow",
                 "outpatient", input="n\n")
    assert result.exit_code == 0
    assert "本人账户" in result.output and "确认结算?" in result.output and "未发生扣款" in result.output
    assert admin.balances() == before


def test_no_account_flag_pays_cash(world, admin):
    scen, loaded, env, cart = world
    result = run(env, "checkout", "--code", scen["people"][0]["certno"], "--cart", str(cart), "--flow",
                 "outpatient", "--no-account", "--yes", "--json")
    sale = json.loads(result.output.strip().splitlines()[-1])
    assert sale["legs"] == [] and sale["setlinfo"]["psn_cash_pay"] == "288.26"


def test_errors_are_rendered_once_with_code_and_message(world, tmp_path):
    scen, loaded, env, cart = world
    wechat = run(env, "checkout", "--code", "134567890123456789", "--cart", str(cart), "--yes")
    assert wechat.exit_code == 2
    assert "ERR_NOT_AN_INSURANCE_CODE" in wechat.output and "付款码" in wechat.output
    no_platform = run({**env, "YIBAO_PLATFORM": ""}, "recover")
    assert no_platform.exit_code == 2 and "ERR_INPUT: 未配置医保平台地址" in no_platform.output
    no_name = run({**env, "YIBAO_INSTITUTION_NAME": "", "YIBAO_ADMDVS": ""}, "recover")
    assert no_name.exit_code == 2 and "定点机构名称" in no_name.output and "就医地医保区划" in no_name.output
    bad_cart = tmp_path / "bad.json"
    bad_cart.write_text('{"lines": [{"code": "X", "qty": "1", "price": "-1.00"}]}', encoding="utf-8")
    refused = run(env, "checkout", "--code", scen["people"][0]["certno"], "--cart", str(bad_cart), "--yes")
    assert refused.exit_code == 2 and "ERR_INVALID_CART" in refused.output
    unknown = run(env, "receipt", "nope")
    assert unknown.exit_code == 2 and "ERR_SALE_UNKNOWN" in unknown.output


def test_recover_with_nothing_pending(world):
    _, _, env, _ = world
    result = run(env, "recover")
    assert result.exit_code == 0 and result.output.splitlines() == ["已处理 0 笔，仍待处理 0 笔"]


def test_recover_resolves_a_lost_reply_left_by_a_crash(world, admin, tmp_path):
    scen, loaded, env, cart = world
    before = admin.balances()
    admin.arm_fault("2207", "drop_after_commit")
    admin.arm_fault("2601", "http500", count=5)  # the immediate reversal cannot get through either
    lost = run(env, "checkout", "--code", scen["people"][0]["certno"], "--cart", str(cart), "--flow",
               "outpatient", "--yes")
    assert lost.exit_code == 2 and "ERR_UNKNOWN_OUTCOME" in lost.output
    assert admin.balances() != before  # the settlement committed and is not yet undone
    admin.clear_faults()
    result = run(env, "recover")
    assert result.exit_code == 0, result.output
    # Before: "[reversed] … 本笔未扣款" then "1 笔待处理交易", which read as still pending.
    first, last = result.output.strip().splitlines()
    assert first.startswith("[reversed] 结算（2207，流水号 ") and first.endswith("：未扣款，可重新收费"), first
    assert last == "已处理 1 笔，仍待处理 0 笔"
    assert admin.balances() == before


def test_a_strict_gateway_wants_x_tif_signatures(tmp_path):
    scen = scenario("own-account-covers-everything")
    inst = scen["institution"]
    cart = tmp_path / "cart.json"
    cart.write_text(json.dumps(scen["checkout"]["lines"], ensure_ascii=False), encoding="utf-8")
    with running_simulator(args=["--auth", "tif", "--tif", "PAAS01=s3cret"]) as url:
        SimulatorAdmin(url).load_world(scen)
        env = {"YIBAO_PLATFORM": url, "YIBAO_INSTITUTION": inst["code"], "YIBAO_INSTITUTION_NAME": inst["name"],
               "YIBAO_ADMDVS": inst["admdvs"], "YIBAO_STATE_DIR": str(tmp_path / "var")}
        args = ["checkout", "--code", scen["people"][0]["certno"], "--cart", str(cart), "--yes", "--json"]
        unsigned = run(env, *args)
        assert unsigned.exit_code == 2 and "ERR_GATEWAY_REJECTED" in unsigned.output
        badly_formed = run({**env, "YIBAO_TIF": "PAAS01"}, *args)
        assert badly_formed.exit_code == 2 and "PAASID=TOKEN" in badly_formed.output
        signed = run({**env, "YIBAO_TIF": "PAAS01=s3cret"}, *args)
        assert signed.exit_code == 0, signed.output
        assert json.loads(signed.output.strip().splitlines()[-1])["setlinfo"]["acct_pay"] == "155.80"
