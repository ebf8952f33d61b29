"""Bad input to the scanner: missing, non-image, truncated and huge files, decompression bombs, no zbar."""

import importlib.abc
import struct
import sys
import warnings
import zlib
from pathlib import Path

import pytest
from PIL import Image

from pos_plugin.errors import PosError, ScanError
from pos_plugin.lab.scanner.synth import camera_frame, ecode, qr_image, to_png
from pos_plugin.qr import (
    DecoderMissing,
    ImageNotFound,
    ImageTooLarge,
    ImageUnreadable,
    Limits,
    classify,
    decode_image,
    scan_image,
)

CODE = ecode(0)


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims `width` x `height` (1-bit gray) and carries one row: a few hundred bytes."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    one_row = zlib.compress(b"\x00" + b"\x00" * ((width + 7) // 8))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", one_row) + chunk(b"IEND", b"")


def assert_scan_error(exc_info, cls, code: str, words: str) -> None:
    error = exc_info.value
    assert isinstance(error, cls) and isinstance(error, ScanError) and isinstance(error, PosError)
    assert error.code == code
    assert str(error).startswith(f"{code}: ")
    assert words in error.message


# ---- unreadable ------------------------------------------------------------------------------------


def test_a_missing_file(tmp_path: Path):
    with pytest.raises(ImageNotFound) as exc_info:
        decode_image(tmp_path / "nope.png")
    assert_scan_error(exc_info, ImageNotFound, "ERR_IMAGE_NOT_FOUND", "找不到图片文件")
    assert "nope.png" in exc_info.value.message


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"hello, this is not an image",
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n",
        b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n",  # a format the scanner does not open
        b"\x89PNG\r\n\x1a\n",  # a PNG signature and nothing else
    ],
    ids=["empty", "text", "pdf", "eps", "png-signature-only"],
)
def test_bytes_that_are_not_an_image(data):
    with pytest.raises(ImageUnreadable) as exc_info:
        decode_image(data)
    assert_scan_error(exc_info, ImageUnreadable, "ERR_IMAGE_UNREADABLE", "无法读取图片")


def test_a_text_file_and_a_directory(tmp_path: Path):
    notes = tmp_path / "notes.png"
    notes.write_text("收银员备注", encoding="utf-8")
    for path in (notes, tmp_path):
        with pytest.raises(ImageUnreadable) as exc_info:
            decode_image(path)
        assert_scan_error(exc_info, ImageUnreadable, "ERR_IMAGE_UNREADABLE", "无法读取图片")


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_a_truncated_file(tmp_path: Path, fmt):
    path = tmp_path / f"cut.{fmt.lower()}"
    camera_frame([qr_image(CODE)], seed=1).save(path, format=fmt)
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ImageUnreadable) as exc_info:
        decode_image(path)
    assert_scan_error(exc_info, ImageUnreadable, "ERR_IMAGE_UNREADABLE", "损坏或被截断")
    assert decode_image(whole, fast=False) == [CODE]  # the same image, whole, is fine


def test_an_empty_pillow_image():
    with pytest.raises(ImageUnreadable):
        decode_image(Image.new("L", (0, 0)))


# ---- too large -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("width", "height"),
    [
        (30_000, 30_000),  # beyond twice Pillow's limit: Pillow raises DecompressionBombError at open
        (10_000, 10_000),  # beyond Pillow's limit: Pillow only warns; the scanner refuses
        (8_000, 7_000),  # within Pillow's limit, beyond the scanner's 50 MP
    ],
)
def test_decompression_bombs_are_refused_before_any_pixel_is_decoded(width, height):
    bomb = png_header_only(width, height)
    assert len(bomb) < 10_000
    before = Image.MAX_IMAGE_PIXELS
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing may leak out as a warning either
        with pytest.raises(ImageTooLarge) as exc_info:
            decode_image(bomb)
    assert_scan_error(exc_info, ImageTooLarge, "ERR_IMAGE_TOO_LARGE", "解压炸弹")
    assert Image.MAX_IMAGE_PIXELS == before  # no global setting was changed


def test_the_pixel_limit_is_a_parameter(tmp_path: Path):
    path = tmp_path / "wide.png"
    camera_frame([qr_image(CODE)], seed=2).save(path)
    with pytest.raises(ImageTooLarge) as exc_info:
        decode_image(path, limits=Limits(max_pixels=500_000))
    assert "1280×720" in exc_info.value.message
    with pytest.raises(ImageTooLarge):
        decode_image(Image.new("L", (1000, 1000)), limits=Limits(max_pixels=500_000))
    assert decode_image(path, fast=False) == [CODE]


# ---- zbar not installed ----------------------------------------------------------------------------


@pytest.fixture
def without_libzbar(monkeypatch):
    """Make the real pyzbar fail to find libzbar, as on a machine without it, and re-import pyzbar."""
    import pyzbar.zbar_library

    monkeypatch.setattr(pyzbar.zbar_library, "find_library", lambda name: None)
    monkeypatch.setattr(pyzbar.zbar_library.platform, "system", lambda: "Linux")
    for name in ("pyzbar.pyzbar", "pyzbar.wrapper"):
        monkeypatch.delitem(sys.modules, name, raising=False)


def test_missing_libzbar_says_what_to_install(without_libzbar):
    with pytest.raises(DecoderMissing) as exc_info:
        scan_image(to_png(qr_image(CODE)), fast=False)
    assert_scan_error(exc_info, DecoderMissing, "ERR_ZBAR_MISSING", "zbar")
    message = exc_info.value.message
    assert "apt-get install libzbar0" in message
    assert "brew install zbar" in message
    assert "Windows" in message
    cause = exc_info.value.__cause__
    assert isinstance(cause, ImportError) and "Unable to find zbar shared library" in str(cause)


def test_missing_libzbar_is_reported_even_with_zxing_and_before_reading_the_file(without_libzbar, tmp_path):
    with pytest.raises(DecoderMissing):
        scan_image(tmp_path / "not-even-there.png", fast=True)


def test_the_classifier_works_without_zbar(without_libzbar):
    assert classify(CODE).kind == "ecode"


class _HidePyzbar(importlib.abc.MetaPathFinder):
    """An import finder that answers for pyzbar the way Python does when it is not installed."""

    def find_spec(self, name, path, target=None):
        if name.split(".")[0] == "pyzbar":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


def test_missing_pyzbar_package_says_pip_install(monkeypatch):
    for name in [name for name in sys.modules if name.split(".")[0] == "pyzbar"]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(sys, "meta_path", [_HidePyzbar(), *sys.meta_path])
    with pytest.raises(DecoderMissing) as exc_info:
        decode_image(to_png(qr_image(CODE)))
    assert "pip install pyzbar" in exc_info.value.message


def test_after_the_simulation_zbar_works_again():
    assert decode_image(to_png(qr_image(CODE)), fast=False) == [CODE]
