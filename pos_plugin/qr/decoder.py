"""Decode every code in an image: zxing-cpp over the frame and a few variants of it when installed
(the `fast` extra), then zbar; without zxing-cpp the whole zbar retry pipeline.

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
from pos_plugin.qr.image import DEFAULT_LIMITS, FAST_STEPS, STEPS, ImageSource, Limits

FAST_STEP = "zxing"  # the first pass; a retry on a variant is reported as "zxing-<variant>"


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

    `fast`: use zxing-cpp when it is installed (False = zbar only). With it: zxing-cpp on the
    frame (every symbology), then on each of image.FAST_STEPS (QR only), then one zbar pass (at half
    size on a large frame, else as loaded) for what zxing-cpp cannot read (a thumb over a finder
    pattern). That bounds the cost of a frame with no code at all. Without it: the zbar pipeline
    `steps`, in order (tests drop one step to show what it rescues). zbar is required either way.
    """
    unknown = [step for step in steps if step not in STEPS]
    if unknown:
        raise ValueError(f"unknown decode steps {unknown}; known: {list(STEPS)}")
    zbar.load_pyzbar()  # a missing zbar is reported the same way whatever the image
    gray = image.load_gray(source, limits)
    if fast is not False and zxing.available():  # fast=True without zxing-cpp: the zbar pipeline
        codes = zxing.decode(image.to_frame(gray))
        if codes:
            return ScanResult(tuple(codes), FAST_STEP)
        for step in FAST_STEPS:
            variant = image.fast_variant(step, gray)
            codes = zxing.decode(image.to_frame(variant), zxing.QR_ONLY) if variant is not None else []
            if codes:
                return ScanResult(tuple(codes), f"{FAST_STEP}-{step}")
        last = "half" if image.is_large(gray) else "raw"
        steps = tuple(step for step in steps if step == last)
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
