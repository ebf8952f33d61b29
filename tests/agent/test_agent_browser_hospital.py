"""The reference web till's hospital desks in headless Debian Chromium (Playwright on /usr/bin/chromium, never a
downloaded browser; one browser for the module): a whole inpatient stay through the page — e-voucher image,
admission, two days' fee batches from files, a typed line uploaded and deleted, discharge, the 2303 split
table and the payer chain, settle, the 出院结算单, revoke — with the money checked to the fen against the
platform's balances and settlement, and refusals shown to the cashier that changed nothing; then an outpatient
visit step by step on the same pattern."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from agent_world import scenario
from test_agent_browser import _chromium

ROOT = Path(__file__).resolve().parents[2]
STAY = json.loads((ROOT / "fixtures/scenarios/shaanxi-retiree-first-stay.json").read_text(encoding="utf-8"))
ADMISSION = STAY["checkout"]["admission"]
FIELDS = {"stay-ipt-no": "ipt_no", "stay-dept-code": "dept_code", "stay-dept-name": "dept_name", "stay-bed": "bed",
          "stay-doctor-code": "doctor_code", "stay-doctor-name": "doctor_name", "stay-diag-code": "diagnosis_code",
          "stay-diag-name": "diagnosis_name", "stay-begntime": "begntime"}

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = _chromium(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


def _identify(page: Any, admin: Any, psn_no: str, desk: str, tmp_path: Path) -> None:
    """Choose the desk, upload the patient's e-voucher image and identify them."""
    code, png = admin.evoucher(psn_no)
    (tmp_path / "frame.png").write_bytes(png)
    page.check(f"input[name=desk][value={desk}]")
    page.set_input_files("#image", str(tmp_path / "frame.png"))
    page.wait_for_function(f"() => document.getElementById('code').value === '{code}'")
    page.click("#identify")
    page.wait_for_selector("#patient:has-text('王*')")


def _refused(page: Any, code: str) -> str:
    page.wait_for_selector("#error:not([hidden])")
    shown = page.inner_text("#error")
    assert shown.startswith(f"{code}："), shown
    return shown


def _money(page: Any, table: str) -> dict[str, Decimal]:
    """A two-column table of the page (label, amount) as the cashier reads it."""
    rows = page.locator(f"{table} tbody tr")
    return {rows.nth(i).locator("td").nth(0).inner_text(): Decimal(rows.nth(i).locator("td").nth(1).inner_text())
            for i in range(rows.count())}


