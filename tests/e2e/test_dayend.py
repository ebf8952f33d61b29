"""Day-end reconciliation from the journal: balanced, and unbalanced when the local books differ."""

from __future__ import annotations

import sqlite3
from datetime import date

from click.testing import CliRunner
from e2e_world import scenario

from pos_plugin import dayend
from pos_plugin.checkout.identify import Credential, identify
from pos_plugin.checkout.sale import Order
from pos_plugin.cli import main
from pos_plugin.domain.cart import cart_line_from_mapping

DAY = date(2026, 4, 20)  # the own-account scenario's platform date


def sell(terminal, scen, lines):
    patient = identify(terminal.client, Credential("id_card", scen["people"][0]["certno"]))
    order = Order(tuple(cart_line_from_mapping(line) for line in lines))
    return terminal.counter.checkout(patient, order, lambda quote: True)


def a_day_of_sales(admin, make_terminal):
    scen = scenario("own-account-covers-everything")
    admin.load_world(scen)
    terminal = make_terminal(scen)
    lines = scen["checkout"]["lines"]
    kept = sell(terminal, scen, lines)
    sell(terminal, scen, lines[:1])
    refunded = sell(terminal, scen, lines[1:])
    terminal.counter.revoke(refunded)
    return terminal, kept


def test_a_day_of_sales_and_a_revoke_reconciles_balanced(admin, make_terminal):
    terminal, _ = a_day_of_sales(admin, make_terminal)
    for flag in ("0", "1"):
        report = dayend.reconcile(terminal.client, terminal.journal, DAY, refd_setl_flag=flag)
        assert report.balanced, dayend.render_report(report)
        assert [c.totals.count for c in report.totals] == ([2] if flag == "0" else [4])
        assert report.details and all(not d.differences for d in report.details)
    text = dayend.render_report(report)
    assert text.startswith("日终对账 2026-04-20：平账")


def test_local_books_that_differ_are_reported_record_by_record(admin, make_terminal):
    terminal, kept = a_day_of_sales(admin, make_terminal)
    with sqlite3.connect(terminal.journal.db.path) as books:  # a clerk "fixed" an amount by hand
        changed = books.execute("UPDATE journal SET medfee_sumamt = '155.90' WHERE setl_id = ?", (kept.setl_id,))
        assert changed.rowcount == 1
    report = dayend.reconcile(terminal.client, terminal.journal, DAY)
    assert not report.balanced
    assert not report.totals[0].statement.balanced
    [detail] = report.details
    assert [(row.result, row.record.setl_id) for row in detail.differences] == [("3", kept.setl_id)]
    text = dayend.render_report(report)
    assert "不平" in text and f"双方金额不一致: 结算号 {kept.setl_id}" in text


def test_reconcile_command_exit_codes(admin, make_terminal, sim_url, tmp_path):
    terminal, _ = a_day_of_sales(admin, make_terminal)
    settings = terminal.settings
    env = {"YIBAO_PLATFORM": sim_url, "YIBAO_INSTITUTION": settings.fixmedins_code,
           "YIBAO_INSTITUTION_NAME": settings.fixmedins_name, "YIBAO_ADMDVS": settings.admdvs,
           "YIBAO_STATE_DIR": str(settings.state_dir)}
    balanced = CliRunner().invoke(main, ["reconcile", "--date", DAY.isoformat()], env=env)
    assert balanced.exit_code == 0, balanced.output
    assert "平账" in balanced.output and "[3202]" in balanced.output
    with sqlite3.connect(settings.state_dir / "journal.sqlite") as books:
        books.execute("DELETE FROM journal WHERE infno = '2102' AND msgid = (SELECT MIN(msgid) FROM journal)")
    unbalanced = CliRunner().invoke(main, ["reconcile", "--date", DAY.isoformat()], env=env)
    assert unbalanced.exit_code == 1, unbalanced.output
    assert "仅平台有" in unbalanced.output
