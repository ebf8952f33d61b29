"""Every recovery path against the real simulator over real HTTP: a reply lost after commit
(drop_after_commit) on 2102/2207/2103, a request that never committed (http500, error, unreachable),
a crash between journal write and send, a crash after sending — balances exactly as before or
exactly as after, never twice, and reversing twice is harmless."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests

from pos_plugin.errors import (
    BusinessError,
    NotSettled,
    PlatformUnreachable,
    RecoveryPending,
    UnknownOutcome,
)
from pos_plugin.journal import (
    CONFIRMED,
    FAILED,
    PENDING,
    REVERSED,
    UNKNOWN,
    Journal,
    Recovery,
    recover,
    revokes_between,
)
from pos_plugin.lab.sim_admin import SimulatorAdmin
from pos_plugin.platform import Institution, Operator, PlatformClient, Settlement

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "fixtures" / "scenarios"
CALL = "/fsi/api/rsfComIfsService/callService"


class Till:
    """One terminal: client + journal + recovery for a loaded scenario's patient (ID card credential)."""

    def __init__(self, url: str, scen: dict[str, Any], loaded: dict[str, Any], workdir: Path) -> None:
        self.url, self.scen, self.workdir = url, scen, workdir
        inst = scen["institution"]
        self.institution = Institution(inst["code"], inst["name"], inst["admdvs"])
        self.person = next(p for p in scen["people"] if p["id"] == scen["checkout"]["patient"])
        self.psn_no = loaded["handles"][self.person["id"]]
        self.insuplc = self.person["insuplc"]
        self.open()

    def open(self, url: str | None = None) -> None:
        """(Re)start the terminal: fresh objects over the same journal and state files."""
        self.journal = Journal(self.workdir / "journal.sqlite", terminal="T1")
        self.client = PlatformClient.open(url or self.url, institution=self.institution,
                                          operator=Operator("0001", "李收银"),
                                          state_path=self.workdir / "state.sqlite", recorder=self.journal)
        self.recovery = Recovery(self.client, self.journal)

    def close(self) -> None:
        self.client.close()
        self.journal.close()

    def rows(self) -> list[dict[str, Any]]:
        out = []
        for index, line in enumerate(self.scen["checkout"]["lines"], start=1):
            qty, price = Decimal(line["qty"]), Decimal(line["price"])
            out.append({"feedetl_sn": f"{index:04d}", "med_list_codg": line["code"], "medins_list_codg": line["code"],
                        "det_item_fee_sumamt": (qty * price).quantize(Decimal("0.01")), "cnt": qty, "pric": price,
                        "fee_ocur_time": self.scen["today"].replace("T", " "), "rxno": "", "rx_circ_flag": "0",
                        "bilg_dr_codg": "", "bilg_dr_name": ""})
        return out

    def medfee(self) -> Decimal:
        return sum((r["det_item_fee_sumamt"] for r in self.rows()), Decimal("0.00"))

    def druginfo(self) -> dict[str, Any]:
        return {"psn_no": self.psn_no, "mdtrt_cert_type": "02", "mdtrt_cert_no": self.person["certno"],
                "medfee_sumamt": self.medfee(), "insutype": self.person["insutype"], "acct_used_flag": "1",
                "invono": ""}

    def settle(self) -> Settlement:
        return self.client.pharmacy_settle(self.druginfo(), self.rows(), insuplc=self.insuplc)

    def guarded_settle(self) -> Settlement:
        return self.recovery.guard(self.psn_no, self.settle)


def load(admin: SimulatorAdmin, url: str, tmp_path: Path, name: str) -> Till:
    scen = json.loads((SCENARIOS / f"{name}.json").read_text(encoding="utf-8"))
    return Till(url, scen, admin.load_world(scen), tmp_path)


@pytest.fixture
def till(admin: SimulatorAdmin, sim_url: str, tmp_path: Path) -> Iterator[Till]:
    t = load(admin, sim_url, tmp_path, "own-account-covers-everything")
    yield t
    t.close()


def settlements(url: str, code: str) -> list[dict[str, Any]]:
    return requests.get(f"{url}/admin/settlements", params={"fixmedins_code": code}, timeout=10).json()["settlements"]


def statuses(till: Till) -> list[str]:
    return sorted(s["status"] for s in settlements(till.url, till.institution.fixmedins_code))


