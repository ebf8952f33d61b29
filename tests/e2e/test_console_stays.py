"""The console shows hospital stays in headless Debian Chromium: a stay admitted and billed over two days shows
as admitted with its lines, then settled with its settlement id and every line ticked."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
import requests
from e2e_world import scenario

from pos_plugin.checkout.identify import Credential, identify
from pos_plugin.checkout.stay import Ward
from pos_plugin.domain.cart import cart_line_from_mapping

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
        "--no-first-run", "--disable-component-update", "--disable-sync"]


@pytest.mark.browser
def test_the_console_shows_a_stay_admitted_then_settled_with_its_lines(admin, make_terminal, sim_url):
    from playwright.sync_api import expect, sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"Debian Chromium not found at {CHROMIUM}: run `make test` (it installs the chromium package)")
    scen = scenario("shaanxi-retiree-first-stay")
    admin.load_world(scen)
    co, till = scen["checkout"], make_terminal(scen)
    patient = identify(till.client, Credential("id_card", scen["people"][0]["certno"]), business_type="01101")
    stay = till.desk.admit(patient, Ward("ZY1", "A03.01", "心血管内科"),
                           begntime=datetime.strptime(co["admission"]["begntime"], "%Y-%m-%d %H:%M:%S"))
    for raw in co["batches"]:
        till.desk.add_fees(stay.mdtrt_id, tuple(cart_line_from_mapping(line) for line in raw["lines"]),
                           day=date.fromisoformat(raw["day"]))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1300, "height": 1000})
            page.goto(f"{sim_url}/console")
            row = page.locator(f'#stays tr[data-stay="{stay.mdtrt_id}"]')
            expect(row).to_have_attribute("data-status", "admitted")
            expect(row.locator("td.lines")).to_contain_text("2026-03-04 冠状动脉造影 1600.00")
            till.desk.discharge(stay.mdtrt_id, endtime=datetime.strptime(co["discharge"]["endtime"], "%Y-%m-%d %H:%M:%S"))
            done = till.desk.checkout(stay.mdtrt_id, patient, lambda quote: True)
            page.reload()
            expect(row).to_have_attribute("data-status", "settled")
            expect(row).to_contain_text(done.settlement.setl_id)
            assert row.locator("td.lines").inner_text().count("✓") == 5
        finally:
            browser.close()
    listed = requests.get(f"{sim_url}/console/api/stays", params={"institution": scen["institution"]["code"]},
                          timeout=10).json()["stays"]
    assert [(s["mdtrt_id"], s["status"], len(s["lines"])) for s in listed] == [(stay.mdtrt_id, "settled", 5)]
