"""The platform's review of the pharmacy's 目录对照 at the till (docs/protocol.md §6): a mapping uploaded to a
platform that reviews (world `mapping_review: manual`) waits 待审核; the till knows it from 3301's reply and
`pos-plugin catalogue mappings` (1317), shows it (`catalogue show`), refuses to plan a cart line of an item whose
mapping is not approved, and once approved sells by item code with the item sent as `medins_list_codg`; a till
that has not heard of a later rejection is refused by the platform and nothing is settled."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from e2e_world import scenario

from pos_plugin.catalogue import fetch_reviews, resolve_cart, sync_catalogue, upload_mappings
from pos_plugin.catalogue.book import ItemMapping
from pos_plugin.catalogue.cart import MappingUnapproved
from pos_plugin.checkout.requests_build import fee_lines
from pos_plugin.cli import main
from pos_plugin.lab.sim_admin import SimulatorAdmin

TODAY = "2026-03-02"


@pytest.fixture
def shop(sim_url: str, make_terminal: Any) -> Any:
    scen = scenario("own-account-covers-everything")
    scen["catalogue"] = [{"code": "B100", "name": "乙类药", "class": "B", "selfpay_prop": "0.10"}]
    scen["mapping_review"] = "manual"
    admin = SimulatorAdmin(sim_url)
    admin.reset()
    admin.load_world(scen)
    terminal = make_terminal(scen)
    sync_catalogue(terminal.client, terminal.catalogue)
    upload_mappings(terminal.client, terminal.catalogue, [ItemMapping("SKU-B100", "B100", "本店乙类药")], TODAY)
    yield admin, terminal
    admin.close()


def cli(terminal: Any, *args: str) -> Any:
    s = terminal.settings
    return CliRunner().invoke(main, [*args, "--platform", s.platform_url, "--institution", s.fixmedins_code,
                                     "--institution-name", s.fixmedins_name, "--admdvs", s.admdvs,
                                     "--state-dir", str(s.state_dir)])


CART = [{"item": "SKU-B100", "qty": "2", "price": "10.00"}]


def test_a_pending_mapping_is_shown_and_its_item_is_not_planned(shop: Any) -> None:
    _, terminal = shop
    assert terminal.catalogue.mappings(["SKU-B100"])["SKU-B100"].chk_stas == "0"  # from 3301's reply
    shown = cli(terminal, "catalogue", "show", "SKU-B100")
    assert shown.exit_code == 0 and "目录对照 SKU-B100 → B100 本店乙类药 待审核" in shown.output, shown.output
    with pytest.raises(MappingUnapproved, match="待审核"):
        resolve_cart(CART, terminal.catalogue, TODAY)


def test_the_review_reaches_the_till_through_1317_and_an_approved_item_sells(shop: Any, tmp_path: Path) -> None:
    admin, terminal = shop
    code = terminal.settings.fixmedins_code
    admin.review_mappings(code, ["SKU-B100"], "2", "规格与医保目录不符")
    listed = cli(terminal, "catalogue", "mappings")
    assert listed.exit_code == 0 and "SKU-B100 → B100 本店乙类药 审核不通过（规格与医保目录不符）" in listed.output
    with pytest.raises(MappingUnapproved, match="规格与医保目录不符"):
        resolve_cart(CART, terminal.catalogue, TODAY)
    admin.review_mappings(code, ["SKU-B100"], "1")
    assert [(r.item, r.chk_stas) for r in fetch_reviews(terminal.client, terminal.catalogue)] == [("SKU-B100", "1")]
    planned = resolve_cart(CART, terminal.catalogue, TODAY)
    assert [(line.item, line.code, line.cls, str(line.selfpay_prop)) for line in planned] == [
        ("SKU-B100", "B100", "B", "0.10")]
    sent = fee_lines(planned, datetime(2026, 3, 2, 10, 0))
    assert (sent[0]["medins_list_codg"], sent[0]["med_list_codg"]) == ("SKU-B100", "B100")
    cart = tmp_path / "cart.json"
    cart.write_text(json.dumps(CART), encoding="utf-8")
    sold = cli(terminal, "checkout", "--code", "61010319751212637X", "--cart", str(cart), "--yes", "--json")
    assert sold.exit_code == 0, sold.output
    assert len(admin.settlements(code)) == 1


def test_a_rejection_the_till_has_not_heard_of_is_refused_by_the_platform(shop: Any, tmp_path: Path) -> None:
    admin, terminal = shop
    code = terminal.settings.fixmedins_code
    admin.review_mappings(code, ["SKU-B100"], "1")
    fetch_reviews(terminal.client, terminal.catalogue)
    admin.review_mappings(code, ["SKU-B100"], "2", "已停用")  # the till still believes 审核通过
    before = admin.balances()
    cart = tmp_path / "cart.json"
    cart.write_text(json.dumps(CART), encoding="utf-8")
    refused = cli(terminal, "checkout", "--code", "61010319751212637X", "--cart", str(cart), "--yes")
    assert refused.exit_code == 2 and "ERR_PLATFORM_REFUSED" in refused.output  # the platform's refusal, relayed
    assert "SKU-B100 目录对照审核不通过（已停用）" in refused.output
    assert admin.settlements(code) == [] and admin.balances() == before
