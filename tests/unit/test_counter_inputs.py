"""What the counter reads from files and images: cart JSON parsed exactly, bad shapes refused with a code,
the insurance code picked out of an image that also shows other codes."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest
from PIL import Image

from pos_plugin.cli.counter import read_cart
from pos_plugin.credentials import read_credential
from pos_plugin.domain.errors import DomainError, InvalidAmount
from pos_plugin.domain.money import parse_amount, parse_decimal
from pos_plugin.errors import InputError, NotAnInsuranceCode, PosError
from pos_plugin.lab.scanner import synth


def cart_file(tmp_path: Path, text: str, *, bom: bool = False) -> Path:
    path = tmp_path / "cart.json"
    path.write_text(("\ufeff" if bom else "") + text, encoding="utf-8")
    return path


def test_json_numbers_in_a_cart_are_read_exactly_not_through_float(tmp_path):
    # 16 significant digits: as a float this becomes 9999999999.999998, a different price
    lines = read_cart(cart_file(tmp_path, '[{"code": "X", "class": "A", "qty": 1, "price": 9999999999.999999}]'))
    assert lines[0].price == D("9999999999.999999")
    lines = read_cart(cart_file(tmp_path, '[{"code": "X", "qty": 0.1, "price": 12.345}]'))
    assert (lines[0].qty, lines[0].price) == (D("0.1"), D("12.345"))


def test_a_price_with_more_places_than_allowed_is_refused_even_when_a_float_would_hide_them(tmp_path):
    with pytest.raises(DomainError) as info:  # float(12.3400000000000001) == 12.34
        read_cart(cart_file(tmp_path, '[{"code": "X", "qty": 1, "price": 12.3400000000000001}]'))
    assert info.value.code == "ERR_INVALID_CART"


@pytest.mark.parametrize("text", ['[1, 2]', '["D1"]', '{"lines": [null]}', '[[1, "2.00"]]'])
def test_cart_lines_that_are_not_objects_are_refused_with_a_code(tmp_path, text):
    with pytest.raises((PosError, DomainError)) as info:
        read_cart(cart_file(tmp_path, text))
    assert info.value.code in ("ERR_INPUT", "ERR_INVALID_CART")
    assert "商品行" in info.value.message


@pytest.mark.parametrize("text", ['{"lines": []}', '"abc"', '{"items": [1]}', '42'])
def test_cart_files_without_lines_are_refused(tmp_path, text):
    with pytest.raises(InputError):
        read_cart(cart_file(tmp_path, text))


def test_a_cart_saved_with_a_utf8_bom_is_read(tmp_path):
    """Windows Notepad writes a BOM; the cart is still the cart."""
    lines = read_cart(cart_file(tmp_path, '[{"code": "X", "name": "阿莫西林", "price": "1.00"}]', bom=True))
    assert lines[0].name == "阿莫西林"


@pytest.mark.parametrize("value", [10**40, D("1E+400"), "100000000000000000000000000000", 10**22])
def test_numbers_too_large_for_the_money_context_are_refused_not_crashed(value):
    with pytest.raises(InvalidAmount):
        parse_decimal(value, places=6, field="price")
    if value != 10**22:  # 22 digits + 2 places still fit the 28-digit context as an amount
        with pytest.raises(InvalidAmount):
            parse_amount(value)


def test_huge_quantity_in_a_cart_is_a_cart_error(tmp_path):
    with pytest.raises(DomainError) as info:
        read_cart(cart_file(tmp_path, '[{"code": "X", "qty": 1000000000000000000000000000000, "price": "1.00"}]'))
    assert info.value.code == "ERR_INVALID_CART"


def side_by_side(*images: Image.Image) -> Image.Image:
    width = sum(im.width for im in images) + 40 * (len(images) + 1)
    canvas = Image.new("L", (width, max(im.height for im in images) + 80), 255)
    x = 40
    for im in images:
        canvas.paste(im.convert("L"), (x, 40))
        x += im.width + 40
    return canvas


def test_the_insurance_code_is_taken_even_when_another_code_is_in_the_picture(tmp_path):
    code = synth.ecode(7)
    path = tmp_path / "counter.png"
    side_by_side(synth.ean13_image(synth.ean13("690123456789")), synth.qr_image(code)).save(path)
    credential = read_credential(path, None, "")
    assert (credential.kind, credential.value) == ("ecode", code)


def test_an_image_with_only_a_payment_code_is_refused_plainly(tmp_path):
    path = tmp_path / "wechat.png"
    synth.qr_image("134567890123456789").save(path)
    with pytest.raises(NotAnInsuranceCode) as info:
        read_credential(path, None, "")
    assert "付款码" in info.value.message


def test_two_different_insurance_codes_in_one_picture_are_refused(tmp_path):
    path = tmp_path / "two.png"
    side_by_side(synth.qr_image(synth.ecode(1)), synth.qr_image(synth.ecode(2))).save(path)
    with pytest.raises(InputError) as info:
        read_credential(path, None, "")
    assert "多个" in info.value.message


def test_an_image_without_any_code_and_a_file_that_is_not_an_image(tmp_path):
    blank = tmp_path / "blank.png"
    Image.new("L", (200, 200), 255).save(blank)
    with pytest.raises(InputError):
        read_credential(blank, None, "")
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"not an image at all")
    with pytest.raises(PosError) as info:
        read_credential(junk, None, "")
    assert info.value.code.startswith("ERR_")