def test_a_whole_stay_through_the_web_till(browser, admin, start_agent, tmp_path):
    loaded = admin.load_world(STAY)
    who = loaded["handles"]
    agent = start_agent(STAY)
    for i, raw in enumerate(STAY["checkout"]["batches"]):
        (tmp_path / f"day{i + 1}.json").write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    before = admin.balances()
    page = browser.new_page()
    page.set_default_timeout(10_000)
    page.goto(agent.base + "/")
    _identify(page, admin, who["wang"], "stay", tmp_path)
    assert page.is_hidden("#sale-desk") and page.is_visible("#stay-desk")

    for field, name in FIELDS.items():
        page.fill(f"#{field}", ADMISSION[name])
    page.click("#stay-admit-btn")
    page.wait_for_selector("#stay-info:has-text('在院')")
    assert ADMISSION["ipt_no"] in page.inner_text("#stay-pick")

    for day in ("day1", "day2"):  # each day's batch from its file, as `pos-plugin stay fees --file` reads it
        page.set_input_files("#stay-file", str(tmp_path / f"{day}.json"))
        rows = len(STAY["checkout"]["batches"][int(day[-1]) - 1]["lines"])
        page.wait_for_function(f"() => document.querySelectorAll('#stay-lines tbody tr').length === {rows}")
        page.click("#stay-upload")
        page.wait_for_function("n => document.querySelectorAll('#stay-fees tbody tr').length === n",
                               arg=3 if day == "day1" else 5)
    fees = page.inner_text("#stay-fees")
    assert "2026-03-02" in fees and "2026-03-04" in fees and "冠状动脉造影" in fees
    second = page.locator("#stay-fees tbody tr").nth(1).locator("td")
    assert [second.nth(i).inner_text() for i in (1, 5, 6)] == ["00002", "630.00", "70.00"]  # the 2301 split

    # A refusal: a fee line the platform cannot take (qty not a number); shown with its code, nothing uploaded.
    page.fill("#stay-day", "2026-03-05")
    row = page.locator("#stay-lines tbody tr").nth(0)
    row.locator("[name=code]").fill("Z0101")
    row.locator("[name=name]").fill("床位费")
    row.locator("[name=qty]").fill("一")
    row.locator("[name=price]").fill("60.00")
    page.click("#stay-upload")
    assert "qty" in _refused(page, "ERR_INVALID_CART")
    assert page.locator("#stay-fees tbody tr").count() == 5
    row.locator("[name=qty]").fill("1")  # typed again, uploaded, then deleted from the fee table
    page.click("#stay-upload")
    page.wait_for_function("() => document.querySelectorAll('#stay-fees tbody tr').length === 6")
    page.locator("#stay-fees tbody tr").nth(5).locator("button").click()
    page.wait_for_function("() => document.querySelectorAll('#stay-fees tbody tr').length === 5")  # 2302: gone

    # A refusal: pre-settle while the patient is still in hospital; nothing quoted, nothing moved.
    page.click("#stay-quote")
    assert "不能结算" in _refused(page, "ERR_INPUT")
    assert page.is_hidden("#stay-quote-view") and "在院" in page.inner_text("#stay-info")
    assert admin.balances() == before

    page.fill("#stay-endtime", STAY["checkout"]["discharge"]["endtime"])
    page.click("#stay-discharge")
    page.wait_for_selector("#stay-info:has-text('已出院')")
    assert page.is_hidden("#error")
    page.click("#stay-quote")
    page.wait_for_selector("#stay-quote-view:not([hidden])")
    split, legs = _money(page, "#stay-split"), _money(page, "#stay-legs")
    expect = STAY["expect"]["setlinfo"]
    assert (split["医疗费总额"], split["统筹基金支付"], split["本次起付线"], split["个人负担"]) == \
        tuple(Decimal(expect[k]) for k in ("medfee_sumamt", "hifp_pay", "act_pay_dedc", "psn_part_amt"))
    assert legs == {"本人账户": Decimal("800.00"), "共济账户(第一顺位 王*)": Decimal("443.70"), "个人现金": Decimal("0.00")}
    assert admin.balances() == before  # the quote moved nothing

    page.click("#stay-settle")
    page.wait_for_selector("#stay-settled-view:not([hidden])")
    receipt = page.inner_text("#stay-receipt")
    for words in ("出院结算单", "入院: 2026-03-02 09:00:00", "出院: 2026-03-06 10:00:00", "1756.30", "443.70"):
        assert words in receipt, words
    after = admin.balances()["accounts"]
    paid = {name: before["accounts"][who[name]] - after[who[name]] for name in ("wang", "daughter", "son")}
    assert paid == {"wang": legs["本人账户"], "daughter": legs["共济账户(第一顺位 王*)"], "son": Decimal("0.00")}
    [settled] = [s for s in admin.settlements(STAY["institution"]["code"]) if s["infno"] == "2304"]
    assert (Decimal(settled["hifp"]), settled["status"]) == (split["统筹基金支付"], "settled")
    assert "已结算" in page.inner_text("#stay-done") and "已结算" in page.inner_text("#stay-info")

    page.click("#stay-revoke")
    page.wait_for_selector("#stay-done:has-text('结算已撤销')")
    assert "退回统筹基金 1756.30" in page.inner_text("#stay-done")
    assert "已撤销" in page.inner_text("#stay-receipt") and "已出院" in page.inner_text("#stay-info")
    assert admin.balances() == before
    assert [s["status"] for s in admin.settlements(STAY["institution"]["code"]) if s["infno"] == "2304"] == ["revoked"]
    page.close()


