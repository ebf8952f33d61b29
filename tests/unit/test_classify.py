"""The pure classifier: every outcome, near misses, scanner-wedge text."""

import ast
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_plugin.qr.classify import (
    CodeKind,
    classify,
    gtin_check_digit,
    id_check_character,
    is_valid_id_number,
    normalize,
)

ROOT = Path(__file__).resolve().parents[2]
NOT_INSURANCE = "不是医保电子凭证"
ECODE = "1234567890123456789012610103"  # 22 random digits + Xi'an Beilin area code


def with_check(first17: str) -> str:
    return first17 + id_check_character(first17)


# ---- ecode -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("area", ["610103", "440106", "622901", "110101", "820000"])
def test_28_digits_with_a_province_area_code_is_an_ecode(area):
    result = classify("9" * 22 + area)
    assert result.kind is CodeKind.ECODE
    assert result.text == "9" * 22 + area
    assert result.mdtrt_cert_type == "01" and result.is_insurance_credential
    assert area in result.message


@pytest.mark.parametrize("area", ["000000", "991234", "201234", "700000", "160000"])
def test_28_digits_with_an_invalid_province_is_not_an_ecode(area):
    result = classify("1" * 22 + area)
    assert result.kind is CodeKind.OTHER
    assert result.subtype == "bad_area_code"
    assert not result.is_insurance_credential and result.mdtrt_cert_type is None


@pytest.mark.parametrize("text", [ECODE[:-1], ECODE + "0", "A" + ECODE[1:], ECODE[:10] + " " + ECODE[10:]])
def test_near_ecodes_of_the_wrong_length_or_alphabet_are_not_ecodes(text):
    assert classify(text).kind is not CodeKind.ECODE


# ---- scanner-wedge text ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        ECODE + "\r\n",
        ECODE + "\n",
        "  " + ECODE + " \t",
        "\x02" + ECODE + "\x03\r",  # STX/ETX framing some scanners add
        "１２３４５６７８９０１２３４５６７８９０１２６１０１０３",  # full-width digits (Chinese IME on)
        "\ufeff" + ECODE,
    ],
)
def test_scanner_wedge_padding_and_full_width_digits_are_normalized(typed):
    result = classify(typed)
    assert result.kind is CodeKind.ECODE
    assert result.text == ECODE


def test_blank_input_is_other_and_says_it_is_empty():
    result = classify(" \r\n")
    assert result.kind is CodeKind.OTHER and result.text == "" and result.subtype == "empty"
    assert "空" in result.message


def test_normalize_keeps_inner_characters():
    assert normalize(" a b\r\n") == "a b"


# ---- id_card ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "certno",
    ["610103195801010753", "61010319751212637X", "44010619881111563X", "622901201609122870", "110101199003074573"],
)
def test_resident_id_numbers_with_a_valid_check_character_are_id_cards(certno):
    result = classify(certno)
    assert result.kind is CodeKind.ID_CARD
    assert result.mdtrt_cert_type == "02"
    assert result.text == certno


def test_a_lowercase_x_check_character_is_accepted_and_upper_cased():
    result = classify("61010319751212637x\r\n")
    assert result.kind is CodeKind.ID_CARD and result.text == "61010319751212637X"


@pytest.mark.parametrize(
    "certno",
    [
        "610103195801010754",  # check character off by one
        "610103197512126371",  # X replaced by a digit
        "44010619881111563Y",
    ],
)
def test_an_id_number_with_a_bad_check_character_is_not_an_id_card(certno):
    result = classify(certno)
    assert result.kind is CodeKind.OTHER
    assert result.subtype in ("bad_id_number", None)
    assert not result.is_insurance_credential


def test_bad_check_character_near_miss_says_so():
    result = classify("610103195801010754")
    assert result.subtype == "bad_id_number" and "校验" in result.message


@pytest.mark.parametrize(
    "first17",
    [
        "61010319580230075",  # 30 February
        "61010318991231075",  # born 1899
        "99010319580101075",  # no province 99
        "61010319581301075",  # month 13
    ],
)
def test_an_id_number_with_an_impossible_date_or_province_is_not_an_id_card_even_with_a_good_check(first17):
    assert classify(with_check(first17)).kind is CodeKind.OTHER


def test_id_check_character_matches_gb_11643():
    assert id_check_character("11010519491231002") == "X"
    assert is_valid_id_number("11010519491231002X")
    assert not is_valid_id_number("11010519491231002x")  # classify upper-cases first; the checker does not


# ---- payment codes ---------------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["10", "11", "12", "13", "14", "15"])
def test_18_digits_starting_10_to_15_is_a_wechat_payment_code(prefix):
    text = prefix + "3456789012345670"
    assert not is_valid_id_number(text)
    result = classify(text)
    assert result.kind is CodeKind.PAYMENT and result.subtype == "wechat"
    assert "微信付款码" in result.message and NOT_INSURANCE in result.message
    assert result.mdtrt_cert_type is None


def test_a_valid_id_number_of_a_province_11_to_15_wins_over_the_wechat_shape():
    certno = with_check("11010119900307457")
    assert classify(certno).kind is CodeKind.ID_CARD
    broken = certno[:17] + ("0" if certno[17] != "0" else "1")
    assert classify(broken).kind is CodeKind.PAYMENT


@pytest.mark.parametrize("length", [16, 18, 20, 24])
@pytest.mark.parametrize("prefix", ["25", "28", "30"])
def test_16_to_24_digits_starting_25_to_30_is_an_alipay_payment_code(prefix, length):
    text = prefix + "7" * (length - 2)
    result = classify(text)
    assert result.kind is CodeKind.PAYMENT and result.subtype == "alipay"
    assert "支付宝付款码" in result.message and NOT_INSURANCE in result.message


