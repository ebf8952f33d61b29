"""`pos-plugin scan IMAGE... [--json]` through click's CliRunner, on real images decoded by zbar."""

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from pos_plugin.cli.scan import scan
from pos_plugin.lab.scanner.synth import camera_frame, ean13, ean13_image, ecode, inverted, qr_image, to_png

VOUCHER = ecode(0)
WECHAT = "134567890123456789"
PRODUCT = ean13("690123456789")


@pytest.fixture
def images(tmp_path: Path) -> dict[str, Path]:
    paths = {
        "voucher": tmp_path / "voucher.png",
        "dark": tmp_path / "dark-mode.png",
        "wechat": tmp_path / "wechat.png",
        "shelf": tmp_path / "shelf.png",
        "blank": tmp_path / "blank.png",
        "corrupt": tmp_path / "corrupt.png",
    }
    paths["voucher"].write_bytes(to_png(qr_image(VOUCHER)))
    paths["dark"].write_bytes(to_png(inverted(qr_image(VOUCHER))))
    paths["wechat"].write_bytes(to_png(qr_image(WECHAT)))
    paths["shelf"].write_bytes(to_png(camera_frame([ean13_image(PRODUCT)], seed=1, noise=8)))
    paths["blank"].write_bytes(to_png(camera_frame([], seed=2)))
    whole = to_png(qr_image(VOUCHER))
    paths["corrupt"].write_bytes(whole[: len(whole) // 2])
    return paths


def run(*args: object):
    return CliRunner().invoke(scan, [str(arg) for arg in args])


def json_lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines()]


def test_json_one_line_per_image_in_argument_order(images):
    result = run("--json", images["wechat"], images["voucher"], images["shelf"], images["blank"], "--zbar-only")
    assert result.exit_code == 0, result.output
    assert json_lines(result.stdout) == [
        {"image": str(images["wechat"]), "codes": [{"text": WECHAT, "kind": "payment"}], "error": None},
        {"image": str(images["voucher"]), "codes": [{"text": VOUCHER, "kind": "ecode"}], "error": None},
        {"image": str(images["shelf"]), "codes": [{"text": PRODUCT, "kind": "product"}], "error": None},
        {"image": str(images["blank"]), "codes": [], "error": None},
    ]


def test_an_unreadable_image_is_an_error_line_and_the_others_are_still_scanned(images, tmp_path):
    missing = tmp_path / "missing.png"
    result = run("--json", images["corrupt"], images["voucher"], missing, images["dark"])
    assert result.exit_code == 1
    lines = json_lines(result.stdout)
    assert [line["image"] for line in lines] == [str(p) for p in (images["corrupt"], images["voucher"], missing, images["dark"])]
    assert lines[0]["codes"] == [] and lines[0]["error"].startswith("ERR_IMAGE_UNREADABLE: 无法读取图片")
    assert lines[1] == {"image": str(images["voucher"]), "codes": [{"text": VOUCHER, "kind": "ecode"}], "error": None}
    assert lines[2]["codes"] == [] and lines[2]["error"].startswith("ERR_IMAGE_NOT_FOUND: ")
    assert lines[3]["codes"] == [{"text": VOUCHER, "kind": "ecode"}] and lines[3]["error"] is None


def test_every_code_of_a_multi_code_image_is_listed(tmp_path):
    path = tmp_path / "counter.png"
    other = ecode(1, area="440106")
    path.write_bytes(to_png(camera_frame([qr_image(VOUCHER, scale=5), qr_image(other, scale=5)], seed=3)))
    result = run("--json", path)
    assert result.exit_code == 0
    (line,) = json_lines(result.stdout)
    assert sorted(code["text"] for code in line["codes"]) == sorted([VOUCHER, other])
    assert {code["kind"] for code in line["codes"]} == {"ecode"}


def test_human_output_names_the_kind_and_says_plainly_what_is_not_an_insurance_code(images):
    result = run(images["voucher"], images["wechat"], images["blank"], images["corrupt"])
    assert result.exit_code == 1
    out = result.stdout
    assert f"[ecode] {VOUCHER}" in out and "医保电子凭证" in out
    assert f"[payment] {WECHAT}" in out and "这是微信付款码，不是医保电子凭证" in out
    assert f"{images['blank']}: 未识别到二维码或条码" in out
    assert f"{images['corrupt']}: 错误 ERR_IMAGE_UNREADABLE" in out
    assert out.index(str(images["voucher"])) < out.index(str(images["wechat"])) < out.index(str(images["blank"]))


def test_no_image_argument_is_a_usage_error():
    result = run()
    assert result.exit_code == 2
    assert "IMAGES" in result.output


def test_without_zbar_the_command_stops_with_the_install_hint(images, monkeypatch):
    import pyzbar.zbar_library

    from pos_plugin.cli import Cli  # the group that renders every PosError in one place

    monkeypatch.setattr(pyzbar.zbar_library, "find_library", lambda name: None)
    monkeypatch.setattr(pyzbar.zbar_library.platform, "system", lambda: "Linux")
    for name in ("pyzbar.pyzbar", "pyzbar.wrapper"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    group = Cli(commands=[scan])
    result = CliRunner().invoke(group, ["scan", "--json", str(images["voucher"]), str(images["wechat"])])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "ERR_ZBAR_MISSING" in result.stderr and "apt-get install libzbar0" in result.stderr
