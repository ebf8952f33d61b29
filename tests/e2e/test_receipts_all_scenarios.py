"""Receipts of every fixture scenario, settled against the real simulator: an 80 mm printer's 48 columns
(CJK counted double) never exceeded, no full name or ID number printed, every leg named."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from e2e_world import SCENARIOS, scenario

from pos_plugin.checkout.sale import Sale
from pos_plugin.checkout.sale_receipt import receipt_for_sale
from pos_plugin.lab.scenario_runner import run_scenario
from pos_plugin.present import display_width
from pos_plugin.receipt import WIDTH, render_receipt

NAMES = sorted(path.stem for path in SCENARIOS.glob("*.json"))
LEG_LABELS = {"own": "本人账户", "pool": "家庭共济账户", "wallet": "医保钱包"}
RANKS = {1: "第一顺位", 2: "第二顺位", 3: "第三顺位"}


def settled_receipt(scen: dict[str, Any], sim_url: str, workdir: Path) -> tuple[Sale, str]:
    sales: list[Sale] = []
    result = run_scenario(scen, sim_url, workdir, on_sale=sales.append)
    assert result.passed, result.diffs
    assert sales, f"{scen['name']}: no sale"
    return sales[0], render_receipt(receipt_for_sale(sales[0], scen["institution"]["name"]))


def assert_printable_and_masked(text: str, scen: dict[str, Any]) -> None:
    for line in text.splitlines():
        assert display_width(line) <= WIDTH, f"{display_width(line)} columns: {line!r}"
    for person in scen["people"]:
        assert person["certno"] not in text
        assert person["certno"][6:14] not in text  # not even the birth date part
        assert person["name"] not in text


def assert_every_leg_named(sale: Sale, text: str) -> None:
    for leg in sale.legs:
        if leg.source == "funder":
            label = f"共济账户({RANKS[leg.rank or 0]}" + (f" {leg.name[0]}*" if leg.name else ")")
            if sum(other.name[:1] == leg.name[:1] for other in sale.legs if other.source == "funder") > 1:
                label += f" 尾号{leg.psn_no[-4:]})"  # namesakes told apart (present.leg_labels)
        else:
            label = LEG_LABELS[leg.source]
        assert label in text, (label, text)
    assert "现金" in text


@pytest.mark.parametrize("name", NAMES)
def test_receipt_of_each_fixture_scenario_fits_48_columns_and_masks_people(admin, sim_url, tmp_path, name):
    scen = scenario(name)
    sale, text = settled_receipt(scen, sim_url, tmp_path)
    assert_printable_and_masked(text, scen)
    assert_every_leg_named(sale, text)


def test_long_names_are_cut_to_the_paper_and_the_outside_insurance_mark_is_kept(admin, sim_url, tmp_path):
    scen = scenario("linxia-child-pool-wallet")
    scen["institution"]["name"] = "临夏回族自治州临夏市康灵平价大药房连锁有限公司第一百二十三分店"
    for line in scen["checkout"]["lines"]:
        line["name"] = line.get("name", line["code"]) + "（规格：10毫升×12支/盒，口服溶液剂，儿童专用型）"
    scen.pop("expect", None)
    scen.pop("then", None)
    sale, text = settled_receipt(scen, sim_url, tmp_path)
    assert_printable_and_masked(text, scen)
    assert_every_leg_named(sale, text)
    outside = [line for line in scen["checkout"]["lines"] if line.get("insurable") is False]
    assert outside and text.count("[非医保]") == len(outside)
