"""Proof the other way: a deliberately careless till (raw envelopes from `sim_client`, no pos_plugin)
breaks each rule of the audit catalogue in turn, and each breach is reported under the right rule id
with the offending msgid as evidence. Plus the audit's own failure paths (CLI, admin route, diff)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sim_apps import AppPool, fresh
from sim_client import FlaskTransport, ProtocolClient, fee_line
from sim_flows import PATIENT_CERT, Sim, druginfo

from simulator.audit.rules import RULES
from simulator.cli import main
from tools.worlds import PHARMACY, item, world

LINE = [fee_line("1", item("A001", "2", "9.50"))]


@pytest.fixture(scope="module")
def audit_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """One app for the module (tests/simulator/sim_apps.py), handed to each test reset."""
    pool = AppPool(f"sqlite:///{tmp_path_factory.mktemp('audit') / 'audit.sqlite'}")
    yield pool.lease({"seed": 3}, 0)
    pool.close()


@pytest.fixture
def app(audit_app: Flask) -> Flask:
    return fresh(audit_app)


@pytest.fixture
def sim(app: Flask) -> Sim:
    return Sim(FlaskTransport(app.test_client()))


def till(sim: Sim, sign_in: bool = True) -> tuple[ProtocolClient, str]:
    pat = sim.load(world())["handles"]["pat"]
    pc = sim.client(PHARMACY, sign_in=sign_in)
    pc.insuplc = "610103"
    return pc, pat


def buy(pat: str, **over: Any) -> dict[str, Any]:
    return druginfo(pat, PATIENT_CERT, LINE, "310", **over)


def settle_properly(pc: ProtocolClient, pat: str) -> dict[str, Any]:
    """2101, then 2102 with the payplan the pre-settlement showed (what a careful till does)."""
    pre = pc.call("2101", buy(pat)).output
    plan = [{"source": leg["source"], "amount": leg["amount"]} for leg in pre["payleg"]]
    return dict(pc.call("2102", buy(pat, exp={"payplan": plan})).output["setlinfo"])


def totals(pc: ProtocolClient, medfee: str, acct: str, count: int) -> Any:
    return pc.call("3201", {"data": {"insutype": "310", "clr_type": "41", "setl_optins": "610103",
                                     "stmt_begndate": "2026-05-10", "stmt_enddate": "2026-05-10",
                                     "medfee_sumamt": medfee, "fund_pay_sumamt": "0.00", "acct_pay": acct,
                                     "fixmedins_setl_cnt": str(count), "refd_setl_flag": "0"}})


# One careless act per rule: each returns the msgids the report must name as evidence.
def no_sign_in(sim: Sim) -> list[str]:
    pc, _ = till(sim, sign_in=False)
    assert pc.call("1101", {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": PATIENT_CERT[1]}}).code == \
        "ERR_NOT_SIGNED_IN"
    return [pc.last_msgid]


def made_up_sign_no(sim: Sim) -> list[str]:
    pc, _ = till(sim)
    pc.sign_no = "00000000000000000999"
    pc.person_info("02", PATIENT_CERT[1])
    return [pc.last_msgid]


def bad_msgid(sim: Sim) -> list[str]:
    pc, _ = till(sim)
    assert pc.call("1101", {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": PATIENT_CERT[1]}},
                   msgid="TILL-0001").code == "ERR_BAD_MSGID"
    return ["TILL-0001"]


def reused_msgid(sim: Sim) -> list[str]:
    pc, _ = till(sim)
    pc.person_info("02", PATIENT_CERT[1])
    again = pc.call("1101", {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": PATIENT_CERT[1]}},
                    msgid=pc.last_msgid)
    assert again.code == "ERR_MSGID_REUSED"
    return [pc.last_msgid]


def msgid_going_back(sim: Sim) -> list[str]:
    pc, _ = till(sim)
    old = f"{PHARMACY}202001010000000001"  # well formed, unused, but earlier than the sign-in's msgid
    assert pc.call("1101", {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": PATIENT_CERT[1]}}, msgid=old).ok
    return [old]


def settle_without_presettle(sim: Sim) -> list[str]:
    pc, pat = till(sim)
    assert pc.call("2102", buy(pat)).ok
    return [pc.last_msgid]


def settle_without_payplan(sim: Sim) -> list[str]:
    pc, pat = till(sim)
    assert pc.call("2101", buy(pat)).ok
    assert pc.call("2102", buy(pat)).ok
    return [pc.last_msgid]


def lost_reply_ignored(sim: Sim) -> list[str]:
    pc, pat = till(sim)
    assert pc.call("2101", buy(pat)).ok
    sim.admin("post", "/faults", {"infno": "2102", "kind": "drop_after_commit"})
    dropped = pc.call("2102", buy(pat))
    assert dropped.status == 500 and dropped.headers.get("X-Simulator-Dropped") == "1"
    return [pc.last_msgid]  # ... and the till never asks what became of it


def settle_again_while_unknown(sim: Sim) -> list[str]:
    pc, pat = till(sim)
    assert pc.call("2101", buy(pat)).ok
    sim.admin("post", "/faults", {"infno": "2102", "kind": "drop"})
    pc.call("2102", buy(pat))
    lost = pc.last_msgid
    assert pc.call("2102", buy(pat)).ok  # "the reply never came, just send it again"
    return [lost, pc.last_msgid]


def revoke_someone_elses(sim: Sim) -> list[str]:
    pc, pat = till(sim)
    done = settle_properly(pc, pat)
    pc.call("2103", {"data": {"setl_id": done["setl_id"], "mdtrt_id": "610103" + "9" * 16, "psn_no": pat}})
    return [pc.last_msgid]


def totals_that_differ(sim: Sim) -> list[str]:
    pc, pat = till(sim)
    settle_properly(pc, pat)
    assert totals(pc, "99.00", "99.00", 5).output["stmtinfo"]["stmt_rslt"] != "0"
    return [pc.last_msgid]


def no_detail_after_differing_totals(sim: Sim) -> list[str]:
    return totals_that_differ(sim)  # ... and no 3202 follows


def no_sign_out(sim: Sim) -> list[str]:
    pc, pat = till(sim)
    done = settle_properly(pc, pat)
    assert totals(pc, done["medfee_sumamt"], done["acct_pay"], 1).output["stmtinfo"]["stmt_rslt"] == "0"
    return [pc.last_msgid]  # the day ended (3201) and the till went home without 9002: the last request named


def full_id_in_a_memo(sim: Sim) -> list[str]:
    pc, pat = till(sim)
    pc.call("2101", buy(pat, memo=f"患者身份证 {PATIENT_CERT[1]}"))
    return [pc.last_msgid]


def traced_drug_without_codes(sim: Sim) -> list[str]:
    catalogue = world()["catalogue"] + [{"code": "T001", "name": "须追溯药", "class": "A", "traced": True}]
    pat = sim.load(world(catalogue=catalogue))["handles"]["pat"]
    pc = sim.client(PHARMACY)
    pc.insuplc = "610103"
    assert pc.call("2101", druginfo(pat, PATIENT_CERT, [fee_line("1", item("T001", "1", "9.50"))], "310")).code == \
        "ERR_TRACE_COUNT"
    return [pc.last_msgid]


BREACHES: dict[str, Callable[[Sim], list[str]]] = {
    "SIGNIN-FIRST": no_sign_in, "SIGNNO-CURRENT": made_up_sign_no, "MSGID-FORMAT": bad_msgid,
    "MSGID-UNIQUE": reused_msgid, "MSGID-ORDER": msgid_going_back, "PRESETTLE-FIRST": settle_without_presettle,
    "PAYPLAN-HONOURED": settle_without_payplan, "UNKNOWN-RESOLVED": lost_reply_ignored,
    "NO-RESETTLE": settle_again_while_unknown, "REVOKE-TARGET": revoke_someone_elses,
    "DAYEND-TOTALS": totals_that_differ, "DAYEND-DETAIL": no_detail_after_differing_totals,
    "SIGNOUT": no_sign_out, "NO-FULL-CERTNO": full_id_in_a_memo, "TRACE-CODES": traced_drug_without_codes,
}


def audit(sim: Sim, **params: str) -> dict[str, Any]:
    query = "&".join(f"{k}={v}" for k, v in {"institution": PHARMACY, **params}.items())
    return dict(sim.admin("get", f"/audit?{query}"))


def test_every_rule_has_a_careless_breach() -> None:
    """The stay rules' breaches are in test_audit_stays.py."""
    assert sorted(BREACHES) == sorted(rule.id for rule in RULES if rule.scope == "every")


