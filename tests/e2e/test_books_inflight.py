"""C6 and C5 of issue 12: no outcome is concluded from 5203 while a 2601 may still land; the card number
the simulator issues is the one the plugin accepts. Real simulator over HTTP, faults via its admin API."""

from __future__ import annotations

import re

from e2e_world import scenario

from pos_plugin.checkout.identify import Credential, credential_from_text, identify
from pos_plugin.checkout.sale import Order
from pos_plugin.domain.cart import cart_line_from_mapping
from pos_plugin.errors import UnknownOutcome
from pos_plugin.journal import REVERSED
from pos_plugin.journal.store import REVOKES
from pos_plugin.qr.classify import CodeKind, classify


def platform_status(admin, setl_id):
    return {s["setl_id"]: s for s in admin._call("GET", "/admin/settlements")["settlements"]}[setl_id]["status"]


def test_a_revoke_whose_2601_went_unanswered_is_resolved_by_repeating_the_2601_not_by_5203(admin, make_terminal):
    scen = scenario("own-account-covers-everything")
    admin.load_world(scen)
    terminal = make_terminal(scen)
    patient = identify(terminal.client, Credential("id_card", scen["people"][0]["certno"]))
    booked = terminal.till.checkout(patient, Order(tuple(cart_line_from_mapping(line)
                                                         for line in scen["checkout"]["lines"])), lambda q: True)
    admin.arm_fault("2103", "drop_after_commit")  # 1. the revoke committed, its reply lost
    admin.arm_fault("5203", "http500", count=3)    #    the status query fails (3 tries)
    admin.arm_fault("2601", "http500")             # 2. the 2601 that reverses it goes unanswered
    try:
        terminal.till.revoke(booked.sale_id)
        raise AssertionError("the revoke's outcome cannot be known here")
    except UnknownOutcome as lost:
        msgid = lost.msgid

    # 3. recover: 5203 would say "revoked"; the unanswered 2601 is repeated and answered first
    [resolution] = terminal.recovery.recover()
    assert resolution.outcome == "reversed", resolution.message
    # 4. the delayed 2601 lands now: harmless, and the books still agree with the platform
    terminal.client.reverse(psn_no=patient.psn_no, omsgid=msgid, oinfno="2103", insuplc=patient.insuplc)
    row = terminal.journal.get(msgid)
    assert row.state == REVERSED
    assert platform_status(admin, booked.setl_id) == "settled"
    assert terminal.sales.get(booked.sale_id).state == "settled"
    assert [e for e in terminal.journal.entries() if e.infno in REVOKES] == []  # the journal holds no revoke in effect
    again = terminal.till.revoke(booked.sale_id)  # the sale stands: revoking again works, once
    assert again.settlement is not None and platform_status(admin, booked.setl_id) == "revoked"


CARD_SN = re.compile(r"^[A-Z][0-9]{8}$")


def test_the_simulators_card_numbers_are_accepted_by_the_plugin(admin, make_terminal):
    scen = scenario("own-account-covers-everything")
    loaded = admin.load_world(scen)
    terminal = make_terminal(scen)
    person = scen["people"][0]
    card = loaded["card_sn"][person["id"]]
    assert CARD_SN.match(card), card  # one documented rule: one capital letter, 8 digits
    assert classify(card).kind is CodeKind.SS_CARD
    patient = identify(terminal.client, credential_from_text(card, certno=person["certno"]))
    assert patient.psn_no == loaded["handles"][person["id"]]
