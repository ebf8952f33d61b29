"""The chaos soak (`make soak`) at a community hospital: at its dispensary counter seeded settle / revoke / partial
refund / wallet transfers on several terminals, at its ward desks inpatient stays (admit, fee batches,
discharge, settle, revoke, cancelled discharge: tools/soak/stay_ops.py), all through the plugin's Python API
against a real simulator (SQLite, then PostgreSQL), with faults armed through the admin API (drop_after_commit,
http500, error) and kill -9 of the till process at chosen points (tools/soak/till.py). Every settled sale is
uploaded (3505) and every return (3506) by the till itself (pos_plugin/journal/uploads.py), under faults and
kills too. At the end every terminal runs `recover`, then `reconcile` (with and without refunds), and the
books are compared (tools/soak/books.py, tools/soak/stays_check.py): platform vs journal vs sale book, the
simulator's stored uploads vs the sale book, the platform's stay settlements and ledger vs the journal, the
stay books and the printed 出院结算单, the clr_type 21 day end.
SOAK_DBS names the runs: `sqlite` (simulator and till on SQLite files, one till process for the three
terminals), `postgres` (the simulator on PostgreSQL), `shared` (three till processes, one per terminal, on
one shared PostgreSQL till store, `--state-db`, each with its own state directory for what stays local to a
PC — the stay book and the upload book — so a patient's stay goes on at one ward desk; T1's start-of-day
recover resolves what the killed tills left, docs/till-store.md).

    SOAK_OPS=300 SOAK_SEED=7 SOAK_DBS=sqlite,postgres,shared .venv/bin/python -m tools.soak
    SOAK_STATE_DIR=var/soak ...   keeps each database's journal files and CLI output (cli-output.txt)
    SOAK_BREAK=double_upload,lost_return,misprint_stay ...   breaks the till on purpose: the soak must fail

Prints the counters of tools/soak/books.py (fen lost or created, unresolved entries, duplicate msgids, book
mismatches, unbalanced reconciliations, full ID numbers, the sales upload's and the stays') and how much each
check examined; exits 1 if any counter is non-zero or a check examined nothing.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import requests

from pos_plugin.lab.embedded import running_simulator
from pos_plugin.lab.sim_admin import SimulatorAdmin
from tools import pg
from tools.soak.books import COUNTERS, EXAMINED, check
from tools.soak.world import CATALOGUE, INSTITUTION, PEOPLE, world

ROOT = Path(__file__).resolve().parents[2]

TERMINALS = ("T1", "T2", "T3")
KILL_POINTS = ("before_send", "reply_unrecorded", "reply_recorded", "sale_recorded", "sale_booked", "revoke_recorded",
               "upload_queued", "upload_sent")
FAULT_KINDS = ("drop_after_commit", "http500", "error")  # a lost reply after the commit, a 5xx, a refusal
FAULTS = (("2102", "drop_after_commit"), ("2103", "drop_after_commit"), ("2102", "http500"), ("2103", "http500"),
          ("2102", "error"), ("5203", "http500"), ("2601", "http500"),
          *((infno, kind) for infno in ("2304", "2305", "3505", "3506") for kind in FAULT_KINDS))



def _app_login(url: str, psn_no: str) -> tuple[requests.Session, str]:
    """A session logged in to the family app as `psn_no` (the world names no credentials, so the default
    password applies: the last 6 characters of the ID number; the face secret is the same). Returns the
    session and the face secret."""
    session = requests.Session()
    secret = str(session.get(f"{url}/admin/persons/{psn_no}", timeout=10).json()["certno"])[-6:]
    token = session.post(f"{url}/app/login", json={"psn_no": psn_no, "password": secret}, timeout=10).json()["token"]
    session.headers["Authorization"] = f"Bearer {token}"
    return session, secret


def move_to_wallet(url: str, sender: str, receiver: str, amount: Decimal) -> str:
    """One wallet transfer through the simulator's family app (/app), accepted by the receiver. The only place
    the soak touches /app; each party logs in and acts for themselves. Returns "ok" or the refusal code."""
    theirs, _ = _app_login(url, receiver)
    theirs.post(f"{url}/app/wallets", json={"psn_no": receiver}, timeout=10)  # opened once; a repeat is refused
    mine, face = _app_login(url, sender)
    name = str(mine.get(f"{url}/admin/persons/{receiver}", timeout=10).json()["name"])  # the sender knows them
    sent = mine.post(f"{url}/app/wallet-transfers", json={"from": sender, "to": receiver, "source": "account",
                                                          "amount": f"{amount:.2f}", "relation": "spouse",
                                                          "verification": "face", "face": face,
                                                          "names": {receiver: name}}, timeout=10)
    if sent.status_code != 200:
        return str(sent.json().get("code", sent.status_code))
    taken = theirs.post(f"{url}/app/wallet-transfers/{sent.json()['transfer_id']}/accept", json={"by": receiver},
                        timeout=10)
    return "ok" if taken.status_code == 200 else str(taken.json().get("code", taken.status_code))


class TillProcess:
    """The till as a child process (tools/soak/till.py), restarted whenever it was killed."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.proc: subprocess.Popen[str] | None = None

    def send(self, op: dict[str, Any]) -> dict[str, Any]:
        """The till's answer; {"killed": point} when it died there (kill -9 at the chosen point)."""
        if self.proc is None or self.proc.poll() is not None:
            self.proc = subprocess.Popen([sys.executable, "-m", "tools.soak.till", json.dumps(self.config)],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT,
                                         env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(op) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        answer = dict(json.loads(line)) if line else {"ok": False, "killed": "?"}
        if "killed" in answer:  # it said where, then SIGKILLed itself
            self.proc.wait()
        return answer

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            self.proc.wait(timeout=30)


def soak(url: str, ops: int, seed: int, state: Path, state_db: str = "", breaks: str = "") -> dict[str, Any]:
    """`state_db` (a postgresql:// URL): three till processes, one per terminal, on that one shared store, each
    with its own state directory (its upload book is local to it, docs/till-store.md); else one till process for
    the three terminals on the SQLite files under `state`. `breaks`: break the till on purpose (tools/soak/till.py)."""
    rng = random.Random(seed)
    admin = SimulatorAdmin(url)
    admin.reset()
    scen = world()
    loaded = admin.load_world(scen)
    psn = [loaded["handles"][p["id"]] for p in scen["people"]]
    certnos = {loaded["handles"][p["id"]]: p["certno"] for p in scen["people"]}
    base = {"url": url, "institution": INSTITUTION["code"], "institution_name": INSTITUTION["name"],
            "admdvs": INSTITUTION["admdvs"], "state_dir": str(state), "state_db": state_db, "break": breaks}
    configs = {name: {**base, "terminal": name, "state_dir": str(state / name) if state_db else str(state)}
               for name in TERMINALS}
    one = None if state_db else TillProcess(base)
    tills = {name: one or TillProcess(configs[name]) for name in TERMINALS}
    seen: Counter[str] = Counter()
    for n in range(ops):
        if rng.random() < 0.15:
            infno, kind = rng.choice(FAULTS)
            admin.arm_fault(infno, kind)
            seen[f"fault {infno} {kind}"] += 1
        roll = rng.random()
        if roll < 0.08:
            a, b = rng.sample(range(PEOPLE), 2)
            seen[f"wallet {move_to_wallet(url, psn[a], psn[b], Decimal(rng.randint(1, 20)))}"] += 1
            continue
        i = rng.randrange(PEOPLE)
        op = {"terminal": rng.choice(TERMINALS), "seed": seed * 100003 + n, "certno": scen["people"][i]["certno"],
              "certnos": certnos}
        if roll < 0.4:  # an inpatient stay's next step: three inpatients, each at the ward desk of one terminal
            kind = "stay"  # the till takes the patient's next step (tools/soak/stay_ops.py)
            op["certno"] = scen["people"][i % len(TERMINALS)]["certno"]
            if state_db:  # each PC keeps its own stay book (docs/till-store.md): a stay goes on at its desk
                op["terminal"] = TERMINALS[i % len(TERMINALS)]
            kill = "stay" if rng.random() < 0.1 else None  # the step picks the point (stay_ops.KILL_POINTS)
        else:  # the dispensary counter
            kind = "settle" if roll < 0.72 else "revoke" if roll < 0.86 else "refund"
            kill = rng.choice(KILL_POINTS) if rng.random() < 0.06 else None
            op["lines"] = [{**item, "qty": str(rng.randint(1, 3))} for item in rng.sample(CATALOGUE, rng.randint(1, 3))]
        op |= {"kind": kind, "kill": kill}
        answer = tills[op["terminal"]].send(op)
        step = f"{kind} {answer['step']}" if "step" in answer else kind
        seen[f"{step} " + (f"killed at {answer['killed']}" if "killed" in answer else "ok" if answer["ok"]
                           else answer["error"])] += 1
    admin.clear_faults()
    outputs = []
    if state_db:  # every till is down; T1's recover resolves them all, each then books what it missed
        for till in tills.values():
            till.close()
    for name in TERMINALS:  # the cashier's start-of-day command, through the CLI (its output is checked too)
        outputs.append(cli(configs[name], "recover"))
    for till in {id(t): t for t in tills.values()}.values():
        till.close()
    seen["recover: uploads sent again"] = sum(int(n) for out in outputs for n in re.findall(r"补传 (\d+) 笔", out.stdout))
    for flag in ((), ("--with-refunds",)):
        outputs.append(cli(configs["T1"], "reconcile", "--date", "2026-04-20", *flag))
    books = sorted({Path(str(c["state_dir"])) / "journal.sqlite" for c in configs.values()})
    report = check(admin, state, books, outputs, url, state_db)
    report["ops"] = dict(sorted(seen.items()))
    admin.close()
    return report


def cli(config: dict[str, Any], *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "YIBAO_PLATFORM": config["url"], "YIBAO_INSTITUTION": config["institution"],
           "YIBAO_INSTITUTION_NAME": config["institution_name"], "YIBAO_ADMDVS": config["admdvs"],
           "YIBAO_STATE_DIR": config["state_dir"], "YIBAO_STATE_DB": config["state_db"], "YIBAO_TERMINAL": config["terminal"],
           "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "pos_plugin", *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=300)


@contextmanager
def database(kind: str) -> Iterator[tuple[str | None, str]]:
    """(the simulator's database URL or None for SQLite, the tills' shared store URL or "")."""
    if kind == "sqlite":
        yield None, ""
        return
    server = pg.start()
    try:
        yield server.create_database("soak"), server.create_database("tills") if kind == "shared" else ""
    finally:
        server.stop()


def main() -> int:
    ops, seed = int(os.environ.get("SOAK_OPS", "300")), int(os.environ.get("SOAK_SEED", "12"))
    breaks = os.environ.get("SOAK_BREAK", "")
    failed = False
    for kind in os.environ.get("SOAK_DBS", "sqlite,postgres,shared").split(","):
        with database(kind) as (db_url, state_db), running_simulator(db_url) as url, \
                tempfile.TemporaryDirectory(prefix="yibao-soak-") as tmp:
            keep = os.environ.get("SOAK_STATE_DIR")  # keep the journal files and CLI output to inspect
            state = Path(keep) / kind if keep else Path(tmp)
            state.mkdir(parents=True, exist_ok=True)
            report = soak(url, ops, seed, state, state_db, breaks)
        verdict = {k: report[k] for k in COUNTERS}
        print(f"soak {kind} SOAK_OPS={ops} SOAK_SEED={seed}: " + "  ".join(f"{k}={v}" for k, v in verdict.items())
              + "  examined: " + " ".join(f"{k}={report[k]}" for k in EXAMINED))
        print(f"  platform settlements: {dict(report['settlements'])}")
        print("  operations: " + ", ".join(f"{k}: {v}" for k, v in report["ops"].items()))
        for example in report["mismatch_examples"]:
            print(f"  mismatch: {example}")
        for name in report["examined_nothing"]:
            print(f"  examined nothing: {name}=0 (a check that examined nothing does not pass)")
        if report["cli"]:
            print(report["cli"])
        failed = failed or any(verdict.values()) or bool(report["examined_nothing"])
    print("soak: FAIL" if failed else "soak: PASS")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