def resend(till: Till, msgid: str) -> dict[str, Any]:
    """Replay the request exactly as journaled: a late arrival of the original message."""
    envelope = till.journal.get(msgid).request
    for node in envelope["input"].values():  # the journal masks the ID number; the late original carried it
        if isinstance(node, dict) and "mdtrt_cert_no" in node:
            assert node["mdtrt_cert_no"] != till.person["certno"]
            node["mdtrt_cert_no"] = till.person["certno"]
    return requests.post(till.url + CALL, json=envelope, timeout=10).json()


ONE_DEBIT = Decimal("1344.20")  # zhao's 1500.00 after one settlement of 155.80 from his own account


# --- reply lost after commit -------------------------------------------------------------------------
def test_settle_reply_lost_after_commit_is_reversed_at_once_then_retried_once(admin, till):
    before = admin.balances()
    admin.arm_fault("2102", "drop_after_commit")
    with pytest.raises(NotSettled) as err:
        till.guarded_settle()
    assert "请重新结算" in err.value.message
    assert admin.balances() == before  # exactly as before: committed, then undone
    row = till.journal.get(err.value.details["msgid"])
    assert row.state == REVERSED and till.journal.unresolved() == []
    again = till.guarded_settle()  # the cashier retries: exactly one debit in the end
    assert admin.balances()["accounts"][till.psn_no] == ONE_DEBIT
    assert statuses(till) == ["reversed", "settled"] and again.setl_id
    refused = resend(till, row.msgid)  # a late duplicate of the lost original is refused
    assert refused["infcode"] == -1 and refused["err_code"] in ("ERR_MSGID_REVERSED", "ERR_MSGID_REUSED")
    assert admin.balances()["accounts"][till.psn_no] == ONE_DEBIT


def test_outpatient_settle_reply_lost_after_commit_is_reversed(admin, sim_url, tmp_path):
    t = load(admin, sim_url, tmp_path, "shaanxi-retiree-two-funders")
    before = admin.balances()
    c, person = t.client, t.person
    reg = c.register({"psn_no": t.psn_no, "insutype": "310", "mdtrt_cert_type": "02",
                      "mdtrt_cert_no": person["certno"], "ipt_otp_no": "V1"}, insuplc=t.insuplc)
    c.upload_fees([{**r, "mdtrt_id": reg.mdtrt_id, "psn_no": t.psn_no, "chrg_bchno": "0000"} for r in t.rows()],
                  insuplc=t.insuplc)
    data = {"psn_no": t.psn_no, "mdtrt_cert_type": "02", "mdtrt_cert_no": person["certno"], "med_type": "11",
            "medfee_sumamt": t.medfee(), "psn_setlway": "01", "mdtrt_id": reg.mdtrt_id, "chrg_bchno": "0000",
            "acct_used_flag": "1", "insutype": "310", "invono": ""}
    pre = c.outpatient_presettle(data, insuplc=t.insuplc)
    admin.arm_fault("2207", "drop_after_commit")
    with pytest.raises(NotSettled):
        t.recovery.guard(t.psn_no, lambda: c.outpatient_settle(data, insuplc=t.insuplc, presettle=pre,
                                                               payplan=pre.payleg))
    assert admin.balances() == before
    done = t.recovery.guard(t.psn_no, lambda: c.outpatient_settle(data, insuplc=t.insuplc, presettle=pre,
                                                                  payplan=pre.payleg))
    expected = {k: Decimal(v) for k, v in t.scen["expect"]["balances_after"].items()}
    handles = requests.get(f"{sim_url}/admin/handles", timeout=10).json()["handles"]
    assert {k: admin.balances()["accounts"][handles[k]] for k in expected} == expected
    assert done.amount("acct_pay") == Decimal(t.scen["expect"]["setlinfo"]["acct_pay"])
    assert sorted(s["status"] for s in settlements(sim_url, t.institution.fixmedins_code)) == ["reversed", "settled"]
    t.close()


def test_lost_reply_with_no_immediate_recovery_is_resolved_at_the_next_start(admin, till):
    before = admin.balances()
    admin.arm_fault("2102", "drop_after_commit")
    with pytest.raises(UnknownOutcome) as lost:
        till.settle()  # the process goes down before it can reverse
    assert admin.balances()["accounts"][till.psn_no] == ONE_DEBIT  # the platform did commit
    assert till.journal.get(lost.value.msgid).state == UNKNOWN
    till.close()
    till.open()  # next start
    (resolution,) = recover(till.client, till.journal)  # what `pos-plugin recover` runs
    assert resolution.outcome == "reversed" and resolution.msgid == lost.value.msgid
    assert admin.balances() == before
    assert till.recovery.recover() == []  # nothing left


