"""Decoding real QR/EAN images with pyzbar: each retry step, every source type, several codes per image.

Images are generated here (segno + Pillow, seeded) and decoded by the real zbar library. `fast=False`
means the pyzbar-only path; the zxing-cpp first pass has its own tests at the end.
"""

from pathlib import Path

import pytest
from PIL import Image

from pos_plugin.lab.scanner.hard import hard_sample
from pos_plugin.lab.scanner.synth import (
    camera_frame,
    ean13,
    ean13_image,
    ecode,
    inverted,
    qr_image,
    recolor,
    rotated,
    to_png,
    unevenly_lit,
    with_noise,
)
from pos_plugin.qr import QUICK_STEPS, STEPS, ScanResult, decode_image, scan_image, zxing
from pos_plugin.qr import image as qr_image_module
from pos_plugin.qr import zbar as zbar_module

CODE = ecode(0)
PRODUCT = ean13("690123456789")


def _washed_out():
    return recolor(qr_image(CODE, scale=4), 127, 129)  # the whole code spans two gray levels


def _unevenly_lit():
    return unevenly_lit(qr_image(CODE, scale=4), contrast=6)


def _tiny():
    return qr_image(CODE, scale=1)  # one pixel per module


def _dark_mode():
    return inverted(qr_image(CODE, scale=4))


def _noisy():
    return with_noise(recolor(qr_image(CODE, scale=6), 20, 235), 210, seed=7)


def _tilted_barcode():
    return rotated(ean13_image(PRODUCT, height=20), 45)  # bars too short for any row or column to cross


RESCUES = [
    ("denoise", _noisy, CODE),
    ("contrast", _washed_out, CODE),
    ("threshold", _unevenly_lit, CODE),
    ("upscale", _tiny, CODE),
    ("invert", _dark_mode, CODE),
    ("rotate", _tilted_barcode, PRODUCT),
]


@pytest.mark.parametrize(("step", "make", "expected"), RESCUES, ids=[step for step, _, _ in RESCUES])
def test_each_retry_step_rescues_an_image_nothing_else_reads(step, make, expected):
    image = make()
    found = scan_image(image, fast=False)
    assert found.codes == (expected,)
    assert found.step == step
    without = tuple(s for s in STEPS if s != step)
    assert scan_image(image, fast=False, steps=without).codes == ()


def test_every_retry_step_has_a_rescue_test():
    retry_steps = set(STEPS) - {"half", "raw"}
    assert retry_steps == {step for step, _, _ in RESCUES}


def test_a_plain_code_is_read_without_any_retry():
    assert scan_image(qr_image(CODE, scale=5), fast=False, steps=("raw",)).codes == (CODE,)


def test_a_camera_frame_is_read_on_the_half_size_pass():
    frame = camera_frame([qr_image(CODE, scale=6)], seed=1, noise=12)
    assert frame.size == (1280, 720)
    found = scan_image(frame, fast=False)
    assert found == type(found)((CODE,), "half")


def test_half_and_upscale_apply_only_to_large_and_small_images():
    small = qr_image_module.load_gray(qr_image(CODE, scale=2))
    large = qr_image_module.load_gray(camera_frame([qr_image(CODE)], seed=2))
    assert list(qr_image_module.variants("half", small)) == []
    assert [(f.width, f.height) for f in qr_image_module.variants("half", large)] == [(640, 360)]
    assert list(qr_image_module.variants("upscale", large)) == []
    assert [f.width for f in qr_image_module.variants("upscale", small)] == [small.width * 4]


def test_on_a_large_frame_the_late_retries_work_at_half_size():
    large = qr_image_module.load_gray(camera_frame([qr_image(CODE)], seed=2))
    for step in ("contrast", "threshold", "invert"):
        assert [(f.width, f.height) for f in qr_image_module.variants(step, large)] == [(640, 360)]
    assert [(f.width, f.height) for f in qr_image_module.variants("raw", large)] == [(1280, 720)]


def test_a_dark_mode_phone_in_a_camera_frame_is_read_by_the_invert_step():
    frame = inverted(camera_frame([qr_image(CODE, scale=6)], seed=6, noise=8))
    found = scan_image(frame, fast=False)
    assert found.codes == (CODE,) and found.step == "invert"


def test_quick_steps_read_a_plain_frame_and_skip_the_slow_retries():
    assert QUICK_STEPS == STEPS[: len(QUICK_STEPS)]
    frame = camera_frame([qr_image(CODE, scale=6)], seed=6, noise=8)
    assert scan_image(frame, fast=False, steps=QUICK_STEPS).codes == (CODE,)
    assert scan_image(inverted(frame), fast=False, steps=QUICK_STEPS).codes == ()


