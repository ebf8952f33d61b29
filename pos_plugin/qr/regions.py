"""Where in a camera frame a code may be, and the retries the decoder makes on each such region (Pillow).

A QR code is the densest patch of light/dark transitions in a frame, across AND down; the edge of a box,
a shelf or a line of print has them in one direction only, and sensor noise everywhere alike. So:

    code_regions(gray)         boxes of 8x8-pixel cells (on a half-size frame when large) whose weaker
                               direction of transitions stands out from the frame's median cell by
                               MIN_CONTRAST, grown into connected patches (through neighbours above GROW_CONTRAST), strongest first (at most
                               MAX_REGIONS); about 1 ms on a 720p frame, and none on a frame with no code
    region_variants(gray, box) the region cropped with its quiet zone, then the retries on it, cheapest
                               and most likely first (REGION_STEPS)

Working on the crop instead of the whole frame is what makes the expensive retries affordable: an
enlarged, sharpened or thresholded 200x200 crop costs a hundredth of the same on the frame. The steps:

    zbar       the crop as it is, for zbar: it reads a code with one finder pattern half covered by a
               thumb, where zxing-cpp gives up (the partial-finder case; the error correction covers
               the modules under the thumb)
    sharpen    an unsharp mask: the deblur for defocus and motion
    sharpen2   2x (bicubic) then the unsharp mask: the module-size sweep for 1-2 px modules
    threshold  adaptive threshold of the crop: uneven light and a code seen at a slant
    sharpen3   3x then the unsharp mask: the smallest modules, and a heavy blur
"""

from __future__ import annotations

from collections.abc import Iterator

from PIL import Image, ImageChops, ImageFilter

Gray = Image.Image
Box = tuple[int, int, int, int]  # left, top, right, bottom

CELL = 8  # pixels per cell side on the (possibly halved) frame
MIN_CONTRAST = 15  # a cell's mean transition strength must exceed the frame's median cell by this much
GROW_CONTRAST = 5  # a patch grows from its strongest cells into neighbours this much above the median
MAX_REGIONS = 3
LARGE_SIDE = 600  # frames with both sides at least this are searched at half size
ZBAR, ZXING = "zbar", "zxing"
REGION_STEPS: tuple[tuple[str, str], ...] = (("zbar", ZBAR), ("sharpen", ZXING), ("sharpen2", ZXING),
                                             ("threshold", ZXING), ("sharpen3", ZXING))
_THRESHOLD_LUT = [255 if v <= 1 else 0 for v in range(256)]


def code_regions(gray: Gray) -> list[Box]:
    """Boxes (in `gray`'s pixels) where a code may be, strongest first; [] when nothing stands out."""
    half = min(gray.size) >= LARGE_SIDE
    small = gray.reduce(2) if half else gray
    factor = CELL * (2 if half else 1)
    columns, rows = small.width // CELL, small.height // CELL
    if columns < 1 or rows < 1:
        return []
    across = ImageChops.difference(small, ImageChops.offset(small, 1, 0)).resize((columns, rows), Image.Resampling.BOX)
    down = ImageChops.difference(small, ImageChops.offset(small, 0, 1)).resize((columns, rows), Image.Resampling.BOX)
    score = ImageChops.darker(across, down).tobytes()  # the weaker direction of each cell
    floor = sorted(score)[len(score) // 2]
    seeds = [i for i, value in enumerate(score) if value >= floor + MIN_CONTRAST]
    hot = {i for i, value in enumerate(score) if value >= floor + GROW_CONTRAST}  # a blurred code's rim too
    boxes: list[tuple[int, Box]] = []
    seen: set[int] = set()
    for start in sorted(seeds, key=lambda i: -score[i]):
        if start in seen:
            continue
        patch, stack = [], [start]
        seen.add(start)
        while stack:
            cell = stack.pop()
            patch.append(cell)
            x, y = cell % columns, cell // columns
            for nx in (x - 1, x, x + 1):
                for ny in (y - 1, y, y + 1):
                    neighbour = ny * columns + nx
                    if 0 <= nx < columns and 0 <= ny < rows and neighbour in hot and neighbour not in seen:
                        seen.add(neighbour)
                        stack.append(neighbour)
        xs, ys = [c % columns for c in patch], [c // columns for c in patch]
        box = (min(xs) * factor, min(ys) * factor, (max(xs) + 1) * factor, (max(ys) + 1) * factor)
        boxes.append((sum(score[c] for c in patch), box))
    boxes.sort(key=lambda entry: -entry[0])
    return [box for _, box in boxes[:MAX_REGIONS]]


def crop(gray: Gray, box: Box) -> Gray:
    """The region of `box` with a margin of half its size (and 8 px) on each side: the quiet zone."""
    left, top, right, bottom = box
    margin = max(right - left, bottom - top) // 2 + 8
    return gray.crop((max(0, left - margin), max(0, top - margin),
                      min(gray.width, right + margin), min(gray.height, bottom + margin)))


def region_variants(gray: Gray, box: Box) -> Iterator[tuple[str, str, Gray]]:
    """(step, decoder, image) for each of REGION_STEPS on the region `box` of `gray`."""
    region = crop(gray, box)
    for step, decoder in REGION_STEPS:
        yield step, decoder, _variant(step, region)


def _variant(step: str, region: Gray) -> Gray:
    if step == "zbar":
        return region
    if step == "threshold":
        neighbourhood = region.filter(ImageFilter.BoxBlur(max(4, min(region.size) // 8)))
        return ImageChops.subtract(neighbourhood, region).point(_THRESHOLD_LUT)
    factor = {"sharpen": 1, "sharpen2": 2, "sharpen3": 3}[step]
    return _enlarged(region, factor).filter(ImageFilter.UnsharpMask(radius=2, percent=250, threshold=0))


def _enlarged(region: Gray, factor: int) -> Gray:
    if factor == 1:
        return region
    return region.resize((region.width * factor, region.height * factor), Image.Resampling.BICUBIC)
