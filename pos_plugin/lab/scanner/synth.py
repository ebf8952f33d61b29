"""Deterministic test images for the scanner: the project's own image set (tests and measure.py).

Every image is built from a seed, never from a file: QR codes come from segno (render.py), EAN-13
barcodes are drawn here, and the damage a till sees (tiny, washed-out, half in shadow, dark mode,
tilted, noisy 720p camera frames, several codes in one picture) is applied with Pillow. This is a
test-image generator (lab only); the decode path's Pillow adapter is pos_plugin/qr/image.py.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageOps

from pos_plugin.lab.scanner.render import qr_png
from pos_plugin.qr.classify import gtin_check_digit

# EAN-13 symbol patterns (1 = bar): L and R codes per digit; G is R reversed; the first digit picks
# the L/G parity of the left half.
_L = ("0001101", "0011001", "0010011", "0111101", "0100011", "0110001", "0101111", "0111011", "0110111", "0001011")
_R = tuple("".join("1" if bit == "0" else "0" for bit in pattern) for pattern in _L)
_G = tuple(pattern[::-1] for pattern in _R)
_PARITY = ("LLLLLL", "LLGLGG", "LLGGLG", "LLGGGL", "LGLLGG", "LGGLLG", "LGGGLL", "LGLGLG", "LGLGGL", "LGGLGL")


def ecode(seed: int, area: str = "610103") -> str:
    """A well-formed e-voucher code: 22 random digits + the 6-digit area code."""
    rnd = random.Random(seed)
    return "".join(str(rnd.randrange(10)) for _ in range(22)) + area


def ean13(body12: str) -> str:
    """The 13-digit EAN with its check digit."""
    return body12 + str(gtin_check_digit(body12))


def qr_image(text: str, *, scale: int = 6, border: int = 4) -> Image.Image:
    """Black on white, mode L."""
    return Image.open(io.BytesIO(qr_png(text, scale=scale, border=border))).convert("L")


def ean13_image(code: str, *, module: int = 3, height: int = 60, quiet: int = 12) -> Image.Image:
    """An EAN-13 barcode (mode L), `module` pixels per bar unit, bars `height` pixels tall."""
    if len(code) != 13 or not code.isdigit():
        raise ValueError(f"an EAN-13 is 13 digits, not {code!r}")
    bits = "101"
    for digit, parity in zip(code[1:7], _PARITY[int(code[0])], strict=True):
        bits += (_L if parity == "L" else _G)[int(digit)]
    bits += "01010" + "".join(_R[int(digit)] for digit in code[7:]) + "101"
    margin = quiet * module
    image = Image.new("L", (len(bits) * module + 2 * margin, height + margin), 255)
    draw = ImageDraw.Draw(image)
    for i, bit in enumerate(bits):
        if bit == "1":
            x = margin + i * module
            draw.rectangle((x, margin // 2, x + module - 1, margin // 2 + height - 1), fill=0)
    return image


def recolor(image: Image.Image, dark: int, light: int) -> Image.Image:
    """Map black..white onto dark..light (low contrast when they are close)."""
    return image.point([dark + (light - dark) * v // 255 for v in range(256)])


def unevenly_lit(image: Image.Image, *, contrast: int = 6) -> Image.Image:
    """A faint code (ink only `contrast` levels darker than the paper) under lighting that runs from
    black at the left edge to white at the right: no global stretch can help, a local threshold can."""
    lighting = Image.linear_gradient("L").rotate(90).resize(image.size)
    ink = image.point([0 if v < 128 else contrast for v in range(256)])
    return ImageChops.add(lighting, ink, scale=1.0, offset=-(contrast // 2))


def inverted(image: Image.Image) -> Image.Image:
    """Dark mode: light modules on a dark background."""
    return ImageOps.invert(image)


def rotated(image: Image.Image, angle: float, *, fill: int = 255) -> Image.Image:
    return image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=fill)


def with_noise(image: Image.Image, amplitude: int, seed: int) -> Image.Image:
    """Uniform noise in [-amplitude/2, +amplitude/2] from a seeded generator (reproducible)."""
    rnd = random.Random(seed)
    noise = Image.frombytes("L", image.size, rnd.randbytes(image.width * image.height))
    noise = noise.point([v * amplitude // 255 for v in range(256)])
    return ImageChops.add(image, noise, scale=1.0, offset=-(amplitude // 2))


def camera_frame(
    codes: list[Image.Image],
    *,
    seed: int,
    size: tuple[int, int] = (1280, 720),
    noise: int = 12,
    blur: float = 1.0,
) -> Image.Image:
    """A camera-like grayscale frame: uneven lighting, clutter, the codes (dimmed as on a screen or
    paper), lens blur and sensor noise. Codes are placed left to right in the order given."""
    rnd = random.Random(seed)
    width, height = size
    frame = Image.linear_gradient("L").rotate(90).resize(size).point([70 + v * 120 // 255 for v in range(256)])
    draw = ImageDraw.Draw(frame)
    for _ in range(25):  # clutter: the counter, a hand, a box edge
        x, y = rnd.randrange(width), rnd.randrange(height)
        draw.rectangle((x, y, x + rnd.randrange(20, 200), y + rnd.randrange(5, 60)), fill=rnd.randrange(40, 220))
    slot = width // max(1, len(codes))
    for i, code in enumerate(codes):
        code = recolor(code, 35, 215)
        x = i * slot + max(0, (slot - code.width) // 2) + rnd.randrange(-10, 11)
        y = max(0, (height - code.height) // 2 + rnd.randrange(-60, 61))
        frame.paste(code, (max(0, x), y))
    if blur:
        frame = frame.filter(ImageFilter.GaussianBlur(blur))
    return with_noise(frame, noise, seed) if noise else frame


def to_png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass(frozen=True)
class Sample:
    category: str
    name: str
    image: Image.Image
    expected: tuple[str, ...]


def _qr(seed: int, scale: int, area: str = "610103") -> tuple[Image.Image, str]:
    text = ecode(seed, area)
    return qr_image(text, scale=scale), text


def _product(seed: int) -> str:
    return ean13(f"69{seed:010d}")


def sample_set() -> list[Sample]:
    """The project's own scanner test images (deterministic): what measure.py reports on."""
    samples: list[Sample] = []

    def add(category: str, name: str, image: Image.Image, *expected: str) -> None:
        samples.append(Sample(category, name, image, expected))

    for i, scale in enumerate((4, 5, 6, 8, 10, 3)):
        image, text = _qr(100 + i, scale)
        add("normal", f"qr-scale{scale}", image, text)
    add("normal", "ean13", ean13_image(_product(1)), _product(1))
    add("normal", "wechat-payment-qr", qr_image("134567890123456789", scale=5), "134567890123456789")
    for i, scale in enumerate((1, 1, 2, 2)):
        image, text = _qr(200 + i, scale)
        add("small", f"qr-module{scale}px-{i}", image, text)
    for i, (dark, light) in enumerate(((127, 129), (200, 202), (60, 63), (240, 242))):
        image, text = _qr(300 + i, 4)
        add("low_contrast", f"washed-out-{dark}-{light}", recolor(image, dark, light), text)
    for i, contrast in enumerate((6, 8)):
        image, text = _qr(310 + i, 4)
        add("low_contrast", f"uneven-light-c{contrast}", unevenly_lit(image, contrast=contrast), text)
    for i, scale in enumerate((2, 4, 6, 8)):
        image, text = _qr(400 + i, scale)
        add("inverted", f"dark-mode-scale{scale}", inverted(image), text)
    for i, angle in enumerate((15, 30, 45, 60)):
        image, text = _qr(500 + i, 5)
        add("rotated", f"qr-{angle}deg", rotated(image, angle), text)
    for i, (angle, height) in enumerate(((45, 20), (-45, 20), (30, 40), (-30, 40))):
        code = _product(500 + i)
        add("rotated", f"ean13-{angle}deg-h{height}", rotated(ean13_image(code, height=height), angle), code)
    for i, (scale, noise) in enumerate(((4, 8), (5, 12), (6, 16), (4, 24), (3, 10), (6, 40), (5, 30), (3, 20))):
        image, text = _qr(600 + i, scale)
        frame = camera_frame([rotated(image, 7 * i, fill=255)], seed=600 + i, noise=noise)
        add("frame_720p", f"frame-module{scale}-noise{noise}", frame, text)
    for i, scale in enumerate((6, 8)):
        image, text = _qr(700 + i, scale)
        add("heavy_noise", f"noise210-scale{scale}", with_noise(recolor(image, 20, 235), 210, 700 + i), text)
    for i in range(3):
        (first, a), (second, b) = _qr(800 + 2 * i, 5), _qr(801 + 2 * i, 5, "440106")
        code = _product(800 + i)
        frame = camera_frame([first, ean13_image(code), second], seed=800 + i, noise=10)
        add("multi", f"two-qr-one-ean-{i}", frame, a, code, b)
    _add_hard_and_empty(add)
    return samples


def _add_hard_and_empty(add: Callable[..., None]) -> None:
    """Beyond what the pipeline was tuned on (some are expected to fail), and images with no code at
    all (the full retry pipeline runs: its cost is the worst case per image)."""
    image, text = _qr(900, 2)
    add("hard", "frame-module2", camera_frame([image], seed=900, noise=12), text)
    image, text = _qr(901, 3)
    add("hard", "frame-module3-noise40-tilted", camera_frame([rotated(image, 20)], seed=901, noise=40), text)
    code = _product(902)
    add("hard", "ean13-30deg-h12", rotated(ean13_image(code, height=12), 30), code)
    image, text = _qr(903, 4)
    add("hard", "washed-out-and-noisy", with_noise(recolor(image, 127, 129), 4, 903), text)
    image, text = _qr(904, 4)
    add("hard", "out-of-focus", image.filter(ImageFilter.GaussianBlur(2.5)), text)
    add("no_code", "empty-frame-0", camera_frame([], seed=950))
    add("no_code", "empty-frame-1", camera_frame([], seed=951, noise=30))
    add("no_code", "blank-small", Image.new("L", (300, 300), 255))
