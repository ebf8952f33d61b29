"""The sales upload from the till: every settled sale is uploaded (3505) with its boxes' codes, every
revoke or refund as a return (3506); a failed upload never undoes the sale, stays pending in the journal,
is listed at day end and sent again by `recover`, once."""

from __future__ import annotations

from typing import Any

import pytest
from e2e_world import scenario

from pos_plugin.catalogue import resolve_cart, sync_catalogue
from pos_plugin.checkout.identify import Credential, identify
from pos_plugin.checkout.sale import Order

BOX = "81234567890123456700"


@pytest.fixture
def shop(admin: Any, make_terminal: Any) -> Any:
    scen = scenario("own-account-covers-everything")
    scen["catalogue"] = [{"code": "T100", "name": "须追溯药", "class": "A", "traced": True}]
    admin.load_world(scen)
    terminal = make_terminal(scen)
    sync_catalogue(terminal.client, terminal.catalogue)
    patient = identify(terminal.client, Credential("id_card", scen["people"][0]["certno"]))
    return admin, terminal, patient, scen["institution"]["code"]


def sell(terminal: Any, patient: Any) -> Any:
    lines = resolve_cart([{"code": "T100", "qty": "1", "price": "20.00", "trace_codes": [BOX]},
                          {"code": "D4001", "class": "A", "qty": "2", "price": "28.40"}], terminal.catalogue,
                         "2026-04-20")
    return terminal.till.checkout(patient, Order(lines), confirm=lambda quote: True)


def test_a_sale_and_its_revoke_are_uploaded_once_each(shop: Any):
    admin, terminal, patient, code = shop
    booked = sell(terminal, patient)
    terminal.till.revoke(booked.sale_id)
    assert terminal.till.uploads.pending() == []
    report = admin.uploads(code)
    assert report["sales_not_uploaded"] == [] and report["returns_not_uploaded"] == []
    assert sorted((u["kind"], u["med_list_codg"], tuple(u["trace_codes"])) for u in report["uploads"]) == [
        ("return", "D4001", ()), ("return", "T100", (BOX,)), ("sale", "D4001", ()), ("sale", "T100", (BOX,))]
    assert terminal.till.uploads.pending() == []


def test_a_failed_upload_keeps_the_sale_and_is_sent_again_by_recover(shop: Any):
    admin, terminal, patient, code = shop
    admin.arm_fault("3505", "error", count=5, message="进销存接口维护中")
    booked = sell(terminal, patient)
    assert booked.sale.settlement is not None and terminal.till.settled(booked.sale_id).state == "settled"
    assert [(p.setl_id, p.infno) for p in terminal.till.uploads.pending()] == [(booked.sale_id, "3505")]
    assert admin.uploads(code)["sales_not_uploaded"] == [booked.sale_id]
    admin.clear_faults()
    recovered = terminal.till.recover()
    assert (recovered.uploads_sent, recovered.uploads_pending) == (1, 0)
    assert terminal.till.recover().uploads_sent == 0  # nothing left: never sent twice
    report = admin.uploads(code)
    assert report["sales_not_uploaded"] == [] and len([u for u in report["uploads"] if u["kind"] == "sale"]) == 2


def test_recover_queues_the_upload_of_a_sale_booked_just_before_a_crash(shop: Any):
    """kill -9 after the sale book recorded the sale, before its upload was queued (the soak's sale_recorded):
    nothing is pending, yet the platform lacks the sale; recover queues and sends it, once."""
    admin, terminal, patient, code = shop
    uploads, terminal.till.uploads = terminal.till.uploads, None  # the crash: the queue never saw the sale
    booked = sell(terminal, patient)
    terminal.till.uploads = uploads
    assert uploads.pending() == [] and admin.uploads(code)["sales_not_uploaded"] == [booked.sale_id]
    recovered = terminal.till.recover()
    assert (recovered.uploads_sent, recovered.uploads_pending) == (1, 0)
    assert admin.uploads(code)["sales_not_uploaded"] == []
    assert terminal.till.recover().uploads_sent == 0
    assert len([u for u in admin.uploads(code)["uploads"] if u["kind"] == "sale"]) == 2  # two lines, once each


def test_recover_books_a_revoke_the_sale_book_missed_and_uploads_its_return(shop: Any):
    """kill -9 after the revoke's reply was journaled, before the sale book was marked (reply_recorded): the sale
    book still says settled; recover marks it revoked from the journal and uploads the return (3506) once."""
    admin, terminal, patient, code = shop
    booked = sell(terminal, patient)
    uploads, terminal.till.uploads = terminal.till.uploads, None
    terminal.till.revoke(booked.sale_id)
    terminal.till.uploads = uploads
    with terminal.sales.db.immediate() as conn:  # the crash: the sale book never heard of the revoke
        conn.execute("UPDATE sales SET state = 'settled' WHERE setl_id = ?", (booked.sale_id,))
    assert admin.uploads(code)["returns_not_uploaded"] == [booked.sale_id]
    recovered = terminal.till.recover()
    assert terminal.sales.get(booked.sale_id).state == "revoked"
    assert (recovered.uploads_sent, recovered.uploads_pending) == (1, 0)
    assert admin.uploads(code)["returns_not_uploaded"] == []
    assert terminal.till.recover().uploads_sent == 0
