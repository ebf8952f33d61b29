"""The README's hospital stay with curl runs as written: `pos-plugin agent` as a real process, driven with curl
and jq against the simulator: admit, two days of fees, discharge, quote, settle (the revoke by curl is left out: see the issue note)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

from agent_world import ROOT, scenario


def test_readme_agent_stay_settles_and_revokes(admin, sim_url, tmp_path, free_port):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    script = re.search(r"### A hospital stay with curl\n.*?```sh\n(.*?)```", text, re.S).group(1)
    admin.load_world(scenario("shaanxi-retiree-first-stay"))
    before = admin.balances()
    script = script.replace("http://127.0.0.1:8080", sim_url).replace("8765", str(free_port))
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    proc = subprocess.Popen(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=90)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    assert proc.returncode == 0, (out, err)
    assert '[["00001","180.00"],["00002","630.00"]]' in out
    assert "discharged" in out
    assert '[["本人账户","800.00"],["共济账户(第一顺位 王*)","32.90"]]' in out
    assert "出院结算单（医保住院结算）" in out and "1647.10" in out
    accounts = admin.balances()["accounts"]  # settled: own drained, the daughter paid 32.90
    assert accounts != before["accounts"]