def test_reversing_twice_is_harmless(admin, till):
    before = admin.balances()
    admin.arm_fault("2102", "drop_after_commit")
    with pytest.raises(UnknownOutcome) as lost:
        till.settle()
    first = till.recovery.resolve(lost.value.msgid)
    second = till.recovery.resolve(lost.value.msgid)  # journal says reversed: nothing is sent
    till.client.reverse(psn_no=till.psn_no, omsgid=lost.value.msgid, oinfno="2102", insuplc=till.insuplc)  # platform too
    assert first.outcome == second.outcome == "reversed"
    assert admin.balances() == before and statuses(till) == ["reversed"]


def test_revoke_reply_lost_after_commit_is_confirmed_through_5203_at_next_start(admin, till):
    before = admin.balances()
    done = till.guarded_settle()
    admin.arm_fault("2103", "drop_after_commit")
    with pytest.raises(UnknownOutcome) as lost:
        till.client.pharmacy_revoke(setl_id=done.setl_id, mdtrt_id=done.mdtrt_id, psn_no=till.psn_no,
                                    insuplc=till.insuplc)
    till.close()
    till.open()  # next start
    (resolution,) = till.recovery.recover()
    assert resolution.outcome == "confirmed" and resolution.settlement is not None
    assert till.journal.get(lost.value.msgid).state == CONFIRMED
    assert admin.balances() == before  # exactly as after the revoke, which is as before the sale
    assert till.recovery.recover() == []  # a confirmed revoke is never reversed
    (revoked,) = revokes_between(till.journal, date.min, date.max)  # and day end counts it, negated
    assert revoked.amounts["medfee_sumamt"] == Decimal("-155.80") and revoked.clr_type == "41"


def test_revoke_reply_lost_under_guard_is_confirmed_at_once(admin, till):
    before = admin.balances()
    done = till.guarded_settle()
    admin.arm_fault("2103", "drop_after_commit")
    back = till.recovery.guard(till.psn_no, lambda: till.client.pharmacy_revoke(
        setl_id=done.setl_id, mdtrt_id=done.mdtrt_id, psn_no=till.psn_no, insuplc=till.insuplc))
    assert back.amount("medfee_sumamt") == Decimal("-155.80") and back.setlinfo["init_setl_id"] == done.setl_id
    assert [(leg.source, leg.amount) for leg in back.payleg] == [("own", Decimal("-155.80"))]
    assert till.journal.get(back.msgid).state == CONFIRMED
    assert admin.balances() == before and statuses(till) == ["revoked"]


def test_revoke_that_never_committed_is_reversed_and_the_sale_stands(admin, till):
    done = till.guarded_settle()
    after_sale = admin.balances()
    admin.arm_fault("2103", "http500")
    revoke = lambda: till.client.pharmacy_revoke(setl_id=done.setl_id, mdtrt_id=done.mdtrt_id,  # noqa: E731
                                                 psn_no=till.psn_no, insuplc=till.insuplc)
    with pytest.raises(NotSettled) as err:
        till.recovery.guard(till.psn_no, revoke)  # 5203: still settled -> 2601 kills the lost msgid
    assert "原结算仍然有效" in err.value.message
    assert admin.balances() == after_sale and statuses(till) == ["settled"]
    late = resend(till, err.value.details["msgid"])
    assert late["err_code"] == "ERR_MSGID_REVERSED" and admin.balances() == after_sale
    till.recovery.guard(till.psn_no, revoke)  # revoking again works, once
    assert admin.balances()["accounts"][till.psn_no] == Decimal("1500.00")


# --- the request never committed ---------------------------------------------------------------------
def test_http500_before_the_platform_ran_is_reversed_as_a_dead_msgid(admin, till):
    before = admin.balances()
    admin.arm_fault("2102", "http500")
    with pytest.raises(NotSettled) as err:
        till.guarded_settle()
    msgid = err.value.details["msgid"]
    assert admin.balances() == before and till.journal.get(msgid).state == REVERSED
    assert statuses(till) == []
    late = resend(till, msgid)
    assert late["infcode"] == -1 and late["err_code"] == "ERR_MSGID_REVERSED"
    assert admin.balances() == before


def test_an_error_reply_is_definitive_nothing_to_recover(admin, till):
    before = admin.balances()
    admin.arm_fault("2102", "error", message="平台繁忙")
    with pytest.raises(BusinessError) as err:
        till.guarded_settle()
    assert err.value.message == "平台繁忙"
    assert till.journal.get(err.value.details["msgid"]).state == FAILED
    assert till.journal.unresolved() == [] and admin.balances() == before


