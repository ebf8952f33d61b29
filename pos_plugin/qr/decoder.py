"""Decode every code in an image: an optional zxing-cpp first pass, then the zbar retry pipeline.

    scan_image(source) -> ScanResult(codes, step)     which step found them, for tests and measurement
    decode_image(source) -> list[str]                 just the texts

`source` is a file path, the raw bytes of an image file, or a Pillow image. Errors are `ScanError`s
(pos_plugin.qr.errors): ImageNotFound, ImageUnreadable, ImageTooLarge, DecoderMissing. Finding nothing
is not an error: the result is empty.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pos_plugin.qr import image, zbar, zxing
from pos_plugin.qr.image import DEFAULT_LIMITS, STEPS, ImageSource, Limits

FAST_STEP = "zxing"


@dataclass(frozen=True)
class ScanResult:
    codes: tuple[str, ...]
    step: str | None  # "zxing" or a pipeline step (image.STEPS) that found the codes; None if none did


def scan_image(
    source: ImageSource,
    *,
    fast: bool | None = None,
    steps: Sequence[str] = STEPS,
    limits: Limits = DEFAULT_LIMITS,
) -> ScanResult:
    """Decode every code in `source`, stopping at the first pass that finds any.

    `fast`: give zxing-cpp a first pass (None = when it is installed; False = zbar only). `steps`: the
    zbar pipeline, in order (tests drop one step to show what it rescues). zbar is required either way.
    """
    unknown = [step for step in steps if step not in STEPS]
    if unknown:
        raise ValueError(f"unknown decode steps {unknown}; known: {list(STEPS)}")
    zbar.load_pyzbar()  # a missing zbar is reported the same way whatever the image
    gray = image.load_gray(source, limits)
    if (zxing.available() if fast is None else fast):
        codes = zxing.decode(image.to_frame(gray))
        if codes:
            return ScanResult(tuple(codes), FAST_STEP)
    for step in steps:
        for frame in image.variants(step, gray):
            codes = zbar.decode(frame)
            if codes:
                return ScanResult(tuple(codes), step)
    return ScanResult((), None)


def decode_image(
    source: ImageSource, *, fast: bool | None = None, limits: Limits = DEFAULT_LIMITS
) -> list[str]:
    """The text of every code in `source` (top to bottom, left to right), or [] if none is found."""
    return list(scan_image(source, fast=fast, limits=limits).codes)
