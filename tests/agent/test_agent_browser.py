"""The reference web till in headless Debian Chromium (Playwright on /usr/bin/chromium, never a downloaded
browser): a whole sale through the page — QR image upload, cart lines, split table and legs, confirm,
receipt, partial refund, revoke — and a refusal shown to the cashier."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from agent_world import scenario

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _chromium(playwright: Any) -> Any:
    if not CHROMIUM.exists():
        pytest.fail(f"Debian Chromium not found at {CHROMIUM}: `sudo apt-get install chromium`. "
                    "This test never downloads a browser.")
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)


def _add_line(page: Any, row: int, code: str, name: str, cls: str, qty: str, price: str) -> None:
    if row > 0:
        page.click("#add-line")
    tr = page.locator("#lines tbody tr").nth(row)
    tr.locator("[name=code]").fill(code)
    tr.locator("[name=name]").fill(name)
    tr.locator("[name=class]").select_option(cls)
    tr.locator("[name=qty]").fill(qty)
    tr.locator("[name=price]").fill(price)


@pytest.mark.browser
def test_a_whole_sale_through_the_web_till(admin, start_agent, tmp_path):
    from playwright.sync_api import sync_playwright

    scen = scenario("own-account-covers-everything")
    loaded = admin.load_world(scen)
    agent = start_agent(scen, token="till-secret")
    before = admin.balances()
    code, png = admin.evoucher(loaded["handles"]["zhao"])
    (tmp_path / "frame.png").write_bytes(png)

    with sync_playwright() as playwright:
        browser = _chromium(playwright)
        try:
            page = browser.new_page()
            page.goto(agent.base + "/")
            page.fill("#token", "till-secret")
            page.dispatch_event("#token", "change")

            # A refusal: a product barcode typed as the credential, shown to the cashier, nothing changed.
            page.fill("#code", "6901234567892")
            page.click("#identify")
            page.wait_for_selector("#error:not([hidden])")
            assert page.inner_text("#error").startswith("ERR_NOT_AN_INSURANCE_CODE：")

            page.set_input_files("#image", str(tmp_path / "frame.png"))
            page.wait_for_function(f"() => document.getElementById('code').value === '{code}'")
            page.click("#identify")
            page.wait_for_selector("#patient:has-text('赵*')")
            assert page.is_hidden("#error")

            _add_line(page, 0, "D4001", "二甲双胍缓释片", "A", "2", "28.40")
            _add_line(page, 1, "G001", "维生素软糖", "X", "1", "59.00")
            page.click("#quote")
            page.wait_for_selector("#quote-view:not([hidden])")
            legs = page.inner_text("#legs")
            assert "本人账户" in legs and "56.80" in legs
            split = page.inner_text("#split")
            assert "二甲双胍缓释片" in split and "非医保（现金）" in split
            assert admin.balances() == before

            page.click("#confirm")
            page.wait_for_selector("#sale-view:not([hidden])")
            receipt = page.inner_text("#receipt")
            assert "56.80" in receipt and "59.00" in receipt
            assert admin.balances()["accounts"][loaded["handles"]["zhao"]] == Decimal("1443.20")

            code2, _ = admin.evoucher(loaded["handles"]["zhao"])
            page.check("#refund-lines input[value=G001]")
            page.fill("#refund-code", code2)
            page.click("#refund")
            page.wait_for_selector("#done:has-text('已退货')")
            assert "59.00" not in page.inner_text("#receipt")

            page.click("#revoke")
            page.wait_for_selector("#done:has-text('整笔已撤销')")
            page.wait_for_selector("#receipt:has-text('已撤销')")  # the reprint follows the revoke answer
            assert admin.balances() == before
        finally:
            browser.close()
