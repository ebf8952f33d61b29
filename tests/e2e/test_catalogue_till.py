"""The catalogue at the till: a cart of the pharmacy's own item codes settles to exactly what the
class-annotated cart settles to, for every worked example; the till syncs only what changed; a line whose
class disagrees with the catalogue is refused before anything is sent; a till with no catalogue keeps the
old cart form."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from e2e_world import SCENARIOS, scenario

from pos_plugin.catalogue import CatalogueBook, resolve_cart, sync_catalogue, upload_mappings
from pos_plugin.catalogue.book import ItemMapping
from pos_plugin.catalogue.cart import CatalogueMismatch, ItemUnmapped, NoCatalogue
from pos_plugin.lab.scenario_runner import run_scenario
from pos_plugin.lab.sim_admin import SimulatorAdmin

CATALOGUE_KEYS = ("code", "name", "class", "selfpay_prop", "price_cap")


def item_code_variant(scen: dict[str, Any]) -> dict[str, Any]:
    """The same sale rung up by item code: the catalogue and the mapping carry what the lines used to say."""
    derived = copy.deepcopy(scen)
    lines, catalogue, mapping = [], list(scen.get("catalogue", [])), list(scen.get("mapping", []))
    for line in scen["checkout"]["lines"]:
        if line.get("insurable", True) is False or "class" not in line:
            lines.append(line)  # outside insurance, or already sold by item code
            continue
        catalogue.append({k: line[k] for k in CATALOGUE_KEYS if k in line})
        mapping.append({"item": f"SKU-{line['code']}", "med_list_codg": line["code"], "name": line.get("name", "")})
        lines.append({"item": f"SKU-{line['code']}", "qty": line.get("qty", "1"), "price": line["price"],
                      **({"trace_codes": line["trace_codes"]} if "trace_codes" in line else {})})
    derived["checkout"]["lines"] = lines
    derived["catalogue"], derived["mapping"] = catalogue, mapping
    return derived


# A cart of item codes is a sale's: a stay (flow inpatient) uploads its batches instead (tests/e2e/test_stay_desk.py).
CARTS = sorted(p for p in SCENARIOS.glob("*.json") if '"flow": "inpatient"' not in p.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", CARTS, ids=lambda p: p.stem)
def test_a_cart_of_item_codes_settles_like_the_class_annotated_cart(path: Path, sim_url: str, tmp_path: Path):
    scen = json.loads(path.read_text(encoding="utf-8"))
    plain = run_scenario(scen, sim_url, tmp_path / "plain")
    by_item = run_scenario(item_code_variant(scen), sim_url, tmp_path / "item")
    assert plain.passed, plain.diffs
    assert by_item.passed, by_item.diffs
    assert by_item.actual == plain.actual
    if plain.sale is not None and by_item.sale is not None:
        assert [(line.code, line.cls, line.selfpay_prop, line.price_cap) for line in by_item.sale.quote.order.lines] == \
            [(line.code, line.cls, line.selfpay_prop, line.price_cap) for line in plain.sale.quote.order.lines]


@pytest.fixture
def shop(sim_url: str, make_terminal: Any) -> Any:
    scen = scenario("own-account-covers-everything")
    scen["catalogue"] = [{"code": "B100", "name": "乙类药", "class": "B", "selfpay_prop": "0.10"},
                         {"code": "GONE", "name": "停用药", "class": "A", "enddate": "2020-01-01",
                          "expired_use": "refuse"}]
    admin = SimulatorAdmin(sim_url)
    admin.reset()
    admin.load_world(scen)
    yield admin, make_terminal(scen)
    admin.close()


def test_sync_fetches_everything_once_then_only_what_changed(shop: Any):
    admin, terminal = shop
    first = sync_catalogue(terminal.client, terminal.catalogue, page_size=1, by_file=False)
    held = terminal.catalogue.count()
    assert first.fetched == held >= 3 and first.pages == held
    again = sync_catalogue(terminal.client, terminal.catalogue)
    assert again.total == held and again.version == first.version
    admin.advance_clock(120)
    admin.update_catalogue([{"code": "B100", "name": "乙类药", "class": "B", "selfpay_prop": "0.20"}])
    changed = sync_catalogue(terminal.client, terminal.catalogue)
    assert changed.fetched == 1 and changed.total == held and changed.version > first.version
    assert str(terminal.catalogue.entries(["B100"])["B100"].selfpay_prop) == "0.20"


def test_a_line_whose_class_disagrees_is_refused_before_anything_is_sent(shop: Any):
    _, terminal = shop
    sync_catalogue(terminal.client, terminal.catalogue)
    today = "2026-03-02"
    with pytest.raises(CatalogueMismatch, match="乙类"):
        resolve_cart([{"code": "B100", "class": "A", "qty": "1", "price": "10.00"}], terminal.catalogue, today)
    with pytest.raises(CatalogueMismatch, match="自付比例"):
        resolve_cart([{"code": "B100", "class": "B", "selfpay_prop": "0.05", "qty": "1", "price": "10.00"}],
                     terminal.catalogue, today)
    with pytest.raises(CatalogueMismatch, match="不在医保目录中"):
        resolve_cart([{"code": "NOPE", "class": "A", "qty": "1", "price": "10.00"}], terminal.catalogue, today)
    with pytest.raises(CatalogueMismatch, match="不得医保结算"):
        resolve_cart([{"code": "GONE", "qty": "1", "price": "10.00"}], terminal.catalogue, today)
    with pytest.raises(ItemUnmapped):
        resolve_cart([{"item": "SKU-9", "qty": "1", "price": "10.00"}], terminal.catalogue, today)
    planned = resolve_cart([{"code": "B100", "qty": "1", "price": "10.00"}, {"code": "NOPE", "price": "1.00"}],
                           terminal.catalogue, today)
    assert [(line.cls, str(line.selfpay_prop)) for line in planned] == [("B", "0.10"), ("C", "0")]


def test_the_checkout_command_refuses_a_wrong_class_and_sends_no_settlement(shop: Any, tmp_path: Path):
    from click.testing import CliRunner

    from pos_plugin.cli import main
    admin, terminal = shop
    sync_catalogue(terminal.client, terminal.catalogue)
    before = admin.balances()
    cart = tmp_path / "cart.json"
    cart.write_text(json.dumps([{"code": "B100", "class": "A", "qty": "1", "price": "10.00"}]), encoding="utf-8")
    settings = terminal.settings
    runner = CliRunner()
    result = runner.invoke(main, ["checkout", "--code", "610103195801010753", "--cart", str(cart), "--yes",
                                  "--platform", settings.platform_url, "--institution", settings.fixmedins_code,
                                  "--institution-name", settings.fixmedins_name, "--admdvs", settings.admdvs,
                                  "--state-dir", str(settings.state_dir)])
    assert result.exit_code == 2 and "ERR_CATALOGUE_MISMATCH" in result.output
    assert admin.settlements(settings.fixmedins_code) == [] and admin.balances() == before


def test_a_till_with_no_catalogue_keeps_the_old_cart_form(tmp_path: Path):
    book = CatalogueBook(tmp_path / "catalogue.sqlite")
    try:
        lines = resolve_cart([{"code": "X", "class": "B", "selfpay_prop": "0.10", "qty": "1", "price": "5.00"}],
                             book, "2026-03-02")
        assert (lines[0].cls, str(lines[0].selfpay_prop)) == ("B", "0.10")
        with pytest.raises(NoCatalogue):
            resolve_cart([{"item": "SKU-1", "qty": "1", "price": "5.00"}], book, "2026-03-02")
    finally:
        book.close()


def test_a_mapping_to_an_unknown_code_is_refused_by_the_platform_and_not_kept(shop: Any):
    _, terminal = shop
    sync_catalogue(terminal.client, terminal.catalogue)
    with pytest.raises(Exception, match="LIST_CODE_UNKNOWN|不在医保目录中"):
        upload_mappings(terminal.client, terminal.catalogue, [ItemMapping("SKU-X", "NOPE", "x")], "2026-03-02")
    assert terminal.catalogue.mappings(["SKU-X"]) == {}
