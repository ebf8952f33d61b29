"""Classify a decoded string or scanner-wedge text: which kind of code did the cashier just scan?

Pure: standard library only (no Pillow, no pyzbar; the traceability-code form from the equally pure
pos_plugin/domain/trace.py), no clock, no I/O. The same function serves a
string decoded from an image and the text a handheld scanner "types" into the till (which may carry a
trailing CR/LF, spaces, control characters or full-width digits from a Chinese input method).

Rules, applied in this order to the normalized text (see `normalize`):

``ecode``    the e-voucher (医保电子凭证): exactly 28 digits = 22 random digits + the 6-digit insured
             area code, whose first two digits are a valid province code (GB/T 2260).
``id_card``  an 18-character resident ID number (GB 11643): 17 digits + a check character (digit or
             X, a lowercase x is accepted and upper-cased), valid province code, a real birth date
             (year 1900-2099) and the ISO 7064 MOD 11-2 check character verified.
``payment``  a WeChat Pay payment code: 18 digits starting 10-15; an Alipay payment code: 16-24 digits
             starting 25-30. An 18-digit string starting 11-15 that is a fully valid ID number is an
             ID number (it passes province, birth date and checksum: random digits do so ~1 in 20,000).
``product``  an EAN-13, UPC-A (12 digits) or EAN-8 barcode whose check digit is verified.
``trace``    a drug traceability code (药品追溯码) on a box: 20 digits starting with 8, or a GS1 element
             string with (01) GTIN-14 and (21) serial (pos_plugin/domain/trace.py). It goes on the sale
             line of that box (`trace_codes`), never to the platform as a credential.
``ss_card``  a social security card number (社会保障卡卡号, the `card_sn` of mdtrt_cert_type 03). The
             national card's number is 9 characters; the rule both programs follow (docs/protocol.md):
             exactly one capital letter then 8 digits (``A12345678``), the form the simulator issues.
             Lowercase input is upper-cased.
``other``    anything else: URLs, near misses (an ID number with a bad check character, a 13-digit
             number with a bad EAN check digit, 28 digits with an invalid area code) and free text.

Only ecode, id_card and ss_card are insurance credentials (mdtrt_cert_type 01/02/03); every other
kind carries a plain message saying it is not a 医保电子凭证 and must not be sent to the platform.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from pos_plugin.domain.trace import canonical_trace_code, trace_code_form


class CodeKind(StrEnum):
    ECODE = "ecode"
    ID_CARD = "id_card"
    SS_CARD = "ss_card"
    PAYMENT = "payment"
    PRODUCT = "product"
    TRACE = "trace"
    OTHER = "other"


# GB/T 2260 province-level codes (first two digits of an area code).
PROVINCE_CODES = frozenset(
    {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
     "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
     "71", "81", "82"}
)

_CERT_TYPES = {CodeKind.ECODE: "01", CodeKind.ID_CARD: "02", CodeKind.SS_CARD: "03"}
_NOT_INSURANCE = "，不是医保电子凭证，请出示医保电子凭证"

_DIGITS = re.compile(r"^[0-9]+$")
_ID_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")
_SS_CARD = re.compile(r"^[A-Z][0-9]{8}$")
_URL = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*://|www\.)", re.ASCII)

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


@dataclass(frozen=True)
class Classification:
    """What a scanned string is. `text` is the normalized string (pass it on as is); `message` is
    Chinese, for the cashier; `subtype` refines the kind (wechat/alipay, ean13/upca/ean8, url, ...)."""

    kind: CodeKind
    text: str
    message: str
    subtype: str | None = None

    @property
    def is_insurance_credential(self) -> bool:
        return self.kind in _CERT_TYPES

    @property
    def mdtrt_cert_type(self) -> str | None:
        """01 e-voucher, 02 ID number, 03 social security card; None for anything else."""
        return _CERT_TYPES.get(self.kind)


def normalize(raw: str) -> str:
    """NFKC (full-width digits and letters become ASCII) and strip whitespace and control characters
    (CR/LF, tabs, STX/ETX framing of a scanner) from both ends. Inner characters are kept."""
    text = unicodedata.normalize("NFKC", raw)
    start, end = 0, len(text)
    while start < end and _is_padding(text[start]):
        start += 1
    while end > start and _is_padding(text[end - 1]):
        end -= 1
    return text[start:end]


def _is_padding(char: str) -> bool:
    return char.isspace() or unicodedata.category(char) in ("Cc", "Cf")


def classify(raw: str) -> Classification:
    """Classify one decoded string or one scanner-wedge line."""
    text = normalize(raw)
    if not text:
        return Classification(CodeKind.OTHER, text, "内容为空，没有识别到条码内容", "empty")
    upper = text.upper()
    if _DIGITS.match(text):
        found = _classify_digits(text)
        return found if found.is_insurance_credential else _trace(text) or found
    trace = _trace(text)
    if trace is not None:
        return trace
    if _ID_SHAPE.match(upper):
        return _classify_id_shaped(upper)
    if _SS_CARD.match(upper):
        return Classification(CodeKind.SS_CARD, upper, "社会保障卡卡号（凭证类型03）")
    if _URL.match(text):
        return Classification(CodeKind.OTHER, text, "这是网址" + _NOT_INSURANCE, "url")
    return Classification(CodeKind.OTHER, text, "无法识别的内容" + _NOT_INSURANCE)


def _trace(text: str) -> Classification | None:
    """A box's traceability code (a credential shape always wins: an e-voucher is never read as one)."""
    code = canonical_trace_code(text)
    form = trace_code_form(code)
    if form is None:
        return None
    return Classification(CodeKind.TRACE, code, "药品追溯码（一盒一码，随销售明细上传）" + _NOT_INSURANCE, form)


