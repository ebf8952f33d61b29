"""The README's shell example for the `pos-plugin` command runs as written: a scanned e-voucher, a sale,
its receipt and its revoke, against the simulator (the installed console script, bash, jq)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from e2e_world import ROOT, scenario


def test_readme_shell_example_sells_reprints_and_revokes(admin, sim_url, tmp_path):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    script = re.search(r"A whole sale from the shell.*?```sh\n(.*?)```", text, re.S).group(1)
    admin.load_world(scenario("own-account-covers-everything"))
    before = admin.balances()
    assert not (tmp_path / "frame.png").exists()  # the README says where frame.png comes from, and fetches it
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}",
               YIBAO_STATE_DIR=str(tmp_path / "var"))
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script.replace("http://127.0.0.1:8080", sim_url)],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, (done.stdout, done.stderr)
    lines = done.stdout.splitlines()
    assert lines[0] == '[["own","56.80"]]'
    assert "西安康平大药房" in done.stdout and "已撤销结算" in done.stdout
    assert "  本人账户" in done.stdout and lines[-1] == "请退还顾客现金 0.00"  # every leg back, named
    assert admin.balances() == before  # sold, then revoked: every leg back
