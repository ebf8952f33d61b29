"""The README's outpatient visit by hand with the `pos-plugin visit` commands runs as written: register, two fee
batches, a third deleted, pre-settle, settle, revoke, cancel, against the simulator (the console script, bash, jq)."""

from __future__ import annotations

from e2e_world import scenario
from readme_shell import readme_block, run_block


def test_readme_visit_by_hand_settles_revokes_and_cancels(admin, sim_url, tmp_path):
    script = readme_block(r"An outpatient visit from the shell, by hand")
    admin.load_world(scenario("shaanxi-retiree-two-funders"))
    before = admin.balances()
    out, _ = run_block(script.replace("http://127.0.0.1:8080", sim_url), tmp_path, timeout=180,
                       YIBAO_STATE_DIR=str(tmp_path / "var"))
    assert '["243.74",[["own","35.20"],["funder","180.00"],["funder","73.06"]]]' in out
    assert "已上传批次 0003" in out and "已删除 2 条费用" in out and "统筹基金支付" in out
    assert "已撤销门诊结算" in out and out.splitlines()[-1].startswith("已撤销挂号")
    assert admin.balances() == before  # settled, then revoked: every leg back
