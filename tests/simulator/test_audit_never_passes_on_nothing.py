"""The audit cannot pass on nothing (issue 15 item 1): a database that does not exist, an institution that sent
nothing in the window and a malformed institution code are refused (exit 2, nothing created); a rule the
traffic did not exercise makes the verdict INCOMPLETE (exit 3) unless the tester waives it by name; the
report says how many exchanges it read. Each case here once answered `PASS` with exit 0."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from flask import Flask
from sim_client import FlaskTransport
from sim_flows import Sim
from test_audit_careless_client import Ran, buy, settle_properly, till
from werkzeug.serving import make_server

from simulator import create_app
from simulator.cli import main
from tools.worlds import PHARMACY


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    made = create_app({"db_url": f"sqlite:///{tmp_path / 'audit.sqlite'}", "seed": 3})
    yield made
    made.extensions["simulator"].platform.store.dispose()


@pytest.fixture
def sim(app: Flask) -> Sim:
    return Sim(FlaskTransport(app.test_client()))


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Ran]:
    def run(*args: str) -> Ran:
        capsys.readouterr()
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 2
        out = capsys.readouterr()
        return Ran(code, out.out, out.err)

    return run


def one_sale(sim: Sim, app: Flask) -> str:
    """A till that signs in and makes one proper sale (3 requests: 9001, 2101, 2102); the database URL."""
    pc, pat = till(sim)
    settle_properly(pc, pat)
    app.extensions["simulator"].platform.store.traffic.flush()
    return str(app.config["SIMULATOR"].db_url)


def test_a_database_that_does_not_exist_is_an_error_and_is_not_created(cli, tmp_path: Path) -> None:
    missing = tmp_path / "no-such.db"
    for where in (f"sqlite:///{missing}", str(missing)):
        ran = cli("audit", "--db", where, "--institution", "H61010300009")
        assert ran.returncode == 2, ran.stdout + ran.stderr
        assert ran.stderr.startswith("ERR_AUDIT_NO_DATABASE: ") and "不存在" in ran.stderr and ran.stdout == ""
        assert not missing.exists() and list(tmp_path.iterdir()) == []


def test_a_database_that_is_not_the_simulators_is_an_error_and_stays_as_it_was(cli, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    ran = cli("audit", "--db", f"sqlite:///{other}", "--institution", PHARMACY)
    assert ran.returncode == 2 and ran.stderr.startswith("ERR_AUDIT_NO_DATABASE: ") and "traffic" in ran.stderr
    with sqlite3.connect(other) as conn:
        assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")] == ["t"]
    conn.close()


def test_an_institution_with_no_exchanges_is_an_error(sim: Sim, app: Flask, cli) -> None:
    db = one_sale(sim, app)
    silent = cli("audit", "--db", db, "--institution", "H61010300009")
    assert silent.returncode == 2 and silent.stderr.startswith("ERR_AUDIT_NO_TRAFFIC: "), silent.stderr
    assert "H61010300009" in silent.stderr and silent.stdout == ""
    later = cli("audit", "--db", db, "--institution", PHARMACY, "--since", "2099-01-01")
    assert later.returncode == 2 and "ERR_AUDIT_NO_TRAFFIC" in later.stderr
    route = sim.t.get("/admin/audit?institution=H61010300009")
    assert route.status == 404 and route.body["code"] == "ERR_AUDIT_NO_TRAFFIC"
    page = app.test_client().get("/console/audit?institution=H61010300009")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "ERR_AUDIT_NO_TRAFFIC" in text and 'id="verdict"' not in text


@pytest.mark.parametrize("code", ["p61010300017", "P6101030001", "P610103000170", "610103000171", "Ｐ61010300017"])
def test_an_institution_code_of_the_wrong_shape_is_refused(sim: Sim, app: Flask, cli, code: str) -> None:
    db = one_sale(sim, app)
    ran = cli("audit", "--db", db, "--institution", code)
    assert ran.returncode == 2 and ran.stderr.startswith("ERR_BAD_INSTITUTION_CODE: "), ran.stderr
    assert "1 位大写字母加 11 位数字" in ran.stderr
    route = sim.t.get(f"/admin/audit?institution={quote(code)}")
    assert route.status == 400 and route.body["code"] == "ERR_BAD_INSTITUTION_CODE"


def test_rules_not_exercised_make_the_verdict_incomplete_until_waived_by_name(sim: Sim, app: Flask, cli) -> None:
    db = one_sale(sim, app)
    table = cli("audit", "--db", db, "--institution", PHARMACY)
    assert table.returncode == 3, table.stdout + table.stderr
    assert "结论 verdict: 不完整 INCOMPLETE" in table.stdout
    assert "读取报文 3 笔  评判 3 笔" in table.stdout  # 9001, 2101, 2102: what it read, said
    report = json.loads(cli("audit", "--db", db, "--institution", PHARMACY, "--json").stdout)
    assert report["verdict"] == "incomplete" and report["passed"] is False and report["exchanges"] == 3
    idle = [r["id"] for r in report["rules"] if r["status"] == "not_exercised"]
    assert "SIGNOUT" in idle and "DAYEND-TOTALS" in idle and "PRESETTLE-FIRST" not in idle
    assert f"--waive {','.join(idle)}" in table.stdout  # the table names what is missing
    # Waiving all but one: still INCOMPLETE. Waiving every one, by name: PASS, and the waived are listed.
    assert cli("audit", "--db", db, "--institution", PHARMACY, "--waive", ",".join(idle[1:])).returncode == 3
    waived = cli("audit", "--db", db, "--institution", PHARMACY, "--json",
                 "--waive", idle[0], "--waive", ",".join(idle[1:]))
    assert waived.returncode == 0, waived.stdout
    done = json.loads(waived.stdout)
    assert done["verdict"] == "pass" and done["waived"] == idle and done["counts"]["waived"] == len(idle)
    assert {r["id"] for r in done["rules"] if r["status"] == "waived"} == set(idle)
    route = sim.t.get(f"/admin/audit?institution={PHARMACY}&" + "&".join(f"waive={i}" for i in idle))
    assert route.status == 200 and route.body["verdict"] == "pass"
    assert sim.t.get(f"/admin/audit?institution={PHARMACY}").body["verdict"] == "incomplete"


def test_a_waived_rule_the_traffic_breaks_still_fails(sim: Sim, app: Flask, cli) -> None:
    pc, pat = till(sim)
    assert pc.call("2102", {"data": {}}).code  # a refused request: still judged
    settle_properly(pc, pat)
    assert pc.call("2102", buy(pat)).ok  # settles with neither pre-settlement nor payplan
    app.extensions["simulator"].platform.store.traffic.flush()
    ran = cli("audit", "--db", str(app.config["SIMULATOR"].db_url), "--institution", PHARMACY,
              "--waive", "PRESETTLE-FIRST,PAYPLAN-HONOURED")
    assert ran.returncode == 1 and "结论 verdict: 不通过 FAIL" in ran.stdout, ran.stdout


def test_an_unknown_rule_to_waive_is_refused(sim: Sim, app: Flask, cli) -> None:
    db = one_sale(sim, app)
    ran = cli("audit", "--db", db, "--institution", PHARMACY, "--waive", "SIGNOUT,SIGN-OUT")
    assert ran.returncode == 2 and ran.stderr.startswith("ERR_AUDIT_RULE_UNKNOWN: ") and "'SIGN-OUT'" in ran.stderr
    route = sim.t.get(f"/admin/audit?institution={PHARMACY}&waive=NOPE")
    assert route.status == 400 and route.body["code"] == "ERR_AUDIT_RULE_UNKNOWN"


def test_over_url_the_same_verdicts_and_refusals(sim: Sim, app: Flask, cli) -> None:
    one_sale(sim, app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    try:
        partial = cli("audit", "--url", url, "--institution", PHARMACY, "--json")
        assert partial.returncode == 3, partial.stdout + partial.stderr
        idle = [r["id"] for r in json.loads(partial.stdout)["rules"] if r["status"] == "not_exercised"]
        assert len(",".join(idle)) > 64  # longer than one query parameter may be: sent one ?waive= per rule
        waived = cli("audit", "--url", url, "--institution", PHARMACY, "--waive", ",".join(idle))
        assert waived.returncode == 0 and "结论 verdict: 通过 PASS" in waived.stdout, waived.stdout + waived.stderr
        silent = cli("audit", "--url", url, "--institution", "H61010300009")
        assert silent.returncode == 2 and silent.stderr.startswith("ERR_AUDIT_NO_TRAFFIC: ")
        lower = cli("audit", "--url", url, "--institution", PHARMACY.lower())
        assert lower.returncode == 2 and lower.stderr.startswith("ERR_BAD_INSTITUTION_CODE: ")
    finally:
        server.shutdown()
        thread.join()
