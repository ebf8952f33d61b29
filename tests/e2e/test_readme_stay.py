"""The README's hospital stay by hand with the `pos-plugin stay` commands runs as written: admit, two fee
batches on two days, discharge, settle, receipt, revoke, against the simulator (the console script, bash, jq)."""

from __future__ import annotations

from e2e_world import scenario
from readme_shell import readme_block, run_block


def test_readme_stay_by_hand_settles_reprints_and_revokes(admin, sim_url, tmp_path):
    script = readme_block(r"A hospital stay from the shell, by hand")
    admin.load_world(scenario("shaanxi-retiree-first-stay"))
    before = admin.balances()
    out, _ = run_block(script.replace("http://127.0.0.1:8080", sim_url), tmp_path, timeout=180,
                       YIBAO_STATE_DIR=str(tmp_path / "var"))
    assert '["1647.10",[["own","800.00"],["funder","32.90"]]]' in out
    assert "出院结算单（医保住院结算）" in out and "入院: 2026-03-02 09:00:00" in out and "住院 4 天" in out
    assert "已撤销住院结算" in out.splitlines()[-1]
    assert admin.balances() == before  # settled, then revoked: every leg back
