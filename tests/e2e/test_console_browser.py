"""The console in headless Debian Chromium (Playwright, /usr/bin/chromium; never downloads a browser):
load a scenario through the page, find a person (and scan their e-voucher off the screen), arm a
commit-then-drop fault, watch the plugin's sale and its reversal appear, open the audit page.

The simulator runs as its own process (module `sim_url`); the plugin talks to it over HTTP.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from e2e_world import SCENARIOS, scenario
from PIL import Image
from pyzbar.pyzbar import decode

from pos_plugin.checkout.identify import Credential, identify
from pos_plugin.checkout.sale import Order
from pos_plugin.domain.cart import cart_line_from_mapping
from pos_plugin.errors import NotSettled
from simulator.audit.rules import RULES

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
        "--no-first-run", "--disable-component-update", "--disable-sync"]
SCENARIO = "own-account-covers-everything"


@pytest.mark.browser
def test_console_find_arm_watch_sale_and_reversal_then_audit(admin, make_terminal, sim_url):
    from playwright.sync_api import expect, sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"Debian Chromium not found at {CHROMIUM}: run `make test` (it installs the chromium package)")
    scen = scenario(SCENARIO)
    code = scen["institution"]["code"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1300, "height": 1000})
            page.goto(f"{sim_url}/console")
            expect(page.locator("#mode")).to_contain_text("可写 admin")  # loopback server without a token
            page.set_input_files("#scenario-file", str(SCENARIOS / f"{SCENARIO}.json"))
            page.click("#scenario-load")
            expect(page.locator("#msg")).to_contain_text("zhao")

            page.fill("#search", "赵")  # 1. find a person: the name is shown masked
            page.click("#search-btn")
            page.click("#persons a")
            expect(page.locator("#person-name")).to_have_text("赵*")
            expect(page.locator("#person-balance")).to_have_text("1500.00")
            qr = page.locator("#ecode")
            expect(qr).to_be_visible()
            page.wait_for_function("() => document.getElementById('ecode').naturalWidth > 0")
            found = decode(Image.open(io.BytesIO(qr.screenshot())))
            assert len(found) == 1 and len(found[0].data) == 28, found  # scannable off the screen

            page.fill("#fault-infno", "2102")  # 2. arm commit-then-drop
            page.select_option("#fault-preset", "commit_then_drop")
            page.click("#arm")
            expect(page.locator("#faults")).to_contain_text("drop_after_commit")

            terminal = make_terminal(scen)  # 3. the plugin sells; the reply is lost; it reverses (2601)
            patient = identify(terminal.client, Credential("id_card", scen["people"][0]["certno"]))
            order = Order(tuple(cart_line_from_mapping(line) for line in scen["checkout"]["lines"]))
            with pytest.raises(NotSettled):
                terminal.counter.checkout(patient, order, lambda quote: True)
            page.select_option("#institution", code)
            expect(page.locator('#settlements tr[data-status="reversed"]')).to_have_count(1)
            expect(page.locator('#journal tr[data-infno="2102"][data-outcome="dropped"]')).to_have_count(1)
            expect(page.locator('#journal tr[data-infno="2601"][data-outcome="ok"]')).to_have_count(1)
            expect(page.locator("#faults tr")).to_have_count(0)  # the fault fired and is gone
            assert scen["people"][0]["certno"] not in page.content()  # the journal is masked

            page.click("#audit-link")  # 4. the audit page for this institution
            expect(page.locator("#verdict")).to_contain_text(code)
            expect(page.locator("#rules tbody tr")).to_have_count(len(RULES))
            expect(page.locator('tr[data-rule="UNKNOWN-RESOLVED"]')).to_have_attribute("data-status", "pass")
            expect(page.locator('tr[data-rule="SIGNOUT"]')).to_have_attribute("data-status", "not_exercised")
        finally:
            browser.close()