def test_nothing_found_is_an_empty_result_not_an_error():
    blank = Image.new("L", (300, 200), 255)
    assert scan_image(blank, fast=False) == type(scan_image(blank, fast=False))((), None)
    assert decode_image(blank, fast=False) == []


def test_unknown_step_names_are_refused():
    with pytest.raises(ValueError, match="unknown decode steps"):
        scan_image(qr_image(CODE), steps=("raw", "sharpen"))


# ---- several codes ---------------------------------------------------------------------------------


def test_every_code_in_a_frame_is_returned():
    second = ecode(1, area="440106")
    frame = camera_frame([qr_image(CODE, scale=5), ean13_image(PRODUCT), qr_image(second, scale=5)], seed=3, noise=10)
    assert sorted(decode_image(frame, fast=False)) == sorted([CODE, PRODUCT, second])


def test_codes_come_back_top_to_bottom():
    first, second = qr_image(CODE, scale=4), qr_image(ecode(9), scale=4)
    sheet = Image.new("L", (first.width + 40, first.height * 2 + 60), 255)
    sheet.paste(second, (30, 0))
    sheet.paste(first, (0, first.height + 60))
    assert decode_image(sheet, fast=False) == [ecode(9), CODE]


# ---- sources ---------------------------------------------------------------------------------------


def test_a_file_path_as_str_or_path(tmp_path: Path):
    path = tmp_path / "voucher.png"
    path.write_bytes(to_png(qr_image(CODE)))
    assert decode_image(str(path), fast=False) == [CODE]
    assert decode_image(path, fast=False) == [CODE]


def test_raw_bytes_bytearray_and_memoryview():
    data = to_png(qr_image(CODE))
    for source in (data, bytearray(data), memoryview(data)):
        assert decode_image(source, fast=False) == [CODE]


@pytest.mark.parametrize("mode", ["RGB", "P", "1", "LA", "CMYK"])
def test_a_pillow_image_in_any_common_mode(mode):
    image = qr_image(CODE).convert(mode)
    assert decode_image(image, fast=False) == [CODE]
    assert image.mode == mode  # the caller's image is not changed


def test_a_transparent_png_reads_as_dark_on_white(tmp_path: Path):
    code = qr_image(CODE)
    rgba = Image.new("RGBA", code.size, (0, 0, 0, 0))  # transparent black background
    rgba.putalpha(code.point(lambda v: 255 - v))  # only the dark modules are opaque
    path = tmp_path / "transparent.png"
    rgba.save(path)
    assert decode_image(path, fast=False) == [CODE]


def test_a_jpeg_photo(tmp_path: Path):
    path = tmp_path / "photo.jpg"
    camera_frame([qr_image(CODE, scale=6)], seed=4).convert("RGB").save(path, quality=80)
    assert decode_image(path, fast=False) == [CODE]


def test_a_large_image_is_downscaled_to_the_pixel_budget_before_decoding(tmp_path: Path):
    big = Image.new("L", (3000, 2000), 230)
    big.paste(qr_image(CODE, scale=30), (900, 300))
    limits = qr_image_module.Limits(decode_pixels=1_000_000)
    png, jpeg = tmp_path / "big.png", tmp_path / "big.jpg"
    big.save(png)
    big.save(jpeg, quality=90)
    for source in (big, png, jpeg):
        gray = qr_image_module.load_gray(source, limits)
        assert gray.width * gray.height <= 1_000_000
        # scaled to the budget, not further; a JPEG comes out of its decoder at 1/2, 1/4 or 1/8 scale, the
        # least of them that fits (image._draft_size), so it may have up to a quarter of the budget
        assert gray.width >= (1200 if source is not jpeg else 600)
        assert decode_image(source, fast=False, limits=limits) == [CODE]


def test_grayscale_conversion_happens_once_and_keeps_an_l_image_as_is():
    gray = qr_image(CODE)
    assert qr_image_module.load_gray(gray) is gray


# ---- the zxing-cpp first pass (the optional `fast` extra) ------------------------------------------


def test_fast_false_never_uses_zxing():
    assert scan_image(qr_image(CODE), fast=False).step != "zxing"


def test_without_zxing_installed_the_default_is_the_zbar_pipeline(monkeypatch):
    monkeypatch.setattr(zxing, "available", lambda: False)
    found = scan_image(_dark_mode())
    assert found.codes == (CODE,) and found.step == "invert"


