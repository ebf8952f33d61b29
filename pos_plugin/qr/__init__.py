"""Scanning: decode every code in an image (pyzbar, optionally zxing-cpp first) and classify it.

The only production package that imports pyzbar, zxing-cpp and Pillow (the lab's test-image generators,
pos_plugin/lab/scanner, also use Pillow). The classifier (`classify`) is pure and
also serves scanner-wedge text typed by a handheld scanner.
"""

from pos_plugin.qr.classify import Classification, CodeKind, classify, normalize
from pos_plugin.qr.decoder import ScanResult, decode_image, scan_image
from pos_plugin.qr.errors import DecoderMissing, ImageNotFound, ImageTooLarge, ImageUnreadable
from pos_plugin.qr.image import QUICK_STEPS, STEPS, Limits
from pos_plugin.qr.zxing import available as fast_decoding_available

__all__ = [
    "QUICK_STEPS",
    "STEPS",
    "Classification",
    "CodeKind",
    "DecoderMissing",
    "ImageNotFound",
    "ImageTooLarge",
    "ImageUnreadable",
    "Limits",
    "ScanResult",
    "classify",
    "decode_image",
    "fast_decoding_available",
    "normalize",
    "scan_image",
]
