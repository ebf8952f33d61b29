"""The Pillow adapter of the decoder: the only decode-path module that imports Pillow.

`load_gray` turns a path, raw bytes or a Pillow image into ONE bounded grayscale image (refusing
decompression bombs, rejecting unreadable files), and `variants` yields the frames each step of the
retry pipeline hands to a decoder. Steps, cheapest and most likely first (on a large frame,
contrast, threshold, invert and rotate work at half size, see `variants`):

    half       a large frame at half size (box average: fast, and it smooths sensor noise)
    denoise    a 3x3 box blur, for sensor noise (zbar slows down and fails on noisy pixels)
    raw        the grayscale image as loaded, every line scanned
    contrast   contrast stretch (1 % cut at each end), for washed-out or dim codes
    threshold  adaptive (local-mean) threshold, for a faint code under uneven lighting
    upscale    small images enlarged up to 4x, for codes with 1-2 pixel modules
    invert     dark-mode phone screens (light modules on a dark background)
    rotate     45 and +-22.5 degrees, for 1-D barcodes too tilted for any scan line to cross them

With zxing-cpp (the `fast` extra) the decoder first runs zxing-cpp over the frame as loaded (a plain
read, then zxing-cpp's own rotated, inverted and downscaled searches; decoder.py). A camera
frame (both sides at least HALF_MIN_SIDE) is then retried only on the regions where a code may be
(regions.py: deblur, 2x/3x enlargement, threshold and zbar on a crop); a smaller image is retried over
FAST_STEPS, each a variant of the whole image:

    contrast   contrast stretch, for washed-out codes and glare
    threshold  adaptive threshold, for uneven lighting
    sharpen    unsharp mask, for a code slightly out of focus or moved during the exposure
    enlarge    2x (bicubic), for codes with modules of 1-2 pixels
    half       half size, for large photos and codes too big or too noisy at full size
"""

from __future__ import annotations

import io
import math
import os
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from PIL import Image, ImageChops, ImageFilter, ImageOps

from pos_plugin.qr.errors import ImageNotFound, ImageTooLarge, ImageUnreadable
from pos_plugin.qr.frame import GrayFrame

ImageSource = str | os.PathLike[str] | bytes | bytearray | memoryview | Image.Image
Gray = Image.Image  # mode "L"; other modules treat it as opaque

STEPS: tuple[str, ...] = ("half", "denoise", "raw", "contrast", "threshold", "upscale", "invert", "rotate")
QUICK_STEPS: tuple[str, ...] = ("half", "denoise", "raw")  # for a live camera loop: no slow retries
FAST_STEPS: tuple[str, ...] = ("contrast", "threshold", "sharpen", "enlarge", "half")  # zxing-cpp's retries
ENLARGE_UP_TO = 1000  # "enlarge" applies when the longer side is at most this (not to a 720p frame: too slow)


@dataclass(frozen=True)
class Limits:
    """`max_pixels`: refuse anything bigger (decompression-bomb guard; Pillow's own limit is ~89 MP); for a
    JPEG, the pixels decoded at the reduced scale it is read at (see `_draft_size`).
    `decode_pixels`: downscale anything bigger before decoding, so work per image stays bounded."""

    max_pixels: int = 50_000_000
    decode_pixels: int = 4_000_000


DEFAULT_LIMITS = Limits()
# Formats a phone, camera or screenshot produces. Anything else (EPS would run Ghostscript, ...) is
# refused as unreadable rather than handed to a rarely used parser.
FORMATS = ("PNG", "JPEG", "GIF", "BMP", "WEBP", "TIFF", "PPM")

HALF_MIN_SIDE = 600  # "half" applies when both sides are at least this (a 720p frame qualifies)
HALF_SIZE_RETRIES = frozenset({"contrast", "threshold", "invert", "rotate"})  # at half size on large frames
UPSCALE_BELOW = 400  # "upscale" applies when the longer side is shorter than this
ROTATIONS = (45.0, 22.5, -22.5)
THRESHOLD_MARGIN = 1  # a pixel this much darker than its neighbourhood counts as dark
_THRESHOLD_LUT = [255 if v <= THRESHOLD_MARGIN else 0 for v in range(256)]