def _classify_digits(text: str) -> Classification:
    n = len(text)
    if n == 28:
        if text[22:24] in PROVINCE_CODES:
            return Classification(CodeKind.ECODE, text, f"医保电子凭证（参保地 {text[22:]}）")
        return Classification(
            CodeKind.OTHER, text, "28位数字，但末6位地区码无效，不是有效的医保电子凭证", "bad_area_code"
        )
    if n == 18 and is_valid_id_number(text):
        return Classification(CodeKind.ID_CARD, text, "居民身份证号码（凭证类型02）")
    payment = _payment(text)
    if payment is not None:
        return payment
    if n == 18:
        return _bad_id_number(text)
    if n in (8, 12, 13):
        return _classify_product(text)
    return Classification(CodeKind.OTHER, text, f"{n}位数字，无法识别" + _NOT_INSURANCE)


def _classify_id_shaped(text: str) -> Classification:
    if is_valid_id_number(text):
        return Classification(CodeKind.ID_CARD, text, "居民身份证号码（凭证类型02）")
    return _bad_id_number(text)


def _bad_id_number(text: str) -> Classification:
    return Classification(
        CodeKind.OTHER, text, "看起来像身份证号码，但校验不通过（校验位、地区或出生日期有误）", "bad_id_number"
    )


def _payment(digits: str) -> Classification | None:
    """WeChat Pay: 18 digits starting 10-15. Alipay: 16-24 digits starting 25-30."""
    prefix = int(digits[:2]) if len(digits) >= 2 else -1
    if len(digits) == 18 and 10 <= prefix <= 15:
        return Classification(CodeKind.PAYMENT, digits, "这是微信付款码" + _NOT_INSURANCE, "wechat")
    if 16 <= len(digits) <= 24 and 25 <= prefix <= 30:
        return Classification(CodeKind.PAYMENT, digits, "这是支付宝付款码" + _NOT_INSURANCE, "alipay")
    return None


def _classify_product(text: str) -> Classification:
    subtype = {8: "ean8", 12: "upca", 13: "ean13"}[len(text)]
    if gtin_check_digit(text[:-1]) == int(text[-1]):
        return Classification(CodeKind.PRODUCT, text, "这是商品条码" + _NOT_INSURANCE, subtype)
    return Classification(
        CodeKind.OTHER, text, f"{len(text)}位数字，像商品条码但校验位不对" + _NOT_INSURANCE, "bad_check_digit"
    )


def id_check_character(first17: str) -> str:
    """GB 11643 / ISO 7064 MOD 11-2 check character of the first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def is_valid_id_number(text: str) -> bool:
    """An 18-character resident ID number: shape, province, birth date and check character."""
    if not _ID_SHAPE.match(text) or text[:2] not in PROVINCE_CODES:
        return False
    year, month, day = int(text[6:10]), int(text[10:12]), int(text[12:14])
    if not 1900 <= year <= 2099:
        return False
    try:
        date(year, month, day)
    except ValueError:
        return False
    return id_check_character(text[:17]) == text[17]


def gtin_check_digit(body: str) -> int:
    """GS1 check digit for the digits before it (EAN-8, UPC-A, EAN-13): weights 3,1,3,... from the right."""
    total = sum(int(digit) * (3 if i % 2 == 0 else 1) for i, digit in enumerate(reversed(body)))
    return (10 - total % 10) % 10
