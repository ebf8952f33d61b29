"""The README's agent example runs as written: `pos-plugin agent` started as a real process, driven with
curl and jq against the simulator, with a scanned e-voucher image."""

from __future__ import annotations

from agent_world import scenario
from readme_shell import readme_block, run_block


def test_readme_agent_example_sells_and_revokes(admin, sim_url, tmp_path, free_port):
    script = readme_block(r"## From any language: the local agent\n")
    loaded = admin.load_world(scenario("own-account-covers-everything"))
    before = admin.balances()
    _, png = admin.evoucher(loaded["handles"]["zhao"])
    (tmp_path / "frame.png").write_bytes(png)
    script = script.replace("http://127.0.0.1:8080", sim_url).replace("8765", str(free_port))
    out, err = run_block(script, tmp_path, timeout=60)
    assert '["本人账户","56.80"]' in out
    assert "西安康平大药房" in out and "56.80" in out  # the receipt
    assert '"on_platform":true' in out.replace(" ", "")
    assert admin.balances() == before  # sold, then revoked: every leg back
