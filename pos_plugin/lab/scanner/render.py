"""The segno adapter: render a string as a QR code PNG (the e-voucher a patient's phone shows).

Used by the test-image generator (synth.py); the only module of the plugin that imports segno. (The
scenario runner and the demo scan the PNG the simulator's admin API renders.)
"""

from __future__ import annotations

import io

import segno


def qr_png(text: str, *, scale: int = 8, border: int = 4, error: str = "m") -> bytes:
    """PNG bytes of `text` as a QR code: dark modules on white, `scale` pixels per module."""
    buffer = io.BytesIO()
    segno.make_qr(text, error=error).save(buffer, kind="png", scale=scale, border=border)
    return buffer.getvalue()
