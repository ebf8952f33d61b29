"""The zxing-cpp adapter (optional, the `fast` extra): the only module that imports zxingcpp.

zxing-cpp finds rotated, inverted and downscaled codes by itself and is several times faster than
zbar on camera frames, so when it is installed the decoder gives it one first pass over the frame and
falls back to the zbar pipeline only when it finds nothing. Everything works without it.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

from pos_plugin.qr.frame import GrayFrame

FORMATS = "QRCode,EAN13,EAN8,UPCA,UPCE,Code128"  # the same symbologies as zbar.SYMBOLOGIES
QR_ONLY = "QRCode"  # the retries look for e-vouchers only: a QR-only search costs a quarter of all six
# zxing-cpp's own extra searches: 1-D codes turned 90 degrees, light-on-dark symbols, a downscaled pyramid.
# Each re-reads the whole frame (on a 720p frame they cost twice the plain read of every symbology), so
# the decoder's first pass turns them off (`plain=True`) and asks for them only when that pass finds nothing.
_PLAIN = {"try_rotate": False, "try_invert": False, "try_downscale": False}


def available() -> bool:
    """True when zxing-cpp imports (installed and loadable)."""
    return _module() is not None


def _module() -> ModuleType | None:
    try:
        return importlib.import_module("zxingcpp")
    except ImportError:  # not installed (the `fast` extra is optional) or a broken install
        return None


def decode(frame: GrayFrame, formats: str = FORMATS, *, plain: bool = False) -> list[str]:
    """Every code zxing-cpp finds, top to bottom then left to right, each text once; [] if not installed.
    `plain`: the frame as it is only (upright 1-D codes, dark on light, full resolution: no extra searches)."""
    zxingcpp = _module()
    if zxingcpp is None:
        return []
    view = memoryview(frame.pixels).cast("B", (frame.height, frame.width))
    options = _PLAIN if plain else {}
    found = list(zxingcpp.read_barcodes(view, formats=zxingcpp.barcode_formats_from_str(formats), **options))
    found.sort(key=_top_left)
    return list(dict.fromkeys(result.text for result in found if result.text))


Box = tuple[int, int, int, int]  # left, top, right, bottom


def decode_with_candidates(frame: GrayFrame, formats: str = FORMATS) -> tuple[list[str], list[Box]]:
    """Like `decode`, plus the boxes of symbols zxing-cpp found but could not decode (a covered finder
    pattern, a checksum error): where another decoder may still succeed. No boxes on old zxing-cpp."""
    zxingcpp = _module()
    if zxingcpp is None:
        return [], []
    view = memoryview(frame.pixels).cast("B", (frame.height, frame.width))
    wanted = zxingcpp.barcode_formats_from_str(formats)
    try:
        found = list(zxingcpp.read_barcodes(view, formats=wanted, return_errors=True))
    except TypeError:  # zxing-cpp before 2.2 has no return_errors
        found = list(zxingcpp.read_barcodes(view, formats=wanted))
    good = sorted((r for r in found if r.text and getattr(r, "valid", True)), key=_top_left)
    boxes = [_box(r.position) for r in found if not (r.text and getattr(r, "valid", True))]
    return list(dict.fromkeys(r.text for r in good)), boxes


def _box(position: Any) -> Box:
    corners = (position.top_left, position.top_right, position.bottom_left, position.bottom_right)
    xs, ys = [int(c.x) for c in corners], [int(c.y) for c in corners]
    return min(xs), min(ys), max(xs), max(ys)


def _top_left(result: Any) -> tuple[int, int]:
    corner = result.position.top_left
    return (int(corner.y), int(corner.x))
