"""`pos-plugin signout`: the day-end 9002 the conformance audit asks for, against the real simulator."""

from __future__ import annotations

import json

import pytest
import requests
from click.testing import CliRunner
from e2e_world import scenario

from pos_plugin.cli import main


@pytest.fixture
def env(admin, sim_url, tmp_path):
    scen = scenario("own-account-covers-everything")
    admin.load_world(scen)
    inst = scen["institution"]
    cart = tmp_path / "cart.json"
    cart.write_text(json.dumps(scen["checkout"]["lines"], ensure_ascii=False), encoding="utf-8")
    return ({"YIBAO_PLATFORM": sim_url, "YIBAO_INSTITUTION": inst["code"], "YIBAO_INSTITUTION_NAME": inst["name"],
             "YIBAO_ADMDVS": inst["admdvs"], "YIBAO_STATE_DIR": str(tmp_path / "var")},
            ["checkout", "--code", scen["people"][0]["certno"], "--cart", str(cart), "--yes", "--json"])


def run(env, *args):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_signout_after_business_then_business_signs_in_again(env, sim_url):
    variables, checkout = env
    assert run(variables, *checkout).exit_code == 0
    out = run(variables, "signout")
    assert out.exit_code == 0 and out.output.startswith("已签退 签到编号 "), out.output
    sign_no = out.output.split()[-1]
    again = run(variables, *checkout)  # the next sale signs in again (9001 re-opens the day's sign_no)
    assert again.exit_code == 0, again.output
    audit = requests.get(f"{sim_url}/admin/audit", params={"institution": variables["YIBAO_INSTITUTION"]},
                         timeout=30).json()
    signnos = next(r for r in audit["rules"] if r["id"] == "SIGNNO-CURRENT")
    assert signnos["status"] == "pass" and sign_no.isdigit()


def test_signout_without_a_sign_in_sends_nothing(env):
    variables, _ = env
    out = run(variables, "signout")
    assert out.exit_code == 0 and out.output.strip() == "今日尚未签到，无需签退"


def test_signout_when_the_platform_is_unreachable_says_so(env, free_port):
    variables, checkout = env
    assert run(variables, *checkout).exit_code == 0
    down = run(dict(variables, YIBAO_PLATFORM=f"http://127.0.0.1:{free_port}"), "signout")
    assert down.exit_code == 2 and down.output.startswith("ERR_"), down.output
    assert run(variables, "signout").output.startswith("已签退")  # still signed in: it can be done later
