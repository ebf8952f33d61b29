"""`make demo`: the DOMAIN.md §6 worked example through the payer-chain planner."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from pos_plugin.domain import (
    Burden,
    Funder,
    PatientFunds,
    cart_line_from_mapping,
    plan_payer_chain,
    split_totals,
)
from pos_plugin.domain.money import format_amount
from pos_plugin.present import plan_lines

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def run(echo: Callable[[str], None]) -> None:
    scenario = json.loads((FIXTURES / "scenarios" / "shaanxi-retiree-two-funders.json").read_text("utf-8"))
    people = {p["id"]: p for p in scenario["people"]}
    lines = [cart_line_from_mapping(raw) for raw in scenario["checkout"]["lines"]]
    totals = split_totals(lines)
    setl = scenario["expect"]["setlinfo"]  # the platform's fund figures for this example (DOMAIN.md §6)
    patient = people[scenario["checkout"]["patient"]]
    funders = tuple(
        Funder(b["rank"], b["funder"], Decimal(people[b["funder"]]["account"]), True, people[b["funder"]]["name"])
        for b in scenario["bindings"]
    )
    funds = PatientFunds(patient["id"], Decimal(patient["account"]), True, funders, name=patient["name"])
    burden = Burden(Decimal(setl["psn_part_amt"]), Decimal(setl["fulamt_ownpay_amt"]), Decimal(setl["overlmt_selfpay"]))
    plan = plan_payer_chain(funds, burden, account_pays_ownpay=True)
    echo(f"== {scenario['name']}: {scenario['description']}")
    echo(f"医疗费总额 {format_amount(totals.medfee_sumamt)} = 全自费 {format_amount(totals.fulamt_ownpay_amt)}"
         f" + 超限价 {format_amount(totals.overlmt_selfpay)} + 先行自付 {format_amount(totals.preselfpay_amt)}"
         f" + 范围内 {format_amount(totals.inscp_scp_amt)}")
    echo(f"统筹基金 {setl['hifp_pay']}，个人负担 {format_amount(burden.psn_part_amt)}，由以下顺序支付：")
    for line in plan_lines(plan):
        echo("  " + line)
