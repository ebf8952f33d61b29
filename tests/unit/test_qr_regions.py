"""The camera-frame retries (pos_plugin/qr/regions.py): where a code may be, and each step on that region,
on seeded images of the hard corpus (pos_plugin.lab.scanner.hard), decoded by the real zxing-cpp and zbar."""

import io

import pytest
from PIL import Image

from pos_plugin.lab.scanner.hard import hard_sample
from pos_plugin.lab.scanner.synth import camera_frame, ecode, qr_image
from pos_plugin.qr import image, regions, scan_image, zxing
from pos_plugin.qr import zbar as zbar_module

needs_zxing = pytest.mark.skipif(not zxing.available(), reason="zxing-cpp (the `fast` extra) is not installed")


def _inside(box, outer):
    return outer[0] <= box[0] and outer[1] <= box[1] and box[2] <= outer[2] and box[3] <= outer[3]


@needs_zxing
@pytest.mark.parametrize(("category", "seed"), [("tiny", 5), ("covered", 5), ("blur", 7), ("perspective", 13)])
def test_the_code_is_in_the_strongest_region_of_a_camera_frame(category, seed):
    sample = hard_sample(category, seed)
    gray = image.load_gray(sample.data)
    found = regions.code_regions(gray)
    assert found, "no region at all"
    crop = regions.crop(gray, found[0])
    # the crop holds the whole code: one of the region's steps reads it from the crop alone
    read = [zbar_module.decode(image.to_frame(variant)) or zxing.decode(image.to_frame(variant))
            for _, _, variant in regions.region_variants(gray, found[0])]
    assert [sample.expected[0]] in read
    assert crop.width * crop.height < gray.width * gray.height / 8  # a region, not the frame


@pytest.mark.parametrize("seed", [950, 951, 952, 953, 1, 2, 3])
def test_a_camera_frame_without_a_code_has_no_region(seed):
    assert regions.code_regions(image.load_gray(camera_frame([], seed=seed, noise=16))) == []


def test_boxes_stay_inside_the_frame_and_a_tiny_image_has_none():
    gray = image.load_gray(hard_sample("covered", 9).data)
    for box in regions.code_regions(gray):
        assert _inside(box, (0, 0, gray.width, gray.height))
        crop = regions.crop(gray, box)
        assert crop.width <= gray.width and crop.height <= gray.height
    assert regions.code_regions(Image.new("L", (5, 5), 255)) == []


@needs_zxing
@pytest.mark.parametrize(("category", "seed", "step"), [
    ("covered", 5, "region-zbar"),        # a thumb over a finder pattern: zbar on the region
    ("blur", 7, "region-sharpen"),        # defocus: unsharp mask
    ("tiny", 5, "region-sharpen2"),       # 1.2-2 px modules: 2x, then the unsharp mask
    ("perspective", 13, "region-threshold"),
    ("blur", 2, "region-sharpen3"),       # a heavy blur: 3x, then the unsharp mask
])
def test_each_region_step_reads_a_hard_image_that_zxing_misses_on_the_frame(category, seed, step):
    sample = hard_sample(category, seed)
    assert zxing.decode(image.to_frame(image.load_gray(sample.data))) == []
    found = scan_image(sample.data)
    assert found.codes == sample.expected and found.step == step


@needs_zxing
def test_a_camera_frame_without_a_code_tries_no_region_and_never_reaches_zbar(monkeypatch):
    calls = []
    real = zbar_module.decode
    monkeypatch.setattr(zbar_module, "decode", lambda frame: calls.append(frame.width) or real(frame))
    looked = []
    real_regions = regions.code_regions
    monkeypatch.setattr(regions, "code_regions", lambda gray: looked.append(gray.size) or real_regions(gray))
    for seed in (1, 2, 3):
        assert scan_image(hard_sample("no_code", seed).data).codes == ()
    assert looked == [(1280, 720)] * 3 and calls == []


@needs_zxing
def test_an_8000_by_8000_photo_is_read_at_a_quarter_scale():
    text = ecode(77)
    photo = Image.new("L", (8000, 8000), 235)
    photo.paste(qr_image(text, scale=60), (3000, 2500))
    buffer = io.BytesIO()
    photo.save(buffer, format="JPEG", quality=85)
    assert 8000 * 8000 > image.DEFAULT_LIMITS.max_pixels  # refused as a PNG, read as a JPEG at 1/4 scale
    gray = image.load_gray(buffer.getvalue())
    assert gray.size == (2000, 2000)
    assert scan_image(buffer.getvalue()).codes == (text,)


def test_a_jpeg_is_decoded_at_the_least_reduction_that_fits_the_budget():
    assert image._draft_size((1280, 720), 4_000_000) == (1280, 720)
    assert image._draft_size((4000, 3000), 4_000_000) == (2000, 1500)
    assert image._draft_size((8000, 8000), 4_000_000) == (2000, 2000)
    assert image._draft_size((30000, 30000), 4_000_000) == (3750, 3750)  # never below 1/8: then resized