@pytest.mark.parametrize("rule_id", list(BREACHES))
def test_each_breach_is_reported_under_its_rule_with_the_msgids(sim: Sim, rule_id: str) -> None:
    evidence = BREACHES[rule_id](sim)
    report = audit(sim)
    rule = next(r for r in report["rules"] if r["id"] == rule_id)
    assert rule["status"] == "fail", rule
    named = [set(b["msgids"]) for b in rule["breaches"]]
    assert any(set(evidence) <= msgids for msgids in named), (evidence, rule["breaches"])
    assert report["passed"] is False


def test_a_lost_reply_resolved_too_late_fails_with_both_msgids(sim: Sim) -> None:
    pc, pat = till(sim)
    assert pc.call("2101", buy(pat)).ok
    sim.admin("post", "/faults", {"infno": "2102", "kind": "drop_after_commit"})
    pc.call("2102", buy(pat))
    lost = pc.last_msgid
    sim.advance(3600)
    assert pc.call("2601", {"data": {"psn_no": pat, "omsgid": lost, "oinfno": "2102"}}).ok
    late = pc.last_msgid
    rule = next(r for r in audit(sim, resolve_within="600")["rules"] if r["id"] == "UNKNOWN-RESOLVED")
    assert rule["status"] == "fail" and rule["breaches"][0]["msgids"] == [lost, late]
    rule = next(r for r in audit(sim, resolve_within="7200")["rules"] if r["id"] == "UNKNOWN-RESOLVED")
    assert rule["status"] == "pass"


