"""The README's shell example for the `pos-plugin` command runs as written: a scanned e-voucher, a sale,
its receipt and its revoke, against the simulator (the installed console script, bash, jq)."""

from __future__ import annotations

from e2e_world import scenario
from readme_shell import readme_block, run_block


def test_readme_shell_example_sells_reprints_and_revokes(admin, sim_url, tmp_path):
    script = readme_block(r"A whole sale from the shell")
    admin.load_world(scenario("own-account-covers-everything"))
    before = admin.balances()
    assert not (tmp_path / "frame.png").exists()  # the README says where frame.png comes from, and fetches it
    out, _ = run_block(script.replace("http://127.0.0.1:8080", sim_url), tmp_path, timeout=120,
                       YIBAO_STATE_DIR=str(tmp_path / "var"))
    lines = out.splitlines()
    assert lines[0] == '[["own","56.80"]]'
    assert "西安康平大药房" in out and "已撤销结算" in out
    assert "  本人账户" in out and lines[-1] == "请退还顾客现金 0.00"  # every leg back, named
    assert admin.balances() == before  # sold, then revoked: every leg back