def test_an_outpatient_visit_step_by_step_through_the_web_till(browser, admin, start_agent, tmp_path):
    scen = scenario("shaanxi-retiree-two-funders")
    who = admin.load_world(scen)["handles"]
    agent = start_agent(scen)
    (tmp_path / "orders.json").write_text(json.dumps({"lines": scen["checkout"]["lines"]}, ensure_ascii=False),
                                          encoding="utf-8")
    before = admin.balances()
    page = browser.new_page()
    page.set_default_timeout(10_000)
    page.goto(agent.base + "/")
    _identify(page, admin, who["wang"], "visit", tmp_path)
    for field, text in (("dept-code", "A03.01"), ("dept-name", "心血管内科"), ("caty", "A03"), ("doctor-code", "D021"),
                        ("doctor-name", "李主任"), ("diag-code", "I10"), ("diag-name", "原发性高血压")):
        page.fill(f"#visit-{field}", text)
    page.click("#visit-register-btn")
    page.wait_for_selector("#visit-info:has-text('已挂号')")
    assert "李主任" in page.inner_text("#visit-info") and "心血管内科" in page.inner_text("#visit-pick")

    page.set_input_files("#visit-file", str(tmp_path / "orders.json"))  # batch 0001 from the orders file
    page.wait_for_function("() => document.querySelectorAll('#visit-lines tbody tr').length === 4")
    page.click("#visit-upload")
    page.wait_for_function("() => document.querySelectorAll('#visit-fees tbody tr').length === 4")
    row = page.locator("#visit-lines tbody tr").nth(0)  # batch 0002 typed, then deleted
    for name, text in (("code", "F0001"), ("name", "复诊诊查费"), ("qty", "1"), ("price", "20.00")):
        row.locator(f"[name={name}]").fill(text)
    page.click("#visit-upload")
    page.wait_for_selector("#visit-fees tbody tr:nth-child(5):has-text('0002')")
    page.locator("#visit-fees tbody tr").nth(4).locator("button").click()
    page.wait_for_selector("#visit-fees tbody tr:nth-child(5):has-text('已删除')")

    page.click("#visit-quote")
    page.wait_for_selector("#visit-quote-view:not([hidden])")
    legs = _money(page, "#visit-legs")
    assert legs == {"本人账户": Decimal("35.20"), "共济账户(第一顺位 王*)": Decimal("180.00"),
                    "共济账户(第二顺位 王*)": Decimal("73.06"), "个人现金": Decimal("0.00")}
    assert "统筹基金 243.74" in page.inner_text("#visit-totals") and "复诊诊查费" not in page.inner_text("#visit-split")
    assert admin.balances() == before
    page.click("#visit-settle")
    page.wait_for_selector("#visit-settled-view:not([hidden])")
    assert "医保结算凭条" in page.inner_text("#visit-receipt") and "已结算" in page.inner_text("#visit-info")
    after = admin.balances()["accounts"]
    assert [before["accounts"][who[p]] - after[who[p]] for p in ("wang", "daughter", "son")] == \
        [legs["本人账户"], legs["共济账户(第一顺位 王*)"], legs["共济账户(第二顺位 王*)"]]

    # A refusal: cancelling the registration of a settled visit; shown with its code, the settlement stands.
    page.click("#visit-cancel")
    _refused(page, "ERR_VISIT_HAS_SETTLEMENT")
    assert admin.balances()["accounts"] == after and "已结算" in page.inner_text("#visit-info")

    page.click("#visit-revoke")
    page.wait_for_selector("#visit-done:has-text('结算已撤销')")
    assert "已挂号" in page.inner_text("#visit-info") and admin.balances() == before
    page.click("#visit-cancel")
    page.wait_for_selector("#visit-info:has-text('已取消')")
    page.close()
