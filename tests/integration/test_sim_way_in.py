"""A way in (issue 15 item 8): `yibao-sim serve` says where its console is and who is loaded, `/` leads to the
console, the help shows defaults and environment variables, and a busy port is one error line — the real
command, as a separate process over real HTTP."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "fixtures" / "scenarios" / "own-account-covers-everything.json"


def yibao_sim(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "simulator", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


def test_serve_prints_the_console_and_the_loaded_people_and_slash_leads_to_the_console(tmp_path: Path):
    proc = subprocess.Popen([sys.executable, "-m", "simulator", "serve", "--port", "0", "--db",
                             f"sqlite:///{tmp_path / 'sim.sqlite'}", "--load", str(SCENARIO)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        base = proc.stdout.readline().strip()  # the first line stays the bare URL scripts read
        assert base.startswith("http://127.0.0.1:"), base
        banner = [proc.stdout.readline().rstrip("\n") for _ in range(5)]
        handles = requests.get(base + "/admin/handles", timeout=10).json()["handles"]
        assert banner[0] == f"控制台 console: {base}/console"  # before: the URL only
        assert banner[2] == "已载入 2 人 loaded people (handle = psn_no):"
        assert sorted(banner[3:]) == sorted(f"  {h} = {handles[h]}  (e-voucher: {base}/admin/evouchers/{handles[h]}.png)"
                                            for h in ("zhao", "wife"))
        home = requests.get(base + "/", timeout=10, allow_redirects=False)  # before: a JSON 404
        assert home.status_code == 302 and home.headers["Location"].endswith("/console")
        console = requests.get(base + "/", timeout=10)
        assert console.status_code == 200 and "text/html" in console.headers["Content-Type"]
        assert requests.get(f"{base}/admin/evouchers/{handles['zhao']}.png", timeout=10).content[:4] == b"\x89PNG"
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0


def test_a_busy_port_is_one_error_line(tmp_path: Path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        for server in ("auto", "werkzeug"):
            ran = yibao_sim("serve", "--port", str(port), "--server", server, "--db",
                            f"sqlite:///{tmp_path / 'busy.sqlite'}")
            assert ran.returncode == 2 and ran.stdout == "", ran.stdout
            lines = ran.stderr.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith(f"ERR_PORT_IN_USE: 端口 {port} 已被占用"), ran.stderr
    assert not (tmp_path / "busy.sqlite").exists()  # refused before anything was created


def test_help_shows_defaults_and_environment_variables():
    top = yibao_sim("--help")
    assert top.returncode == 0 and "YIBAO_SIM_ADMIN_TOKEN" in top.stdout and "/console" in top.stdout
    serve = " ".join(yibao_sim("serve", "--help").stdout.split())
    for shown in ("(default: 8770)", "(default: 127.0.0.1)", "(default: 4)", "YIBAO_SIM_MAX_BODY_MB",
                  "YIBAO_SIM_ADMIN_TOKEN", "a fresh SQLite file in a temporary directory"):
        assert shown in serve, shown
    assert "(default: )" not in serve and "(default: [])" not in serve
    assert "(default: 600.0)" in " ".join(yibao_sim("audit", "--help").stdout.split())
