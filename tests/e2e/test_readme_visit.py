"""The README's outpatient visit by hand with the `pos-plugin visit` commands runs as written: register, two fee
batches, a third deleted, pre-settle, settle, revoke, cancel, against the simulator (the console script, bash, jq)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from e2e_world import ROOT, scenario


def test_readme_visit_by_hand_settles_revokes_and_cancels(admin, sim_url, tmp_path):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    script = re.search(r"An outpatient visit from the shell, by hand.*?```sh\n(.*?)```", text, re.S).group(1)
    admin.load_world(scenario("shaanxi-retiree-two-funders"))
    before = admin.balances()
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}",
               YIBAO_STATE_DIR=str(tmp_path / "var"))
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script.replace("http://127.0.0.1:8080", sim_url)],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, (done.stdout, done.stderr)
    out = done.stdout
    assert '["243.74",[["own","35.20"],["funder","180.00"],["funder","73.06"]]]' in out
    assert "已上传批次 0003" in out and "已删除 2 条费用" in out and "统筹基金支付" in out
    assert "已撤销门诊结算" in out and out.splitlines()[-1].startswith("已撤销挂号")
    assert admin.balances() == before  # settled, then revoked: every leg back
