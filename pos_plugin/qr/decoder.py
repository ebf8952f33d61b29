"""Decode every code in an image: zxing-cpp over the frame and a few variants of it when installed
(the `fast` extra), then zbar; without zxing-cpp the whole zbar retry pipeline.

    scan_image(source) -> ScanResult(codes, step)     which step found them, for tests and measurement
    decode_image(source) -> list[str]                 just the texts

`source` is a file path, the raw bytes of an image file, or a Pillow image. Errors are `ScanError`s
(pos_plugin.qr.errors): ImageNotFound, ImageUnreadable, ImageTooLarge, DecoderMissing. Finding nothing
is not an error: the result is empty.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from pos_plugin.qr import image, regions, zbar, zxing
from pos_plugin.qr.image import DEFAULT_LIMITS, FAST_STEPS, STEPS, ImageSource, Limits

FAST_STEP = "zxing"  # the plain first pass; a retry on a variant is reported as "zxing-<variant>"
FULL_STEP = "zxing-full"  # zxing-cpp's own extra searches: 1-D codes turned 90 degrees, dark mode, downscaled
CANDIDATE_STEP = "candidate"  # zbar on the region of a symbol zxing-cpp found but could not decode
REGION_STEP = "region"  # a retry on a region of a camera frame: "region-<step>" (regions.REGION_STEPS)
LOAD = "load"  # the name of the loading (and grayscale conversion) in ScanResult.tried


@dataclass(frozen=True)
class ScanResult:
    codes: tuple[str, ...]
    step: str | None  # "zxing" or a pipeline step (image.STEPS) that found the codes; None if none did
    # what it cost: ("load", ms) then (step, ms) for each pass tried, in order (for measurement, not compared)
    tried: tuple[tuple[str, float], ...] = field(default=(), compare=False, repr=False)


class _Clock:
    """The time of each pass, one after the other: `lap(step)` closes the pass that just ran."""

    def __init__(self) -> None:
        self.laps: list[tuple[str, float]] = []
        self._last = time.perf_counter()

    def lap(self, step: str) -> None:
        now = time.perf_counter()
        self.laps.append((step, (now - self._last) * 1000))
        self._last = now

    def result(self, codes: Sequence[str], step: str | None) -> ScanResult:
        return ScanResult(tuple(codes), step, tuple(self.laps))


def scan_image(
    source: ImageSource,
    *,
    fast: bool | None = None,
    steps: Sequence[str] = STEPS,
    limits: Limits = DEFAULT_LIMITS,
) -> ScanResult:
    """Decode every code in `source`, stopping at the first pass that finds any.

    `fast`: use zxing-cpp when it is installed (False = zbar only). With it, cheapest first: zxing-cpp's
    plain read of the frame (every symbology, as it is: what a clean image needs, about 1 ms on a 720p
    frame), then zxing-cpp's own extra searches (1-D codes turned 90 degrees, dark mode, a downscaled
    pyramid: twice that again), then the retries of `_fast_retries` (QR only), then zbar on the region of
    each symbol zxing-cpp found but could not decode. A camera frame with no code has no region to retry
    and never reaches zbar, which bounds its cost. Without it: the zbar pipeline
    `steps`, in order (tests drop one step to show what it rescues). zbar is required either way.
    """
    unknown = [step for step in steps if step not in STEPS]
    if unknown:
        raise ValueError(f"unknown decode steps {unknown}; known: {list(STEPS)}")
    zbar.load_pyzbar()  # a missing zbar is reported the same way whatever the image
    clock = _Clock()
    gray = image.load_gray(source, limits)
    clock.lap(LOAD)
    if fast is not False and zxing.available():  # fast=True without zxing-cpp: the zbar pipeline
        frame = image.to_frame(gray)
        codes = zxing.decode(frame, plain=True)
        clock.lap(FAST_STEP)
        if codes:
            return clock.result(codes, FAST_STEP)
        codes, candidates = zxing.decode_with_candidates(frame)
        clock.lap(FULL_STEP)
        if codes:
            return clock.result(codes, FULL_STEP)
        return _fast_retries(gray, candidates, clock)
    for step in steps:
        for variant in image.variants(step, gray):
            codes = zbar.decode(variant)
            if codes:
                clock.lap(step)
                return clock.result(codes, step)
        clock.lap(step)
    return clock.result((), None)


def _fast_retries(gray: image.Gray, candidates: list[zxing.Box], clock: _Clock) -> ScanResult:
    """What zxing-cpp's first passes missed. A camera frame (both sides >= image.HALF_MIN_SIDE) is retried on
    the regions where a code may be (regions.py), never as a whole: a frame with no code gives up after
    about a millisecond of looking. A small image (a cropped code, a screenshot) gets the whole-frame
    retries of image.FAST_STEPS. Either way a symbol zxing-cpp saw but could not read goes to zbar last."""
    if image.is_large(gray):
        boxes = regions.code_regions(gray)
        clock.lap("regions")
        for box in boxes:
            for step, decoder, crop in regions.region_variants(gray, box):
                frame = image.to_frame(crop)
                codes = zbar.decode(frame) if decoder == regions.ZBAR else zxing.decode(frame, zxing.QR_ONLY)
                clock.lap(f"{REGION_STEP}-{step}")
                if codes:
                    return clock.result(codes, f"{REGION_STEP}-{step}")
    else:
        for step in FAST_STEPS:
            variant = image.fast_variant(step, gray)
            codes = zxing.decode(image.to_frame(variant), zxing.QR_ONLY) if variant is not None else []
            clock.lap(f"{FAST_STEP}-{step}")
            if codes:
                return clock.result(codes, f"{FAST_STEP}-{step}")
    for box in candidates:  # a symbol zxing-cpp saw but could not read: zbar on that region only
        codes = zbar.decode(image.to_frame(image.around(gray, box)))
        clock.lap(CANDIDATE_STEP)
        if codes:
            return clock.result(codes, CANDIDATE_STEP)
    return clock.result((), None)


def decode_image(
    source: ImageSource, *, fast: bool | None = None, limits: Limits = DEFAULT_LIMITS
) -> list[str]:
    """The text of every code in `source` (top to bottom, left to right), or [] if none is found."""
    return list(scan_image(source, fast=fast, limits=limits).codes)
