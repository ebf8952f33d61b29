"""The till's books after a crash or a lost reply (issue 12, C1-C4): the sale book, the journal and the
platform agree, against a real simulator over HTTP with faults armed through its admin API."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest
from click.testing import CliRunner
from e2e_world import scenario

from pos_plugin import dayend
from pos_plugin.checkout.identify import Credential, identify
from pos_plugin.checkout.sale import Order
from pos_plugin.cli import main
from pos_plugin.domain.cart import cart_line_from_mapping
from pos_plugin.errors import InputError, NotSettled, UnknownOutcome
from pos_plugin.journal import CONFIRMED, REVERSED
from pos_plugin.journal.store import REVOKES

DAY = date(2026, 4, 20)  # the own-account scenario's platform date


@pytest.fixture
def shop(admin, make_terminal):
    scen = scenario("own-account-covers-everything")
    admin.load_world(scen)
    terminal = make_terminal(scen)
    patient = identify(terminal.client, Credential("id_card", scen["people"][0]["certno"]))
    order = Order(tuple(cart_line_from_mapping(line) for line in scen["checkout"]["lines"]))
    return terminal, patient, order


def cli(terminal, *args):
    s = terminal.settings
    env = {"YIBAO_PLATFORM": s.platform_url, "YIBAO_INSTITUTION": s.fixmedins_code,
           "YIBAO_INSTITUTION_NAME": s.fixmedins_name, "YIBAO_ADMDVS": s.admdvs, "YIBAO_STATE_DIR": str(s.state_dir),
           "YIBAO_POLICY": s.policy if isinstance(s.policy, str) else "national-default"}
    return CliRunner().invoke(main, list(args), env=env)


def lost_revoke(terminal, sale):
    """A revoke whose reply is lost after the platform committed it, and the till dies before resolving it
    (the raw client sends it: no guard resolves the loss at once)."""
    with pytest.raises(UnknownOutcome) as lost:
        terminal.client.pharmacy_revoke(setl_id=sale.setl_id, mdtrt_id=sale.settlement.mdtrt_id,
                                        psn_no=sale.quote.patient.psn_no, insuplc=sale.quote.patient.insuplc)
    return lost.value.msgid


# --- C1: charged, then the till died before booking --------------------------------------------------
def test_a_charged_sale_the_sale_book_lacks_is_booked_by_recover_with_a_receipt(shop, admin):
    terminal, patient, order = shop
    sale = terminal.counter.checkout(patient, order, lambda quote: True)  # replied; the crash is before booking
    with pytest.raises(InputError, match="本机没有结算号"):
        terminal.till.receipt(sale.setl_id)

    shown = cli(terminal, "recover")
    assert shown.exit_code == 0, shown.output
    assert f"[booked] 结算 {sale.setl_id} 已扣款但本机未入账" in shown.output
    assert "请补打小票，不要重新收费" in shown.output
    assert shown.output.strip().splitlines()[-1] == "已处理 1 笔，仍待处理 0 笔"  # booked: nothing left pending
    reprint = terminal.till.receipt(sale.setl_id)
    assert f"结算号: {sale.setl_id}" in reprint and "补记" in reprint
    assert sale.quote.order.lines[0].name in reprint
    assert cli(terminal, "recover").output.count("[booked]") == 0  # booked once, not again

    after_sale = admin.balances()
    revoked = terminal.till.revoke(sale.setl_id)  # the booked sale can be given back by its id
    assert revoked.settlement is not None and admin.balances() != after_sale
    assert terminal.journal.unbooked_settlements() == []


# --- C2: a revoke confirmed later through 5203 --------------------------------------------------------
def test_a_revoke_confirmed_through_5203_is_booked_with_the_revocations_id_and_time(shop, admin):
    terminal, patient, order = shop
    booked = terminal.till.checkout(patient, order, lambda quote: True)
    admin.arm_fault("2103", "drop_after_commit")
    msgid = lost_revoke(terminal, booked.sale)

    shown = cli(terminal, "recover")
    assert shown.exit_code == 0 and "[confirmed]" in shown.output, shown.output
    row = terminal.journal.get(msgid)
    platform = {s["setl_id"]: s for s in admin._call("GET", "/admin/settlements")["settlements"]}
    original = platform[booked.setl_id]
    assert original["status"] == "revoked"
    assert row.state == CONFIRMED and row.setl_id == original["revoke_setl_id"] and row.setl_id != booked.setl_id
    assert row.setl_time == original["revoked_at"]
    assert terminal.sales.get(booked.sale_id).state == "revoked"  # the sale book follows
    assert "已撤销" in terminal.till.receipt(booked.sale_id)

    report = dayend.reconcile(terminal.client, terminal.journal, DAY, refd_setl_flag="1")
    assert report.balanced, dayend.render_report(report)
    detail = dayend.recon_records(terminal.journal, DAY, DAY, clr_type=row.clr_type, setl_optins=row.clr_optins,
                                  refd_setl_flag="1")
    assert {r.setl_id for r in detail} == {booked.setl_id, row.setl_id} and all(r.setl_id for r in detail)


# --- C3: a second revoke of an already revoked settlement ---------------------------------------------
def test_a_second_revoke_is_refused_at_the_till_and_never_confirmed(shop, admin):
    terminal, patient, order = shop
    booked = terminal.till.checkout(patient, order, lambda quote: True)
    admin.arm_fault("2103", "drop_after_commit")
    first = lost_revoke(terminal, booked.sale)
    admin.arm_fault("2103", "http500")  # the second's answer is lost too (the platform would have refused it)
    second = lost_revoke(terminal, booked.sale)  # sent again while the first's outcome was unknown
    after_revoke = admin.balances()

    resolutions = {r.msgid: r for r in terminal.recovery.recover()}
    assert resolutions[first].outcome == "confirmed"
    assert resolutions[second].outcome == "reversed" and "已由另一笔撤销" in resolutions[second].message
    assert terminal.journal.get(second).state == REVERSED
    answered = [e for e in terminal.journal.entries() if e.infno in REVOKES and e.orig_setl_id == booked.setl_id]
    assert [e.msgid for e in answered] == [first]  # one revoke for one settlement
    assert admin.balances() == after_revoke

    with pytest.raises(InputError, match="已撤销"):
        terminal.till.revoke(booked.sale_id)
    shown = cli(terminal, "revoke", booked.sale_id)
    assert shown.exit_code == 2 and "已撤销结算" not in shown.output and "已撤销" in shown.output


def test_a_revoke_of_a_settlement_revoked_elsewhere_is_not_confirmed(shop, admin):
    """The platform names the revocation's msgid: a revoke that was refused is not read as the one that did it."""
    terminal, patient, order = shop
    booked = terminal.till.checkout(patient, order, lambda quote: True)
    terminal.counter.revoke(booked.sale)
    with sqlite3.connect(terminal.journal.db.path) as books:  # revoked where this journal cannot see it
        assert books.execute("DELETE FROM journal WHERE infno = '2103'").rowcount == 1
        books.execute("UPDATE sales SET state = 'settled'")
    admin.arm_fault("2103", "http500")
    with pytest.raises(NotSettled, match="已由另一笔撤销"):
        terminal.till.revoke(booked.sale_id)
    [row] = [e for e in terminal.journal.entries(states=(REVERSED,)) if e.infno in REVOKES]
    assert row.orig_setl_id == booked.setl_id


# --- C4: day end with every sale of a group revoked ----------------------------------------------------
def test_day_end_balances_when_every_sale_of_the_group_was_revoked(shop, admin):
    terminal, patient, order = shop
    for _ in range(2):
        terminal.till.revoke(terminal.till.checkout(patient, order, lambda quote: True).sale_id)
    report = dayend.reconcile(terminal.client, terminal.journal, DAY)
    assert report.balanced, dayend.render_report(report)
    assert [c.totals.count for c in report.totals] == [0]
    assert "无明细可上传" in dayend.render_report(report)
    shown = cli(terminal, "reconcile", "--date", DAY.isoformat())
    assert shown.exit_code == 0 and "平账" in shown.output, shown.output
    refunds = dayend.reconcile(terminal.client, terminal.journal, DAY, refd_setl_flag="1")
    assert refunds.balanced and [c.totals.count for c in refunds.totals] == [4]
