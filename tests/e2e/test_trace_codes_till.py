"""Traceability codes end to end: the till sends one code per box, a second sale of the same box is refused
by the platform and changes nothing, a revoke frees the box, the till refuses a traced drug without its
codes before anything is sent, and one camera frame gives both the e-voucher and the box's barcode."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from e2e_world import scenario
from PIL import Image

from pos_plugin.catalogue import resolve_cart, sync_catalogue
from pos_plugin.catalogue.cart import TraceCodesMissing
from pos_plugin.checkout.identify import Credential, identify
from pos_plugin.checkout.sale import Order
from pos_plugin.domain.errors import InvalidCartLine
from pos_plugin.errors import BusinessError
from pos_plugin.lab.sim_admin import SimulatorAdmin
from pos_plugin.qr import classify, decode_image
from pos_plugin.qr.classify import CodeKind

BOX1, BOX2 = "81234567890123456781", "81234567890123456782"


@pytest.fixture
def shop(sim_url: str, make_terminal: Any) -> Any:
    scen = scenario("own-account-covers-everything")
    scen["catalogue"] = [{"code": "T100", "name": "须追溯药", "class": "A", "traced": True}]
    admin = SimulatorAdmin(sim_url)
    admin.reset()
    handles = admin.load_world(scen)["handles"]
    terminal = make_terminal(scen)
    sync_catalogue(terminal.client, terminal.catalogue)
    patient = identify(terminal.client, Credential("id_card", scen["people"][0]["certno"]))
    yield admin, terminal, patient, handles
    admin.close()


def sell(terminal: Any, patient: Any, *codes: str) -> Any:
    lines = resolve_cart([{"code": "T100", "qty": str(len(codes) or 1), "price": "20.00", "trace_codes": list(codes)}],
                         terminal.catalogue, "2026-04-20")
    return terminal.till.checkout(patient, Order(lines), confirm=lambda quote: True)


def test_a_box_sold_twice_is_refused_end_to_end_and_a_revoke_frees_it(shop: Any):
    admin, terminal, patient, _ = shop
    first = sell(terminal, patient, BOX1, BOX2)
    assert first.sale.settlement is not None
    before = admin.balances()
    with pytest.raises(BusinessError) as refused:
        sell(terminal, patient, BOX2)
    assert refused.value.platform_code == "ERR_TRACE_CODE_SOLD"
    assert admin.balances() == before
    terminal.till.revoke(first.sale_id)
    again = sell(terminal, patient, BOX2)
    assert again.sale.settlement is not None


def test_a_refund_keeps_the_kept_boxes_sold_and_frees_the_returned_ones(shop: Any):
    admin, terminal, patient, _ = shop
    lines = resolve_cart([{"code": "T100", "qty": "1", "price": "20.00", "trace_codes": [BOX1]},
                          {"code": "OTC1", "class": "C", "qty": "1", "price": "5.00"}], terminal.catalogue,
                         "2026-04-20")
    booked = terminal.till.checkout(patient, Order(lines), confirm=lambda quote: True)
    refunded = terminal.till.refund(booked.sale_id, patient, ["OTC1"], confirm=lambda quote: True)
    assert refunded.new is not None and refunded.new.sale.quote.order.lines[0].trace_codes == (BOX1,)
    with pytest.raises(BusinessError) as refused:
        sell(terminal, patient, BOX1)
    assert refused.value.platform_code == "ERR_TRACE_CODE_SOLD"


def test_a_traced_drug_without_its_codes_is_refused_at_the_till(shop: Any):
    _, terminal, _, _ = shop
    with pytest.raises(TraceCodesMissing):
        resolve_cart([{"code": "T100", "qty": "2", "price": "20.00"}], terminal.catalogue, "2026-04-20")
    with pytest.raises(InvalidCartLine, match="一盒一码"):
        resolve_cart([{"code": "T100", "qty": "2", "price": "20.00", "trace_codes": [BOX1]}], terminal.catalogue,
                     "2026-04-20")
    with pytest.raises(TraceCodesMissing):
        resolve_cart([{"code": "T100", "class": "A", "qty": "1", "price": "20.00"}], terminal.catalogue, "2026-04-20")


def _code128(text: str) -> Image.Image:
    view = memoryview(zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.Code128).to_image(scale=3))
    return Image.frombytes("L", (view.shape[1], view.shape[0]), bytes(view))


def test_one_camera_frame_gives_the_evoucher_and_the_box_code(shop: Any, tmp_path: Path):
    admin, _, _, handles = shop
    code, png = admin.evoucher(handles["zhao"])
    qr_path = tmp_path / "qr.png"
    qr_path.write_bytes(png)
    qr = Image.open(qr_path).convert("L")
    bar = _code128(BOX1)
    frame = Image.new("L", (qr.width + bar.width + 120, max(qr.height, bar.height) + 80), 255)
    frame.paste(qr, (40, 40))
    frame.paste(bar, (qr.width + 80, 40 + (qr.height - bar.height) // 2))
    frame_path = tmp_path / "frame.png"
    frame.save(frame_path)
    kinds = {classify(text).kind: classify(text).text for text in decode_image(frame_path)}
    assert kinds[CodeKind.ECODE] == code and kinds[CodeKind.TRACE] == BOX1

