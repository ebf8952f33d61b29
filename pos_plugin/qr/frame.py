"""A grayscale frame as the decoders take it: 8-bit pixels, row-major, no padding.

The hand-off between the Pillow adapter (image.py) and the decoder adapters (zbar.py, zxing.py), so
neither decoder adapter needs Pillow.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GrayFrame:
    pixels: bytes
    width: int
    height: int

    def __post_init__(self) -> None:
        if self.width <= 0 or self.height <= 0 or len(self.pixels) != self.width * self.height:
            raise ValueError(f"a {self.width}x{self.height} gray frame needs {self.width * self.height} bytes")