@pytest.mark.skipif(not zxing.available(), reason="zxing-cpp (the `fast` extra) is not installed")
def test_with_zxing_installed_it_gets_the_first_pass():
    found = scan_image(camera_frame([qr_image(CODE, scale=5)], seed=5))
    assert found.codes == (CODE,) and found.step == "zxing"


@pytest.mark.skipif(not zxing.available(), reason="zxing-cpp (the `fast` extra) is not installed")
def test_when_zxing_misses_the_frame_it_retries_on_a_variant():
    assert zxing.decode(qr_image_module.to_frame(_washed_out())) == []
    found = scan_image(_washed_out(), fast=True)
    assert found.codes == (CODE,) and found.step == "zxing-contrast"


@pytest.mark.skipif(not zxing.available(), reason="zxing-cpp (the `fast` extra) is not installed")
@pytest.mark.parametrize(("category", "seed", "step"), [("uneven", 1, "zxing-threshold"), ("low_contrast", 1, "zxing-contrast")])
def test_each_fast_retry_and_the_zbar_pass_read_a_hard_image(category, seed, step):
    sample = hard_sample(category, seed)  # seeds from tests/data/scanner_hard_corpus.json
    found = scan_image(sample.data)
    assert found.codes == sample.expected and found.step == step


@pytest.mark.skipif(not zxing.available(), reason="zxing-cpp (the `fast` extra) is not installed")
def test_a_code_of_1_3_pixel_modules_is_read_enlarged():
    text = ecode(5)
    small = qr_image(text, scale=1, border=2)
    small = small.resize((round(small.width * 1.3), round(small.height * 1.3)), Image.Resampling.BILINEAR)
    assert scan_image(small) == ScanResult((text,), "zxing-enlarge")


@pytest.mark.skipif(not zxing.available(), reason="zxing-cpp (the `fast` extra) is not installed")
def test_fast_mode_never_runs_zbar_on_a_frame_without_a_code(monkeypatch):
    calls = []
    real = zbar_module.decode
    monkeypatch.setattr(zbar_module, "decode", lambda frame: calls.append(frame.width) or real(frame))
    assert scan_image(camera_frame([], seed=950)).codes == ()
    assert calls == []  # no symbol seen, so no zbar pass at all; without zxing-cpp the whole pipeline runs
    calls.clear()
    monkeypatch.setattr(zxing, "available", lambda: False)
    assert scan_image(camera_frame([], seed=950)).codes == () and len(calls) > 5


# ---- cheapest first: the plain read, then zxing-cpp's own extra searches ---------------------------


@pytest.mark.skipif(not zxing.available(), reason="zxing-cpp (the `fast` extra) is not installed")
def test_a_clean_frame_with_a_qr_and_a_barcode_is_read_whole_by_the_plain_pass():
    second = ecode(1, area="440106")
    frame = camera_frame([qr_image(CODE, scale=5), ean13_image(PRODUCT), qr_image(second, scale=5)], seed=3, noise=10)
    found = scan_image(frame)
    assert sorted(found.codes) == sorted([CODE, PRODUCT, second]) and found.step == "zxing"
    assert [step for step, _ in found.tried] == ["load", "zxing"]  # nothing else was tried


@pytest.mark.skipif(not zxing.available(), reason="zxing-cpp (the `fast` extra) is not installed")
@pytest.mark.parametrize(("make", "expected"), [
    (_dark_mode, CODE),                                                              # light on dark
    (lambda: ean13_image(PRODUCT).transpose(Image.Transpose.ROTATE_90), PRODUCT),    # bars running across
], ids=["dark-mode", "barcode-turned-90"])
def test_what_the_plain_pass_leaves_the_full_search_reads(make, expected):
    image = make()
    assert zxing.decode(qr_image_module.to_frame(image), plain=True) == []  # the plain read misses it
    found = scan_image(image)
    assert found.codes == (expected,) and found.step == "zxing-full"
    assert [step for step, _ in found.tried] == ["load", "zxing", "zxing-full"]


@pytest.mark.skipif(not zxing.available(), reason="zxing-cpp (the `fast` extra) is not installed")
def test_tried_names_every_pass_in_order_with_its_time_and_a_miss_tries_them_all():
    found = scan_image(camera_frame([], seed=950))
    assert found.codes == () and found.step is None
    names = [step for step, _ in found.tried]
    assert names[:4] == ["load", "zxing", "zxing-full", "regions"]
    assert all(ms >= 0 for _, ms in found.tried)
    assert ScanResult((), None, (("load", 1.0),)) == ScanResult((), None)  # the cost is not part of the result
    zbar_only = scan_image(qr_image(CODE), fast=False)
    assert [step for step, _ in zbar_only.tried] == ["load", "half", "denoise"]  # half: no step, denoise read it