@pytest.mark.parametrize(
    "text",
    [
        "16" + "3" * 16,  # 18 digits, prefix 16: neither WeChat nor a province
        "09" + "3" * 16,
        "25" + "7" * 13,  # 15 digits: too short for Alipay
        "31" + "7" * 14,  # 16 digits, prefix 31
        "30" + "7" * 23,  # 25 digits: too long for Alipay
        "13" + "3" * 17,  # 19 digits: too long for WeChat
    ],
)
def test_payment_near_misses_are_other(text):
    assert classify(text).kind is CodeKind.OTHER


# ---- product barcodes ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "subtype"),
    [("6901234567892", "ean13"), ("4006381333931", "ean13"), ("036000291452", "upca"), ("96385074", "ean8")],
)
def test_product_barcodes_with_a_valid_check_digit(text, subtype):
    result = classify(text)
    assert result.kind is CodeKind.PRODUCT and result.subtype == subtype
    assert "商品条码" in result.message and NOT_INSURANCE in result.message


@pytest.mark.parametrize("text", ["6901234567891", "036000291453", "96385075"])
def test_product_barcodes_with_a_bad_check_digit_are_other(text):
    result = classify(text)
    assert result.kind is CodeKind.OTHER and result.subtype == "bad_check_digit"
    assert "校验位" in result.message


def test_gtin_check_digit():
    assert gtin_check_digit("690123456789") == 2
    assert gtin_check_digit("03600029145") == 2
    assert gtin_check_digit("9638507") == 4


# ---- social security card --------------------------------------------------------------------------


@pytest.mark.parametrize("card_sn", ["A12345678", "B15668200", "D00012345"])
def test_nine_character_card_numbers_are_social_security_cards(card_sn):
    result = classify(card_sn + "\r\n")
    assert result.kind is CodeKind.SS_CARD and result.text == card_sn
    assert result.mdtrt_cert_type == "03"


def test_a_lowercase_card_number_is_upper_cased():
    assert classify("a12345678").text == "A12345678"


@pytest.mark.parametrize("text", ["A1234567", "A123456789", "AB1234567", "ABC123456", "123456789", "A1234567B", "ABCDEFGHI"])
def test_card_number_near_misses_are_other(text):
    assert classify(text).kind is CodeKind.OTHER


# ---- other -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["https://example.com/pay?x=1", "http://weixin.qq.com/r/abc", "weixin://wxpay/bizpayurl?pr=x", "www.example.com"],
)
def test_urls_are_other_and_say_they_are_not_an_insurance_code(url):
    result = classify(url)
    assert result.kind is CodeKind.OTHER and result.subtype == "url"
    assert "网址" in result.message and NOT_INSURANCE in result.message


@pytest.mark.parametrize("text", ["hello", "王建国", "12345", "610103ec" + "a" * 30])
def test_anything_else_is_other(text):
    result = classify(text)
    assert result.kind is CodeKind.OTHER
    assert NOT_INSURANCE in result.message


@given(st.text(max_size=40))
def test_classify_never_raises_and_its_text_is_stable(raw):
    result = classify(raw)
    assert classify(result.text) == result
    assert result.is_insurance_credential == (result.kind in (CodeKind.ECODE, CodeKind.ID_CARD, CodeKind.SS_CARD))


@given(st.from_regex(r"\A[0-9]{17}\Z"))
def test_an_18_digit_number_is_an_id_card_exactly_when_its_check_character_fits(first17):
    certno = with_check(first17)
    assert (classify(certno).kind is CodeKind.ID_CARD) == is_valid_id_number(certno)
    for wrong in "0123456789X":
        if wrong != certno[17]:
            assert classify(first17 + wrong).kind is not CodeKind.ID_CARD


def test_the_classifier_imports_only_the_standard_library():
    tree = ast.parse((ROOT / "pos_plugin/qr/classify.py").read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert imported, "the import scan found nothing"
    # the pure core pos_plugin/domain (itself standard library only, tests/test_layers.py) is the one exception:
    # the traceability-code form lives there so the cart and the classifier share it
    outside = {name for name in imported if not name.startswith("pos_plugin.domain.")}
    assert {name.split(".")[0] for name in outside} <= set(sys.stdlib_module_names) | {"__future__"}


def test_a_drug_boxs_traceability_code_is_classified_as_trace_never_a_credential():
    found = classify("81234567890123456789\r\n")
    assert (found.kind, found.text, found.subtype, found.is_insurance_credential) == (
        CodeKind.TRACE, "81234567890123456789", "domestic", False)
    gs1 = classify("0106901234567892" + "21SN0001\x1d10LOT7")  # a raw DataMatrix string (FNC1/GS separated)
    assert (gs1.kind, gs1.text, gs1.subtype) == (CodeKind.TRACE, "(01)06901234567892(21)SN0001", "gs1")
    assert classify("(01)06901234567891(21)SN0001").kind is CodeKind.OTHER  # bad GTIN check digit
    assert classify("71234567890123456789").kind is not CodeKind.TRACE  # 20 digits not starting with 8
    assert classify("8123456789012345678").kind is not CodeKind.TRACE  # 19 digits


def test_an_evoucher_is_never_read_as_a_traceability_code():
    # 28 digits that also parse as a raw GS1 string (01 + valid GTIN-14 + 21 + serial) stay an e-voucher
    text = "0106901234567892" + "21" + "1234" + "610103"
    assert len(text) == 28 and classify(text).kind is CodeKind.ECODE
