"""The README's agent example runs as written: `pos-plugin agent` started as a real process, driven with
curl and jq against the simulator, with a scanned e-voucher image."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

from agent_world import ROOT, scenario


def test_readme_agent_example_sells_and_revokes(admin, sim_url, tmp_path, free_port):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    script = re.search(r"## From any language: the local agent\n.*?```sh\n(.*?)```", text, re.S).group(1)
    loaded = admin.load_world(scenario("own-account-covers-everything"))
    before = admin.balances()
    _, png = admin.evoucher(loaded["handles"]["zhao"])
    (tmp_path / "frame.png").write_bytes(png)
    script = script.replace("http://127.0.0.1:8080", sim_url).replace("8765", str(free_port))
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    proc = subprocess.Popen(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    assert proc.returncode == 0, (out, err)
    assert '["本人账户","56.80"]' in out
    assert "西安康平大药房" in out and "56.80" in out  # the receipt
    assert '"on_platform":true' in out.replace(" ", "")
    assert admin.balances() == before  # sold, then revoked: every leg back
