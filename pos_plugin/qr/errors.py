"""The scanner's errors: each a `ScanError` (pos_plugin.errors) with a stable code and a Chinese message."""

from __future__ import annotations

from pos_plugin.errors import ScanError


class ImageNotFound(ScanError):
    code = "ERR_IMAGE_NOT_FOUND"
    default_message = "找不到图片文件"


class ImageUnreadable(ScanError):
    """Not an image, a truncated or corrupt file, or an unreadable path (a directory, no permission)."""

    code = "ERR_IMAGE_UNREADABLE"
    default_message = "无法读取图片（文件损坏、被截断或不是图片）"


class ImageTooLarge(ScanError):
    """More pixels than the scanner accepts: refused before decoding (decompression-bomb guard)."""

    code = "ERR_IMAGE_TOO_LARGE"
    default_message = "图片像素过多，已拒绝读取（防止解压炸弹）"


class DecoderMissing(ScanError):
    """The zbar shared library (or the pyzbar package) is not installed on this machine."""

    code = "ERR_ZBAR_MISSING"
    default_message = (
        "缺少条码识别库 zbar，无法识别图片中的二维码。安装方法：Debian/Ubuntu 执行 "
        "`sudo apt-get install libzbar0`；macOS 执行 `brew install zbar`；Windows 上 pyzbar 的 wheel "
        "已自带 zbar 的 DLL，若仍报错请安装 Visual C++ 2013 运行库（vcredist_x64.exe）。"
    )
