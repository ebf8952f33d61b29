"""Chinese that renders (issue 15 item 6): every page names a CJK font stack, and in headless Debian Chromium
the Chinese of the real pages draws as real glyphs, not as the missing-glyph box (tofu). The bootstrap installs
Debian's fonts-noto-cjk for this; on a machine without a CJK font this test FAILS."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from simulator import create_app

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
STACK = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", ' \
        '"WenQuanYi Micro Hei", sans-serif'
PAGES = [*sorted((ROOT / "simulator/protocol/templates").glob("*.html")), ROOT / "pos_plugin/agent/static/till.css"]
TEXT = "医保结算收银台撤销退回现金"
NO_FONT_HAS = "\ue000\ue001\ue002"  # private-use code points: a missing glyph in every font, the control

# Draws each character at 48 px in `font` on a canvas and returns its alpha channel, plus the missing-glyph box
# (an unassigned code point) drawn the same way.
GLYPHS = """([font, text]) => {
  const canvas = document.createElement('canvas'); canvas.width = 64; canvas.height = 64;
  const g = canvas.getContext('2d', {willReadFrequently: true});
  const draw = (ch) => {
    g.clearRect(0, 0, 64, 64); g.fillStyle = '#000'; g.textBaseline = 'top'; g.font = '48px ' + font;
    g.fillText(ch, 4, 4);
    const px = g.getImageData(0, 0, 64, 64).data; const alpha = [];
    for (let i = 3; i < px.length; i += 4) alpha.push(px[i]);
    return alpha.join(',');
  };
  return {box: draw('\\u0378'), glyphs: Array.from(text).map(draw)};
}"""


def missing_glyphs(page: Any, font: str, text: str) -> list[str]:
    """The characters of `text` that `font` draws as the missing-glyph box, or as one and the same shape."""
    drawn = page.evaluate(GLYPHS, [font, text])
    missing = [ch for ch, glyph in zip(text, drawn["glyphs"], strict=True)
               if glyph == drawn["box"] or not any(int(a) for a in glyph.split(","))]
    if len(set(drawn["glyphs"])) < len(set(text)):  # distinct characters drawn alike: boxes
        missing += [ch for ch, glyph in zip(text, drawn["glyphs"], strict=True)
                    if drawn["glyphs"].count(glyph) > 1 and ch not in missing]
    return missing


def test_every_page_names_the_cjk_font_stack():
    for path in PAGES:
        text = path.read_text(encoding="utf-8")
        stacks = re.findall(r"font-family:\s*([^;}]+)", text)
        body = [s for s in stacks if "sans-serif" in s]
        assert body and all(s.strip() == STACK for s in body), (path.name, stacks)


@pytest.fixture
def console_url(tmp_path: Path) -> Iterator[str]:
    app = create_app({"db_url": f"sqlite:///{tmp_path / 'sim.sqlite'}"})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
    app.extensions["simulator"].platform.store.dispose()


@pytest.mark.browser
def test_chinese_renders_as_glyphs_not_boxes(console_url: str):
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"Debian Chromium not found at {CHROMIUM}: `sudo apt-get install chromium`")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page()
            # The control: code points no font has are caught, so a pass below means something.
            page.set_content(f"<body style='font-family: {STACK}'>x</body>")
            assert missing_glyphs(page, STACK, NO_FONT_HAS) == list(NO_FONT_HAS)
            till = (ROOT / "pos_plugin/agent/static/index.html").as_uri()  # the web till, its own CSS
            for path in ("/console", "/console/audit", "/app/login", till):
                page.goto(path if path.startswith("file:") else console_url + path)
                font = page.evaluate("getComputedStyle(document.body).fontFamily")
                shown = page.inner_text("body")
                chinese = "".join(dict.fromkeys(ch for ch in shown if "\u4e00" <= ch <= "\u9fff"))[:24]
                assert len(chinese) >= 4, (path, shown[:200])
                missing = missing_glyphs(page, font, chinese + TEXT)
                assert missing == [], (f"{path}: {len(missing)} Chinese characters render as missing-glyph boxes "
                                       f"({''.join(missing)}); install Debian's fonts-noto-cjk (make test does)")
        finally:
            browser.close()
