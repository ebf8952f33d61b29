"""What the patient shows, read at any front end: typed or scanner-wedge text, or a camera image of the
e-voucher. Shared by the `pos-plugin` commands and the local agent (which receives uploaded images)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pos_plugin.checkout.identify import Credential, credential_from_text
from pos_plugin.errors import InputError, NotAnInsuranceCode
from pos_plugin.qr import decode_image
from pos_plugin.qr.image import ImageSource


def read_credential(image: Path | None, code: str | None, certno: str) -> Credential:
    """The credential from a camera image (scanned) or typed/wedge text."""
    if image is not None and code:
        raise InputError("请只提供一种凭证：图片或 --code")
    if image is not None:
        return credential_in_image(image, certno, label=str(image))
    if code:
        return credential_from_text(code, certno=certno)
    raise InputError("请提供电子凭证图片，或用 --code 输入凭证")


def credential_in_image(image: ImageSource, certno: str = "", *, label: str = "图片") -> Credential:
    """The one insurance credential among the codes in the picture (a phone screen may also show a
    barcode or a payment code); none is refused as the first code's kind, two different ones are refused."""
    return credential_among(decode_image(image), certno, label=label)


def credential_among(codes: Sequence[str], certno: str = "", *, label: str = "图片") -> Credential:
    """The one insurance credential among decoded codes (see `credential_in_image`)."""
    if not codes:
        raise InputError(f"图片中没有识别到二维码或条码: {label}")
    found: list[Credential] = []
    for text in codes:
        try:
            found.append(credential_from_text(text, certno=certno))
        except NotAnInsuranceCode:
            continue
    if not found:
        return credential_from_text(codes[0], certno=certno)  # raises, naming what the code is
    if len(set(found)) > 1:
        raise InputError(f"图片中有多个医保凭证，请只出示一个: {label}")
    return found[0]