def test_since_past_every_request_is_refused_not_passed(sim: Sim) -> None:
    no_sign_in(sim)
    later = sim.t.get(f"/admin/audit?institution={PHARMACY}&since=2099-01-01")
    assert later.status == 404 and later.body["code"] == "ERR_AUDIT_NO_TRAFFIC", later.body  # was: 0 requests, PASS
    assert "2099-01-01" in later.body["message"]
    assert audit(sim)["requests"] == 1  # without --since the one request is judged


def test_the_journal_masks_names_and_id_numbers(sim: Sim) -> None:
    full_id_in_a_memo(sim)
    pc = ProtocolClient(sim.t, PHARMACY)
    pc.sign_in()
    assert pc.person_info("02", PATIENT_CERT[1]).output["baseinfo"]["psn_name"] == "周平"  # the wire has it all
    entries = sim.t.get(f"/console/api/journal?institution={PHARMACY}").body["entries"]
    text = json.dumps(entries, ensure_ascii=False)
    assert PATIENT_CERT[1] not in text and "周平" not in text
    assert "610103********1111" in text and "周*" in text


def test_audit_route_refusals(sim: Sim) -> None:
    missing = sim.t.get("/admin/audit")
    assert missing.status == 400 and missing.body["code"] == "ERR_MISSING_FIELD"
    bad = sim.t.get(f"/admin/audit?institution={PHARMACY}&since=yesterday")
    assert bad.status == 400 and bad.body["code"] == "ERR_BAD_FIELD"


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Ran]:
    """`yibao-sim ARGS` in this process (the console script's own `main`): exit code and output."""
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


def test_cli_on_the_database_exits_1_naming_the_rule_and_diff_shows_what_broke(sim: Sim, app: Flask, cli: Any,
                                                                                 tmp_path: Path) -> None:
    db = app.config["SIMULATOR"].db_url
    pc, pat = till(sim)
    settle_properly(pc, pat)
    app.extensions["simulator"].platform.store.traffic.flush()
    partial = cli("audit", "--db", db, "--institution", PHARMACY, "--json")
    assert partial.returncode == 3, partial.stdout + partial.stderr  # one sale is not a day: INCOMPLETE
    idle = [r["id"] for r in json.loads(partial.stdout)["rules"] if r["status"] == "not_exercised"]
    good = cli("audit", "--db", db, "--institution", PHARMACY, "--json", "--waive", ",".join(idle))
    assert good.returncode == 0, good.stdout + good.stderr
    (tmp_path / "good.json").write_text(good.stdout, encoding="utf-8")
    assert pc.call("2102", buy(pat)).ok  # a second settlement, with neither pre-settlement nor payplan
    app.extensions["simulator"].platform.store.traffic.flush()
    bad = cli("audit", "--db", db, "--institution", PHARMACY, "--diff", str(tmp_path / "good.json"),
              "--waive", ",".join(idle))
    assert bad.returncode == 1, bad.stdout + bad.stderr
    rows = {line.split()[0]: line for line in bad.stdout.splitlines() if line[:1].isupper()}
    assert "违规 FAIL" in rows["PRESETTLE-FIRST"] and "违规 FAIL" in rows["PAYPLAN-HONOURED"], bad.stdout
    assert f"[{pc.last_msgid}]" in bad.stdout
    assert "PAYPLAN-HONOURED: pass (0 违规) → fail (1 违规)" in bad.stdout
    (tmp_path / "bad.json").write_text(cli("audit", "--db", db, "--institution", PHARMACY, "--json").stdout,
                                       encoding="utf-8")
    worse = cli("audit-diff", str(tmp_path / "good.json"), str(tmp_path / "bad.json"))
    assert worse.returncode == 1 and "PRESETTLE-FIRST: pass (0 违规) → fail (1 违规)" in worse.stdout
    better = cli("audit-diff", str(tmp_path / "bad.json"), str(tmp_path / "good.json"))
    assert better.returncode == 0, better.stdout


def test_cli_refusals(cli: Any, tmp_path: Path, free_port: int) -> None:
    down = cli("audit", "--url", f"http://127.0.0.1:{free_port}", "--institution", PHARMACY)
    assert down.returncode == 2 and "ERR_SIMULATOR_UNREACHABLE" in down.stderr
    (tmp_path / "junk.json").write_text("{}", encoding="utf-8")
    junk = cli("audit-diff", str(tmp_path / "junk.json"), str(tmp_path / "junk.json"))
    assert junk.returncode == 2 and "ERR_BAD_REPORT" in junk.stderr
    since = cli("audit", "--db", str(tmp_path / "x.sqlite"), "--institution", PHARMACY, "--since", "soon")
    assert since.returncode == 2 and "ERR_BAD_TIME" in since.stderr
    neither = cli("audit", "--institution", PHARMACY)
    assert neither.returncode == 2 and "--db" in neither.stderr
