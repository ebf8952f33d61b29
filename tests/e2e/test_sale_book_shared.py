"""One sale book per terminal state: a sale made through the Python API is revoked, refunded and reprinted
with the `pos-plugin` command; a sale with nothing insurable is revoked or refunded at the till with nothing
sent to the platform (docs/scenarios.md)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from e2e_world import scenario

from pos_plugin.checkout.identify import credential_from_text, identify
from pos_plugin.checkout.sale import Order
from pos_plugin.cli import main
from pos_plugin.domain.cart import cart_line_from_mapping
from pos_plugin.errors import InputError

GOODS = ({"code": "G001", "name": "维生素软糖", "insurable": False, "qty": "1", "price": "59.00"},
         {"code": "G002", "name": "护手霜", "insurable": False, "qty": "2", "price": "12.50"})


def cli(terminal, *args):
    s = terminal.settings
    env = {"YIBAO_PLATFORM": s.platform_url, "YIBAO_INSTITUTION": s.fixmedins_code,
           "YIBAO_INSTITUTION_NAME": s.fixmedins_name, "YIBAO_ADMDVS": s.admdvs, "YIBAO_STATE_DIR": str(s.state_dir),
           "YIBAO_POLICY": s.policy if isinstance(s.policy, str) else "national-default"}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def shop(admin, make_terminal):
    scen = scenario("shaanxi-retiree-two-funders")
    loaded = admin.load_world(scen)
    terminal = make_terminal(scen)
    patient = identify(terminal.client, credential_from_text(scen["people"][0]["certno"]))
    return scen, loaded, terminal, patient


def order_of(lines):
    return Order(tuple(cart_line_from_mapping(dict(line)) for line in lines))


def test_python_api_sale_is_revoked_by_the_cli(shop, admin):
    scen, loaded, terminal, patient = shop
    before = admin.balances()
    booked = terminal.till.checkout(patient, order_of(scen["checkout"]["lines"]), confirm=lambda quote: True)
    assert booked.sale_id == booked.setl_id and booked.setl_id
    assert admin.balances() != before

    reprint = cli(terminal, "receipt", booked.sale_id)
    assert reprint.exit_code == 0 and booked.setl_id in reprint.output

    revoked = cli(terminal, "revoke", booked.sale_id)
    assert revoked.exit_code == 0, revoked.output
    assert f"已撤销结算 {booked.setl_id}" in revoked.output
    assert admin.balances() == before
    with pytest.raises(InputError, match="已撤销"):
        terminal.till.revoke(booked.sale_id)


def test_cash_only_sale_is_booked_and_revoked_without_the_platform(shop, admin):
    scen, loaded, terminal, patient = shop
    before = admin.balances()
    sent = len(terminal.journal.entries(states=("pending", "done", "confirmed", "unknown", "failed", "reversed")))
    booked = terminal.till.checkout(patient, order_of(GOODS), confirm=lambda quote: True)
    assert booked.setl_id == "" and booked.sale_id.startswith("LOCAL-")
    assert str(booked.cash_total) == "84.00"
    assert booked.sale_id in terminal.till.receipt(booked.sale_id)

    shown = cli(terminal, "revoke", booked.sale_id)
    assert shown.exit_code == 0, shown.output
    assert "没有医保结算\n请退还顾客现金 84.00" in shown.output
    assert admin.balances() == before
    after = len(terminal.journal.entries(states=("pending", "done", "confirmed", "unknown", "failed", "reversed")))
    assert after == sent  # nothing was sent to the platform
    assert "已撤销" in terminal.till.receipt(booked.sale_id)


def test_cash_only_partial_refund_books_the_kept_goods(shop, admin):
    scen, loaded, terminal, patient = shop
    before = admin.balances()
    booked = terminal.till.checkout(patient, order_of(GOODS), confirm=lambda quote: True)
    refunded = terminal.till.refund(booked.sale_id, patient, ["G001"], confirm=lambda quote: True)
    assert str(refunded.revoked.cash_back) == "84.00" and refunded.revoked.settlement is None
    assert refunded.new is not None and str(refunded.new.cash_total) == "25.00"
    assert [line.code for line in terminal.sales.get(refunded.new.sale_id).lines] == ["G002"]
    assert terminal.sales.get(booked.sale_id).state == "revoked"
    assert admin.balances() == before


def test_refund_declined_by_the_cashier_keeps_the_sale(shop):
    scen, loaded, terminal, patient = shop
    booked = terminal.till.checkout(patient, order_of(GOODS), confirm=lambda quote: True)
    with pytest.raises(InputError, match="取消"):
        terminal.till.refund(booked.sale_id, patient, ["G001"], confirm=lambda quote: False)
    assert terminal.sales.get(booked.sale_id).state == "settled"


def test_refund_of_someone_elses_sale_is_refused(shop):
    scen, loaded, terminal, patient = shop
    booked = terminal.till.checkout(patient, order_of(GOODS), confirm=lambda quote: True)
    other = identify(terminal.client, credential_from_text(scen["people"][1]["certno"]))
    with pytest.raises(Exception, match="不是原交易的参保人"):
        terminal.till.refund(booked.sale_id, other, ["G001"], confirm=lambda quote: True)
    assert terminal.sales.get(booked.sale_id).state == "settled"


def test_cli_json_names_the_sale_id(shop, tmp_path):
    scen, loaded, terminal, patient = shop
    cart = tmp_path / "goods.json"
    cart.write_text(json.dumps(list(GOODS), ensure_ascii=False), encoding="utf-8")
    done = cli(terminal, "checkout", "--code", scen["people"][0]["certno"], "--cart", str(cart), "--yes", "--json")
    assert done.exit_code == 0, done.output
    sale = json.loads(done.output.strip().splitlines()[-1])
    assert sale["setl_id"] == "" and sale["sale_id"].startswith("LOCAL-") and sale["cash_total"] == "84.00"
    assert terminal.sales.get(sale["sale_id"]).state == "settled"
