"""The app page in headless Debian Chromium (Playwright): the person logs in on the login page, then a
screenshot decodes with pyzbar to a code the decode service accepts — for the person's own page and for
the guardian view of a minor.

The simulator runs as its own process (`python -m simulator serve --port 0`). Playwright drives the
system's /usr/bin/chromium and never downloads a browser; if Chromium is missing this test FAILS.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from family_world import PHARMACY, child, person, world
from PIL import Image
from pyzbar.pyzbar import decode

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ROOT = Path(__file__).resolve().parents[2]

@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """`python -m simulator serve` on a free port; yields its base URL (the first stdout line)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "simulator", "serve", "--port", "0", "--seed", "5",
                             "--db", f"sqlite:///{tmp_path / 'browser.sqlite'}"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        base = proc.stdout.readline().strip()
        assert base.startswith("http://127.0.0.1:"), (base, proc.stderr.read() if proc.poll() is not None else "")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def _chromium(playwright: Any) -> Any:
    if not CHROMIUM.exists():
        pytest.fail(f"Debian Chromium not found at {CHROMIUM}: run `make test` (its bootstrap installs the "
                    "chromium package), or `sudo apt-get install chromium`. This test never downloads a browser.")
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)


def _screenshot_code(page: Any) -> str:
    page.wait_for_function("() => { const i = document.getElementById('ecode'); "
                           "return i && i.complete && i.naturalWidth > 0; }")
    found = decode(Image.open(io.BytesIO(page.screenshot(full_page=True))))
    assert len(found) == 1, f"expected one QR code in the screenshot, found {len(found)}"
    return str(found[0].data.decode())


def _decode_service(base: str, code: str) -> dict[str, Any]:
    body = {"data": {"orgId": PHARMACY["shaanxi"], "businessType": "02121", "operatorId": "T001",
                     "operatorName": "收银员", "officeId": "01", "officeName": "收费处", "ecQrCode": code}}
    reply = requests.post(f"{base}/localcfc/api/hsecfc/localQrCodeQuery", json=body, timeout=30).json()
    assert reply["code"] == 0, reply
    return dict(reply["data"])


@pytest.mark.browser
def test_app_page_screenshot_decodes_to_an_accepted_code(served: str) -> None:
    from playwright.sync_api import sync_playwright

    base = served
    body = world(person("mum", "shaanxi", name="李秀英"), child("kid", "shaanxi", name="张小明"))
    body["people"][0] |= {"password": "mum-pass", "face": "mum-face"}  # a world may name the credentials
    mum_certno, kid_certno = body["people"][0]["certno"], body["people"][1]["certno"]
    h = requests.post(f"{base}/admin/world", json=body, timeout=30).json()["handles"]
    token = requests.post(f"{base}/app/login", json={"certno": mum_certno, "password": "mum-pass"},
                          timeout=30).json()["token"]
    requests.post(f"{base}/app/guardians", headers={"Authorization": f"Bearer {token}"}, timeout=30,
                  json={"guardian": h["mum"], "minor": h["kid"], "relation": "parent",
                        "face": {h["kid"]: kid_certno[-6:]}}).raise_for_status()  # the child's default face secret
    with sync_playwright() as playwright:
        browser = _chromium(playwright)
        try:
            page = browser.new_page(viewport={"width": 480, "height": 900})
            page.goto(f"{base}/app/persons/{h['mum']}")  # not logged in: refused, nothing shown
            assert "ERR_LOGIN_REQUIRED" in page.content()
            page.goto(f"{base}/app/login")
            page.fill("#certno", mum_certno)
            page.fill("#password", "mum-pass")
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/app/persons/{h['mum']}")
            own = _screenshot_code(page)
            assert _decode_service(base, own)["userName"] == "李秀英"

            before = page.get_attribute("#ecode", "src")
            page.evaluate("window.refreshEcode()")  # what the page's timer does before the 60 s expiry
            page.wait_for_function("(old) => document.getElementById('ecode').src !== old", arg=before)
            fresh = _screenshot_code(page)
            assert fresh != own and _decode_service(base, fresh)["userName"] == "李秀英"

            page.click("#family a")  # 亲情账户 -> the minor's own code
            assert "亲情账户" in page.inner_text("#guardian-view")
            minor = _screenshot_code(page)
            assert _decode_service(base, minor)["userName"] == "张小明"

            page.go_back()
            page.click("#logout")  # the session ends: the page can no longer fetch a code
            page.wait_for_url(f"{base}/app/login")
            assert requests.post(f"{base}/app/persons/{h['mum']}/evoucher", timeout=30,
                                 headers={"Authorization": f"Bearer {token}"}).status_code == 200  # other session
            resp = page.request.post(f"{base}/app/persons/{h['mum']}/evoucher")
            assert resp.status == 401 and resp.json()["code"] == "ERR_LOGIN_REQUIRED"
        finally:
            browser.close()


def test_missing_chromium_fails_and_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys.modules[__name__], "CHROMIUM", tmp_path / "no-chromium")
    with pytest.raises(pytest.fail.Exception, match="make test"):
        _chromium(object())
