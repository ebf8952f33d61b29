"""The README's hospital stay with curl runs as written: `pos-plugin agent` as a real process, driven with curl
and jq against the simulator: admit, two days of fees, discharge, quote, settle, revoke, the receipt again."""

from __future__ import annotations

from agent_world import scenario
from readme_shell import readme_block, run_block


def test_readme_agent_stay_settles_and_revokes(admin, sim_url, tmp_path, free_port):
    script = readme_block(r"### A hospital stay with curl\n")
    admin.load_world(scenario("shaanxi-retiree-first-stay"))
    before = admin.balances()
    script = script.replace("http://127.0.0.1:8080", sim_url).replace("8765", str(free_port))
    out, err = run_block(script, tmp_path, timeout=90)
    assert '[["00001","180.00"],["00002","630.00"]]' in out
    assert "discharged" in out
    assert '[["本人账户","800.00"],["共济账户(第一顺位 王*)","32.90"]]' in out
    assert "出院结算单（医保住院结算）" in out and "1647.10" in out
    assert '{"fund_returned":"1647.10","legs_returned":[{"source":"own","amount":"800.00"},{"source":"funder","amount":"32.90"}]}' \
        in out.replace(" ", ""), (out[-300:], err[-3000:])  # the agent's access log says what the revoke answered
    assert out.rstrip().splitlines()[-1] == "（该结算已撤销）"  # the receipt reprinted after the revoke
    assert admin.balances() == before
