"""Words for the cashier (issue 15 item 5), through the `pos-plugin` commands against the real simulator: every
leg of a revoke named in Chinese with a positive amount, a refund that ends with the cash to hand back, relatives
of one surname told apart, day end on the platform's business day, and one state directory per user."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from e2e_world import scenario

from pos_plugin.cli import main
from pos_plugin.cli.counter import business_day
from pos_plugin.domain.payer_chain import Leg
from pos_plugin.errors import InputError
from pos_plugin.platform.signin import SignIn
from pos_plugin.present import leg_labels, plan_lines
from pos_plugin.state_home import default_state_dir


def counter_env(sim_url: str, scen: dict, state: Path | None) -> dict:
    inst = scen["institution"]
    env = {"YIBAO_PLATFORM": sim_url, "YIBAO_INSTITUTION": inst["code"], "YIBAO_INSTITUTION_NAME": inst["name"],
           "YIBAO_ADMDVS": inst["admdvs"], "YIBAO_POLICY": scen["policy"], "YIBAO_STATE_DIR": None}
    if state is not None:
        env["YIBAO_STATE_DIR"] = str(state)
    return env


def run(env: dict, *args: str):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def sell(env: dict, scen: dict, tmp_path: Path, *extra: str) -> dict:
    cart = tmp_path / "cart.json"
    cart.write_text(json.dumps(scen["checkout"]["lines"], ensure_ascii=False), encoding="utf-8")
    flow = scen["checkout"].get("flow", "pharmacy")
    done = run(env, "checkout", "--code", scen["people"][0]["certno"], "--cart", str(cart), "--flow", flow,
               "--yes", "--json", *extra)
    assert done.exit_code == 0, done.output
    return json.loads(done.output.strip().splitlines()[-1])


def given_back(output: str) -> list[tuple[str, str]]:
    rows = output.split("退回:\n", 1)[1].split("\n请退还顾客现金", 1)[0].splitlines()
    return [(row.rsplit(None, 1)[0].strip(), row.rsplit(None, 1)[1]) for row in rows]


def test_a_revoke_names_every_leg_in_chinese_with_positive_amounts(admin, sim_url, tmp_path):
    scen = scenario("linxia-child-pool-wallet")  # pool, wallet and cash legs
    admin.load_world(scen)
    env = counter_env(sim_url, scen, tmp_path / "var")
    sale = sell(env, scen, tmp_path)
    shown = run(env, "revoke", sale["setl_id"])
    assert shown.exit_code == 0, shown.output
    rows = given_back(shown.output)  # before: `退回 pool -…，wallet -…` (English names, negative amounts)
    labels = {"own": "本人账户", "pool": "家庭共济账户", "wallet": "医保钱包"}
    assert rows == [(labels[leg["source"]], leg["amount"]) for leg in sale["legs"]] + [("现金", sale["cash_total"])]
    assert all(Decimal(amount) >= 0 for _, amount in rows)
    assert shown.output.strip().splitlines()[-1] == f"请退还顾客现金 {sale['cash_total']}"


def test_a_refund_ends_with_the_cash_to_hand_back(admin, sim_url, tmp_path):
    scen = scenario("declined-account-pays-cash")  # the patient pays cash: a refund gives cash back
    admin.load_world(scen)
    env = counter_env(sim_url, scen, tmp_path / "var")
    sale = sell(env, scen, tmp_path, "--no-account")
    returned = scen["checkout"]["lines"][1]["code"]
    shown = run(env, "refund", sale["setl_id"], "--code", scen["people"][0]["certno"], "--line", returned, "--yes")
    assert shown.exit_code == 0, shown.output
    new_cash = Decimal(re.findall(r"应收现金合计\s+([0-9.]+)", shown.output.split("新结算:", 1)[1])[0])
    back = Decimal(sale["cash_total"]) - new_cash
    assert back > 0
    assert shown.output.strip().splitlines()[-1] == (
        f"合计：请退还顾客现金 {back:.2f}（退回现金 {sale['cash_total']}，新结算应收现金 {new_cash:.2f}）")


def test_two_relatives_of_one_surname_are_told_apart():
    daughter = Leg("funder", Decimal("180.00"), "61000000000000000042", 1, None, "王丽")
    son = Leg("funder", Decimal("73.06"), "61000000000000000077", 2, None, "王强")
    own = Leg("own", Decimal("35.20"), "61000000000000000001")
    labels = leg_labels([own, daughter, son])
    assert labels == ["本人账户", "共济账户(第一顺位 王* 尾号0042)", "共济账户(第二顺位 王* 尾号0077)"]
    assert leg_labels([own, daughter]) == ["本人账户", "共济账户(第一顺位 王*)"]  # no namesake: as before
    other = Leg("funder", Decimal("1.00"), "61000000000000000099", 2, None, "李强")
    assert leg_labels([daughter, other]) == ["共济账户(第一顺位 王*)", "共济账户(第二顺位 李*)"]
    plan = SimpleNamespace(legs=(own, daughter, son), psn_cash_pay=Decimal("0.00"))
    shown = plan_lines(plan)  # type: ignore[arg-type]
    assert len(set(line.split()[0] for line in shown)) == 4  # the confirmation screen too


def test_the_demos_two_funders_show_distinguishably_on_the_receipt(admin, sim_url, tmp_path):
    scen = scenario("shaanxi-retiree-two-funders")  # daughter and son: both 王*
    admin.load_world(scen)
    env = counter_env(sim_url, scen, tmp_path / "var")
    sale = sell(env, scen, tmp_path)
    funders = [line.strip().rsplit(None, 1)[0] for line in sale["receipt"].splitlines() if "共济账户(" in line]
    assert len(funders) == 2 and len(set(funders)) == 2 and all("尾号" in f for f in funders), funders


def test_day_end_defaults_to_the_platforms_business_day(admin, sim_url, tmp_path):
    scen = scenario("own-account-covers-everything")  # the platform's clock: 2026-04-20, not the machine's
    admin.load_world(scen)
    env = counter_env(sim_url, scen, tmp_path / "var")
    sell(env, scen, tmp_path)
    day = run(env, "reconcile")
    assert day.exit_code == 0, day.output
    # Before: the machine's date, and "平账 / 本期没有医保结算" for a platform day that had a sale.
    assert day.output.startswith("日终对账 2026-04-20：平账") and "笔数 1 " in day.output, day.output
    assert "本期没有医保结算" not in day.output


def test_a_platform_that_gives_no_business_day_asks_for_date():
    quiet = SimpleNamespace(client=SimpleNamespace(sign_in=lambda: SignIn("0001", "2026-04-20", "1", "")))
    with pytest.raises(InputError, match="请用 --date YYYY-MM-DD 指定对账日期"):
        business_day(quiet)  # type: ignore[arg-type]
    told = SimpleNamespace(client=SimpleNamespace(sign_in=lambda: SignIn("0001", "x", "1", "2026-04-20 09:00:01")))
    assert business_day(told) == date(2026, 4, 20)  # type: ignore[arg-type]


def test_the_state_directory_is_per_user_never_the_current_directory(admin, sim_url, tmp_path, monkeypatch):
    scen = scenario("own-account-covers-everything")
    admin.load_world(scen)
    home = tmp_path / "xdg"
    monkeypatch.delenv("YIBAO_STATE_DIR", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(home))
    assert default_state_dir() == home / "yibao-pos"
    env = {**counter_env(sim_url, scen, None), "XDG_STATE_HOME": str(home)}
    shop, elsewhere = tmp_path / "shop", tmp_path / "elsewhere"
    shop.mkdir()
    elsewhere.mkdir()
    monkeypatch.chdir(shop)
    sale = sell(env, scen, tmp_path)
    assert (home / "yibao-pos" / "journal.sqlite").is_file() and list(shop.iterdir()) == []
    monkeypatch.chdir(elsewhere)  # before: var/ relative to here, an empty journal
    reprint = run(env, "receipt", sale["setl_id"])
    assert reprint.exit_code == 0 and sale["setl_id"] in reprint.output, reprint.output
    assert list(elsewhere.iterdir()) == []
    monkeypatch.setenv("YIBAO_STATE_DIR", str(tmp_path / "mine"))
    assert default_state_dir() == tmp_path / "mine"
