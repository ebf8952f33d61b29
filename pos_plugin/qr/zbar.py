"""The pyzbar adapter: the only module that imports pyzbar.

pyzbar loads the zbar shared library when it is first imported; without it the import raises
``ImportError('Unable to find zbar shared library')``. That becomes `DecoderMissing`, whose message
says what to install. The import happens on first use (not when pos_plugin.qr is imported), so the
classifier and the rest of the plugin work on a machine without zbar.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from pos_plugin.qr.errors import DecoderMissing
from pos_plugin.qr.frame import GrayFrame

# Symbologies worth reading at a till: the e-voucher (QR), payment codes (QR or Code 128), product
# barcodes (EAN/UPC). With the rest off zbar is 2-4x faster on noisy camera frames, where every speck
# is otherwise tried as the start of a Codabar, Code 39, DataBar... symbol.
SYMBOLOGIES = ("QRCODE", "EAN13", "EAN8", "UPCA", "UPCE", "CODE128")

PYZBAR_MISSING = "缺少 Python 包 pyzbar，无法识别图片中的二维码。安装方法：pip install pyzbar"


def load_pyzbar() -> ModuleType:
    """Import `pyzbar.pyzbar` (which loads libzbar), or raise `DecoderMissing` saying what to install."""
    try:
        return importlib.import_module("pyzbar.pyzbar")
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] == "pyzbar":
            raise DecoderMissing(PYZBAR_MISSING) from exc
        raise DecoderMissing() from exc
    except (ImportError, OSError) as exc:  # no libzbar on the library path, or one that cannot load
        raise DecoderMissing() from exc


def decode(frame: GrayFrame) -> list[str]:
    """Every code zbar finds in the frame, top to bottom then left to right, each text once."""
    pyzbar = load_pyzbar()
    symbols = [pyzbar.ZBarSymbol[name] for name in SYMBOLOGIES]
    found = pyzbar.decode((frame.pixels, frame.width, frame.height), symbols=symbols)
    found.sort(key=lambda symbol: (symbol.rect.top, symbol.rect.left))
    return list(dict.fromkeys(symbol.data.decode("utf-8", errors="replace") for symbol in found))