def load_gray(source: ImageSource, limits: Limits = DEFAULT_LIMITS) -> Gray:
    """Read `source` into one grayscale image of at most `limits.decode_pixels` pixels."""
    if isinstance(source, Image.Image):
        return _bounded_gray(source, limits)
    if isinstance(source, bytes | bytearray | memoryview):
        return _open_and_convert(io.BytesIO(bytes(source)), limits, "图片数据")
    path = os.fspath(source)
    try:
        with open(path, "rb") as handle:
            return _open_and_convert(handle, limits, path)
    except FileNotFoundError as exc:
        raise ImageNotFound(f"找不到图片文件：{path}") from exc
    except (IsADirectoryError, PermissionError) as exc:
        raise ImageUnreadable(f"无法读取图片：{path}（{exc.strerror}）") from exc


def _open_and_convert(stream: BinaryIO, limits: Limits, label: str) -> Gray:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(stream, formats=FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageTooLarge(f"图片像素过多，已拒绝读取（防止解压炸弹）：{label}") from exc
    except Exception as exc:  # Pillow raises many types on junk input; all mean "not an image"
        raise ImageUnreadable(f"无法读取图片（不是可识别的图片格式）：{label}") from exc
    # Not closed here: the caller owns the stream, and closing would free a mode "L" image we return.
    if image.format == "JPEG":  # the pyramid's first levels come free: decode at 1/2, 1/4 or 1/8 scale
        image.draft("L", _draft_size(image.size, limits.decode_pixels))
    _check_size(image, limits, label)  # a JPEG counts the pixels it decodes (an 8000x8000 photo: 2000x2000)
    return _bounded_gray(image, limits, label)


def _draft_size(size: tuple[int, int], budget: int) -> tuple[int, int]:
    """The size to ask a JPEG decoder for: the least reduction by 2, 4 or 8 that fits `budget` pixels
    (the decoder then skips the detail instead of decoding and throwing it away)."""
    width, height = size
    for scale in (1, 2, 4):
        if math.ceil(width / scale) * math.ceil(height / scale) <= budget:
            return math.ceil(width / scale), math.ceil(height / scale)
    return math.ceil(width / 8), math.ceil(height / 8)


def _bounded_gray(image: Image.Image, limits: Limits, label: str = "图片") -> Gray:
    _check_size(image, limits, label)
    try:
        image.load()
        gray = _to_gray(image)
    except Exception as exc:  # truncated or corrupt pixel data
        raise ImageUnreadable(f"无法读取图片（文件损坏或被截断）：{label}") from exc
    target = _fitted_size(gray.size, limits.decode_pixels)
    return gray if target == gray.size else gray.resize(target, Image.Resampling.BOX)


def _check_size(image: Image.Image, limits: Limits, label: str) -> None:
    width, height = image.size
    if width * height > limits.max_pixels:
        raise ImageTooLarge(
            f"图片像素过多（{width}×{height}，上限 {limits.max_pixels} 像素），已拒绝读取（防止解压炸弹）：{label}"
        )
    if width == 0 or height == 0:
        raise ImageUnreadable(f"图片尺寸为 0：{label}")


def _fitted_size(size: tuple[int, int], budget: int) -> tuple[int, int]:
    """`size` scaled down (aspect kept) to at most `budget` pixels; unchanged if it already fits."""
    width, height = size
    if width * height <= budget:
        return size
    scale = math.sqrt(budget / (width * height))
    return max(1, int(width * scale)), max(1, int(height * scale))


def _to_gray(image: Image.Image) -> Gray:
    """Grayscale once. Transparent pixels become white (a transparent QR PNG is dark on nothing)."""
    if image.mode == "L":
        return image
    if "A" in image.getbands() or "transparency" in image.info:
        rgba = image.convert("RGBA")
        gray = Image.new("L", image.size, 255)
        gray.paste(rgba.convert("L"), mask=rgba.getchannel("A"))
        return gray
    return image.convert("L")


def to_frame(gray: Gray) -> GrayFrame:
    return GrayFrame(gray.tobytes(), gray.width, gray.height)


def variants(step: str, gray: Gray) -> Iterator[GrayFrame]:
    """The frames `step` produces from `gray` (none when the step does not apply to this image).

    On a large frame the late retries work at half size: a quarter of the pixels, which keeps the
    cost of a frame with no code at all bounded; a code too small to survive halving has already had
    its full-size chances ("denoise", "raw")."""
    base = gray.reduce(2) if step in HALF_SIZE_RETRIES and _is_large(gray) else gray
    for image in _STEP_FUNCTIONS[step](base):
        yield to_frame(image)


def fast_variant(step: str, gray: Gray) -> Gray | None:
    """The frame zxing-cpp retries `step` on (None when the step does not apply to this image)."""
    if step == "sharpen":
        return gray.filter(ImageFilter.UnsharpMask(radius=2, percent=250, threshold=0))
    if step == "enlarge":
        if max(gray.size) > ENLARGE_UP_TO:
            return None
        return gray.resize((gray.width * 2, gray.height * 2), Image.Resampling.BICUBIC)
    if step == "half":
        return gray.reduce(2) if _is_large(gray) else None
    return next(_STEP_FUNCTIONS[step](gray), None)


def around(gray: Gray, box: tuple[int, int, int, int]) -> Gray:
    """The region of `box` with a margin of half its size on each side (the quiet zone and then some)."""
    left, top, right, bottom = box
    mx, my = (right - left) // 2 + 8, (bottom - top) // 2 + 8
    return gray.crop((max(0, left - mx), max(0, top - my), min(gray.width, right + mx), min(gray.height, bottom + my)))


def is_large(gray: Gray) -> bool:
    return _is_large(gray)


def _is_large(gray: Gray) -> bool:
    return min(gray.size) >= HALF_MIN_SIDE


def _half(gray: Gray) -> Iterator[Gray]:
    if _is_large(gray):
        yield gray.reduce(2)


def _raw(gray: Gray) -> Iterator[Gray]:
    yield gray


def _denoise(gray: Gray) -> Iterator[Gray]:
    yield gray.filter(ImageFilter.BoxBlur(1))


def _contrast(gray: Gray) -> Iterator[Gray]:
    yield ImageOps.autocontrast(gray, cutoff=1)


def _threshold(gray: Gray) -> Iterator[Gray]:
    radius = max(4, min(gray.size) // 8)
    neighbourhood = gray.filter(ImageFilter.BoxBlur(radius))
    darker_by = ImageChops.subtract(neighbourhood, gray)  # clipped at 0 where the pixel is lighter
    yield darker_by.point(_THRESHOLD_LUT)


def _upscale(gray: Gray) -> Iterator[Gray]:
    longer = max(gray.size)
    if longer < UPSCALE_BELOW:
        factor = min(4, math.ceil(UPSCALE_BELOW / longer))
        yield gray.resize((gray.width * factor, gray.height * factor), Image.Resampling.NEAREST)


def _invert(gray: Gray) -> Iterator[Gray]:
    yield ImageOps.invert(gray)


def _rotate(gray: Gray) -> Iterator[Gray]:
    for angle in ROTATIONS:
        yield gray.rotate(angle, resample=Image.Resampling.BILINEAR, expand=True, fillcolor=255)


_STEP_FUNCTIONS: dict[str, Callable[[Gray], Iterator[Gray]]] = {
    "half": _half,
    "raw": _raw,
    "denoise": _denoise,
    "contrast": _contrast,
    "threshold": _threshold,
    "upscale": _upscale,
    "invert": _invert,
    "rotate": _rotate,
}
