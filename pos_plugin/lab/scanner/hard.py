"""A seeded hard corpus for the scanner: e-voucher codes as real phones and counters present them.

    hard_sample(category, seed) -> Sample     one image, rebuilt identically from its seed
    corpus(seeds) -> list[Sample]             {category: [seed, ...]} (tests/data/scanner_hard_corpus.json)

Categories: tiny (1.2-2 px modules), blur (Gaussian), motion (motion blur), uneven (lighting from dark
to bright across the code), glare (a bright reflection over part of it), covered (a thumb or sticker
over a corner), perspective (phone held at a slant), dark (dark-mode screen), low_contrast, large (a
12-megapixel photo, JPEG), and no_code (camera frames with no code at all: the cost of a miss).
Images are encoded as a phone would send them (PNG for screens, JPEG for photos), so a decode measures
loading too. Like synth.py this is a test-image generator, not part of the decode path.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageOps

from pos_plugin.lab.scanner.synth import (
    camera_frame,
    ecode,
    inverted,
    qr_image,
    recolor,
    unevenly_lit,
    with_noise,
)

CATEGORIES = ("tiny", "blur", "motion", "uneven", "glare", "covered", "perspective", "dark", "low_contrast",
              "large", "no_code")


@dataclass(frozen=True)
class HardSample:
    category: str
    seed: int
    data: bytes  # the encoded image (PNG or JPEG)
    expected: tuple[str, ...]


def _encode(image: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **({"quality": 85} if fmt == "JPEG" else {}))
    return buffer.getvalue()


def _code(rnd: random.Random, seed: int, scale: int) -> tuple[Image.Image, str]:
    text = ecode(10_000 + seed, rnd.choice(("610103", "440106", "620100")))
    return qr_image(text, scale=scale), text


def _on_frame(code: Image.Image, rnd: random.Random, seed: int, noise: int = 8) -> Image.Image:
    return camera_frame([code], seed=seed, noise=noise, blur=rnd.choice((0.0, 0.6)))


def _tiny(rnd: random.Random, seed: int) -> tuple[Image.Image, str, str]:
    code, text = _code(rnd, seed, 1)
    factor = rnd.uniform(1.2, 2.0)
    small = code.resize((round(code.width * factor), round(code.height * factor)), Image.Resampling.BILINEAR)
    return _on_frame(small, rnd, seed, noise=rnd.choice((4, 8))), text, "PNG"


def _blur(rnd: random.Random, seed: int) -> tuple[Image.Image, str, str]:
    code, text = _code(rnd, seed, rnd.choice((4, 5, 6)))
    return _on_frame(code.filter(ImageFilter.GaussianBlur(rnd.uniform(1.2, 2.4))), rnd, seed), text, "JPEG"


def motion_blur(image: Image.Image, length: int, horizontal: bool) -> Image.Image:
    """The average of `length` copies shifted one pixel apart (a hand moving during the exposure)."""
    out = image
    for step in range(1, length):
        shifted = ImageChops.offset(image, step if horizontal else 0, 0 if horizontal else step)
        out = Image.blend(out, shifted, 1 / (step + 1))
    return out


def _motion(rnd: random.Random, seed: int) -> tuple[Image.Image, str, str]:
    code, text = _code(rnd, seed, rnd.choice((5, 6, 7)))
    return _on_frame(motion_blur(code, rnd.randint(4, 8), rnd.random() < 0.5), rnd, seed), text, "JPEG"


def _uneven(rnd: random.Random, seed: int) -> tuple[Image.Image, str, str]:
    code, text = _code(rnd, seed, rnd.choice((4, 5)))
    return with_noise(unevenly_lit(code, contrast=rnd.randint(10, 24)), 6, seed), text, "PNG"


def _glare(rnd: random.Random, seed: int) -> tuple[Image.Image, str, str]:
    code, text = _code(rnd, seed, rnd.choice((5, 6)))
    code = recolor(code, 30, 210)
    glare = Image.new("L", code.size, 0)
    w, h = code.size
    cx, cy, r = rnd.uniform(0.3, 0.7) * w, rnd.uniform(0.3, 0.7) * h, rnd.uniform(0.12, 0.22) * w
    ImageDraw.Draw(glare).ellipse((cx - r, cy - r * 0.6, cx + r, cy + r * 0.6), fill=rnd.randint(150, 200))
    glare = glare.filter(ImageFilter.GaussianBlur(r / 3))
    return _on_frame(ImageChops.add(code, glare), rnd, seed), text, "JPEG"


def _covered(rnd: random.Random, seed: int) -> tuple[Image.Image, str, str]:
    code, text = _code(rnd, seed, rnd.choice((5, 6)))
    w, h = code.size
    side = rnd.uniform(0.12, 0.2) * w  # a thumb over a corner of the symbol (inside the quiet zone too)
    x0 = rnd.choice((0.08 * w, w - 0.08 * w - side))
    y0 = h - 0.08 * h - side
    ImageDraw.Draw(code).ellipse((x0, y0, x0 + side, y0 + side * 1.4), fill=rnd.randint(90, 160))
    return _on_frame(code, rnd, seed), text, "JPEG"


def perspective(image: Image.Image, slant: float, rnd: random.Random) -> Image.Image:
    """The image as seen by a phone tilted away: one edge recedes (`slant` of the height shorter at each
    end), the whole code stays in view. PIL's QUAD corners go upper-left, lower-left, lower-right, upper-right."""
    canvas = ImageOps.expand(image, border=image.width // 4, fill=255)
    w, h = canvas.size
    d = slant * h
    quad = (0, 0, 0, h, w, h + d, w, -d)
    tilted = canvas.transform((w, h), Image.Transform.QUAD, quad, Image.Resampling.BILINEAR, fillcolor=255)
    return tilted.rotate(rnd.choice((0, 90, 180, 270)), expand=True)


def _perspective(rnd: random.Random, seed: int) -> tuple[Image.Image, str, str]:
    code, text = _code(rnd, seed, rnd.choice((5, 6)))
    return _on_frame(perspective(code, rnd.uniform(0.12, 0.3), rnd), rnd, seed), text, "JPEG"


def _dark(rnd: random.Random, seed: int) -> tuple[Image.Image, str, str]:
    code, text = _code(rnd, seed, rnd.choice((3, 4, 6)))
    return with_noise(recolor(inverted(code), 25, rnd.randint(150, 220)), 10, seed), text, "PNG"


def _low_contrast(rnd: random.Random, seed: int) -> tuple[Image.Image, str, str]:
    code, text = _code(rnd, seed, rnd.choice((4, 5)))
    dark = rnd.randint(60, 200)
    return with_noise(recolor(code, dark, dark + rnd.randint(6, 14)), 4, seed), text, "PNG"


def _large(rnd: random.Random, seed: int) -> tuple[Image.Image, str, str]:
    code, text = _code(rnd, seed, rnd.choice((10, 14)))
    frame = camera_frame([code], seed=seed, size=(4000, 3000), noise=6, blur=0.8)
    return frame, text, "JPEG"


def _no_code(rnd: random.Random, seed: int) -> tuple[Image.Image, str, str]:
    return camera_frame([], seed=seed, noise=rnd.choice((8, 16, 30))), "", "JPEG"


_MAKERS: Mapping[str, Callable[[random.Random, int], tuple[Image.Image, str, str]]] = {
    "tiny": _tiny, "blur": _blur, "motion": _motion, "uneven": _uneven, "glare": _glare, "covered": _covered,
    "perspective": _perspective, "dark": _dark, "low_contrast": _low_contrast, "large": _large,
    "no_code": _no_code,
}


def hard_sample(category: str, seed: int) -> HardSample:
    """One image of `category`, built from `seed` alone (the same bytes every time on one Pillow)."""
    if category not in _MAKERS:
        raise ValueError(f"unknown category {category!r}; known: {', '.join(CATEGORIES)}")
    image, text, fmt = _MAKERS[category](random.Random(f"{category}:{seed}"), seed)
    return HardSample(category, seed, _encode(image, fmt), (text,) if text else ())


def corpus(seeds: Mapping[str, Sequence[int]], per_category: int | None = None) -> list[HardSample]:
    """Every (category, seed) of `seeds`, at most `per_category` of each."""
    return [hard_sample(category, seed) for category, listed in seeds.items()
            for seed in list(listed)[:per_category]]