def test_unreachable_platform_nothing_sent_nothing_to_recover(admin, till):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}"
    till.client.sign_in()  # signed in while the platform was up
    till.close()
    till.open(dead)
    with pytest.raises(PlatformUnreachable):
        till.guarded_settle()
    (row,) = till.journal.entries(states=(FAILED,))
    assert row.error.startswith("ERR_UNREACHABLE") and till.journal.unresolved() == []


def test_reversal_that_cannot_get_through_blocks_a_second_debit_until_recovered(admin, till):
    before = admin.balances()
    admin.arm_fault("2102", "drop_after_commit")
    admin.arm_fault("2601", "http500", count=2)
    with pytest.raises(UnknownOutcome) as lost:
        till.guarded_settle()  # reply lost, and the immediate 2601 fails too
    assert "下次启动" in lost.value.message
    assert admin.balances()["accounts"][till.psn_no] == ONE_DEBIT
    with pytest.raises(RecoveryPending):
        till.guarded_settle()  # 2601 fails again: the new sale is refused, not sent
    assert admin.balances()["accounts"][till.psn_no] == ONE_DEBIT  # never twice
    (row,) = till.journal.unresolved()
    assert row.msgid == lost.value.msgid and "冲正失败" in row.error
    till.guarded_settle()  # the platform is healthy again: backlog reversed first, then one debit
    assert admin.balances()["accounts"][till.psn_no] == ONE_DEBIT
    assert statuses(till) == ["reversed", "settled"] and admin.balances()["accounts"] != before["accounts"]


# --- crashes ------------------------------------------------------------------------------------------
CRASH = """
import json, os, sys
from decimal import Decimal
from pos_plugin.journal import Journal
from pos_plugin.platform import HttpTransport, Institution, Operator, PlatformClient

cfg = json.loads(sys.argv[1])

class CrashingTransport(HttpTransport):
    def post(self, path, body):
        if body.get("infno") != "2102":
            return super().post(path, body)
        if cfg["when"] == "before_send":
            os._exit(3)              # the row is written, the request never leaves
        super().post(path, body)
        os._exit(4)                  # the platform answered, the outcome never reaches the journal

journal = Journal(cfg["journal"], terminal="T1")
client = PlatformClient.open(cfg["url"], institution=Institution(*cfg["institution"]),
                             operator=Operator("0001", "李收银"), state_path=cfg["state"], recorder=journal)
client.transport = CrashingTransport(cfg["url"])
client.pharmacy_settle(cfg["druginfo"], cfg["rows"], insuplc=cfg["insuplc"])
"""


def crash(till: Till, when: str) -> int:
    def plain(value: Any) -> Any:
        return str(value) if isinstance(value, Decimal) else value

    cfg = {"url": till.url, "journal": str(till.workdir / "journal.sqlite"), "state": str(till.workdir / "state.sqlite"),
           "institution": [till.institution.fixmedins_code, till.institution.fixmedins_name,
                           till.institution.mdtrtarea_admvs],
           "druginfo": {k: plain(v) for k, v in till.druginfo().items()},
           "rows": [{k: plain(v) for k, v in r.items()} for r in till.rows()], "insuplc": till.insuplc, "when": when}
    run = subprocess.run([sys.executable, "-c", CRASH, json.dumps(cfg)], cwd=ROOT, capture_output=True, text=True,
                         timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return run.returncode


def test_crash_between_journal_write_and_send_is_resolved_at_restart(admin, till):
    before = admin.balances()
    till.client.sign_in()
    assert crash(till, "before_send") == 3
    (row,) = till.journal.unresolved()
    assert row.state == PENDING and admin.balances() == before  # nothing reached the platform
    till.close()
    till.open()
    (resolution,) = till.recovery.recover()
    assert resolution.outcome == "reversed" and "请重新结算" in resolution.message
    assert admin.balances() == before
    late = resend(till, row.msgid)  # if the request surfaced now, it would be refused
    assert late["err_code"] == "ERR_MSGID_REVERSED" and admin.balances() == before


def test_crash_after_the_platform_committed_is_reversed_at_restart(admin, till):
    before = admin.balances()
    till.client.sign_in()
    assert crash(till, "after_send") == 4
    (row,) = till.journal.unresolved()
    assert row.state == PENDING and admin.balances()["accounts"][till.psn_no] == ONE_DEBIT
    till.close()
    till.open()
    (resolution,) = till.recovery.recover()
    assert resolution.outcome == "reversed" and admin.balances() == before
    assert statuses(till) == ["reversed"]
