"""`pos-plugin scan IMAGE... [--json]`: decode and classify every code in each image.

Exit status: 0 when every image was read (even if some hold no code), 1 when any image could not be
read (missing, not an image, truncated, too large: that image gets an error line and the others are
still scanned), 2 on a usage error or when scanning is impossible on this machine: zbar not installed
raises `DecoderMissing`, which the `pos-plugin` group renders (``ERR_ZBAR_MISSING: ...`` on stderr,
exit 2) like every other PosError.
"""

from __future__ import annotations

import json

import click

from pos_plugin.errors import ScanError
from pos_plugin.qr import Classification, DecoderMissing, classify, decode_image

EXIT_IMAGE_ERROR = 1


@click.command("scan")
@click.argument("images", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="每张图片输出一行 JSON：{image, codes[{text, kind}], error}")
@click.option("--zbar-only", is_flag=True, help="只用 zbar（不用已安装的 zxing-cpp 快速通道）")
@click.pass_context
def scan(ctx: click.Context, images: tuple[str, ...], as_json: bool, zbar_only: bool) -> None:
    """识别图片中的二维码和条码，并说明每个码是什么（医保电子凭证、身份证号、社保卡号、付款码、商品条码、其他）。

    退出码：0 全部图片已读取；1 有图片无法读取；2 本机缺少 zbar。
    """
    failed = False
    for path in images:
        try:
            found = [(text, classify(text)) for text in decode_image(path, fast=False if zbar_only else None)]
            error = None
        except DecoderMissing:
            raise  # the machine, not this image: stop, and let the CLI render it once
        except ScanError as exc:
            found, error, failed = [], str(exc), True
        click.echo(_json_line(path, found, error) if as_json else _text_block(path, found, error))
    ctx.exit(EXIT_IMAGE_ERROR if failed else 0)


def _json_line(path: str, found: list[tuple[str, Classification]], error: str | None) -> str:
    codes = [{"text": text, "kind": str(result.kind)} for text, result in found]
    return json.dumps({"image": path, "codes": codes, "error": error}, ensure_ascii=False)


def _text_block(path: str, found: list[tuple[str, Classification]], error: str | None) -> str:
    if error is not None:
        return f"{path}: 错误 {error}"
    if not found:
        return f"{path}: 未识别到二维码或条码"
    lines = [f"{path}: {len(found)} 个码"]
    lines += [f"  [{result.kind}] {text}  {result.message}" for text, result in found]
    return "\n".join(lines)
