"""The chaos soak (`make soak`): seeded settle / revoke / partial refund / wallet transfers on several
terminals through the plugin's Python API against a real simulator (SQLite, then PostgreSQL), with faults
armed through the admin API (drop_after_commit, http500, error) and kill -9 of the till process at chosen
points (tools/soak/till.py). At the end every terminal runs `recover`, then `reconcile` (with and
without refunds), and the books are compared: platform vs journal vs sale book.
SOAK_DBS names the runs: `sqlite` (simulator and till on SQLite files, one till process for the three
terminals), `postgres` (the simulator on PostgreSQL), `shared` (three till processes, one per terminal, on
one shared PostgreSQL till store, `--state-db`; T1's start-of-day recover resolves what the killed tills
left, docs/till-store.md).

    SOAK_OPS=300 SOAK_SEED=7 SOAK_DBS=sqlite,postgres,shared .venv/bin/python -m tools.soak
    SOAK_STATE_DIR=var/soak ...   keeps each database's journal files and CLI output (cli-output.txt)

Prints fen lost or created, unresolved entries, duplicate msgids, book mismatches, unbalanced
reconciliations and full ID numbers found in the journal files and CLI output; exits 1 if any is non-zero.
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

from pos_plugin.journal import Journal
from pos_plugin.journal.sales import SaleBook
from pos_plugin.journal.store import CONFIRMED, DONE, REVOKES, SETTLES
from pos_plugin.lab.embedded import running_simulator
from pos_plugin.lab.sim_admin import SimulatorAdmin
from tools import pg

ROOT = Path(__file__).resolve().parents[2]

TERMINALS = ("T1", "T2", "T3")
PEOPLE = 6
KILL_POINTS = ("before_send", "reply_unrecorded", "reply_recorded", "sale_booked")
FAULTS = (("2102", "drop_after_commit"), ("2103", "drop_after_commit"), ("2102", "http500"), ("2103", "http500"),
          ("2102", "error"), ("5203", "http500"), ("2601", "http500"))
FULL_ID = re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9])")
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
INSTITUTION = {"code": "P61010300017", "name": "西安康平大药房", "kind": "pharmacy", "admdvs": "610103", "level": "1",
               "wallet_enabled": True}
CATALOGUE: tuple[dict[str, Any], ...] = ({"code": "D4001", "name": "二甲双胍缓释片", "class": "A", "price": "28.40"},
             {"code": "D4002", "name": "血糖试纸", "class": "B", "selfpay_prop": "0.15", "price": "99.00"},
             {"code": "G001", "name": "维生素软糖", "insurable": False, "price": "59.00"})


def id_number(serial: int) -> str:
    first17 = f"61010319{70 + serial % 20:02d}0101{serial % 1000:03d}"
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def world() -> dict[str, Any]:
    people = [{"id": f"p{i}", "name": f"测试{'甲乙丙丁戊己庚辛'[i]}", "certno": id_number(i + 1), "gender": "1",
               "birthday": f"19{70 + (i + 1) % 20:02d}-01-01", "insutype": "310", "psn_type": "1101",
               "insuplc": "610103", "status": "1", "account": "3000.00",
               "ytd": {"deductible_used": "0.00", "fund_paid": "0.00"}} for i in range(PEOPLE)]
    return {"format": "yibao-scenario/1", "name": "soak", "today": "2026-04-20T09:00:00", "policy": "national-default",
            "institution": INSTITUTION, "people": people, "bindings": [],
            "checkout": {"patient": "p0", "flow": "pharmacy", "lines": [dict(CATALOGUE[0], qty="1")]}}


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

    def send(self, op: dict[str, Any]) -> dict[str, Any] | None:
        """The till's answer, or None when it died (kill -9 at the chosen point)."""
        if self.proc is None or self.proc.poll() is not None:
            self.proc = subprocess.Popen([sys.executable, "-m", "tools.soak.till", json.dumps(self.config)],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT,
                                         env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(op) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait()
            return None
        return dict(json.loads(line))

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            self.proc.wait(timeout=30)


def soak(url: str, ops: int, seed: int, state: Path, state_db: str = "") -> dict[str, Any]:
    """`state_db` (a postgresql:// URL): three till processes, one per terminal, on that one shared store;
    else one till process for the three terminals on the SQLite files under `state`."""
    rng = random.Random(seed)
    admin = SimulatorAdmin(url)
    admin.reset()
    scen = world()
    loaded = admin.load_world(scen)
    psn = [loaded["handles"][p["id"]] for p in scen["people"]]
    certnos = {loaded["handles"][p["id"]]: p["certno"] for p in scen["people"]}
    config = {"url": url, "institution": INSTITUTION["code"], "institution_name": INSTITUTION["name"],
              "admdvs": INSTITUTION["admdvs"], "state_dir": str(state), "state_db": state_db}
    one = None if state_db else TillProcess(config)
    tills = {name: one or TillProcess({**config, "terminal": name}) for name in TERMINALS}
    seen: Counter[str] = Counter()
    for n in range(ops):
        if rng.random() < 0.12:
            infno, kind = rng.choice(FAULTS)
            admin.arm_fault(infno, kind)
            seen[f"fault {infno} {kind}"] += 1
        roll = rng.random()
        if roll < 0.08:
            a, b = rng.sample(range(PEOPLE), 2)
            seen[f"wallet {move_to_wallet(url, psn[a], psn[b], Decimal(rng.randint(1, 20)))}"] += 1
            continue
        kind = "settle" if roll < 0.6 else "revoke" if roll < 0.8 else "refund"
        i = rng.randrange(PEOPLE)
        lines = [{**item, "qty": str(rng.randint(1, 3))} for item in rng.sample(CATALOGUE, rng.randint(1, 3))]
        kill = rng.choice(KILL_POINTS) if rng.random() < 0.04 else None
        op = {"kind": kind, "terminal": rng.choice(TERMINALS), "seed": seed * 100003 + n, "kill": kill,
              "certno": scen["people"][i]["certno"], "certnos": certnos, "lines": lines}
        answer = tills[op["terminal"]].send(op)
        seen[f"{kind} " + ("killed" if answer is None else "ok" if answer["ok"] else answer["error"])] += 1
    admin.clear_faults()
    outputs = []
    if state_db:  # every till is down; T1's recover resolves them all, each then books what it missed
        for till in tills.values():
            till.close()
    for name in TERMINALS:  # the cashier's start-of-day command, through the CLI (its output is checked too)
        outputs.append(cli(config, name, "recover"))
    for till in {id(t): t for t in tills.values()}.values():
        till.close()
    for flag in ((), ("--with-refunds",)):
        outputs.append(cli(config, "T1", "reconcile", "--date", "2026-04-20", *flag))
    report = check(admin, state, outputs, url, state_db)
    report["ops"] = dict(sorted(seen.items()))
    admin.close()
    return report


def cli(config: dict[str, Any], terminal: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "YIBAO_PLATFORM": config["url"], "YIBAO_INSTITUTION": config["institution"],
           "YIBAO_INSTITUTION_NAME": config["institution_name"], "YIBAO_ADMDVS": config["admdvs"],
           "YIBAO_STATE_DIR": config["state_dir"], "YIBAO_STATE_DB": config["state_db"], "YIBAO_TERMINAL": terminal,
           "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "pos_plugin", *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=300)


def check(admin: SimulatorAdmin, state: Path, outputs: list[subprocess.CompletedProcess[str]],
          url: str, state_db: str) -> dict[str, Any]:
    conservation = admin.conservation()
    lost_or_created = abs(Decimal(str(conservation.get("difference", "0")))) * 100 if conservation["ok"] is True \
        else Decimal(conservation.get("difference") or 1) * 100
    journal = Journal(state_db or state / "journal.sqlite", terminal="soak-check")
    sales = SaleBook(state_db or state / "journal.sqlite")
    unresolved = journal.unresolved(all_terminals=True)
    answered = journal.entries(states=(DONE, CONFIRMED))
    settles = {e.setl_id: e for e in answered if e.infno in SETTLES}
    revokes: Counter[str] = Counter(e.orig_setl_id or "" for e in answered if e.infno in REVOKES)
    booked = {r["setl_id"]: r["state"] for r in sales.db.read("SELECT setl_id, state FROM sales")}
    platform = requests.get(f"{url}/admin/settlements", params={"fixmedins_code": str(INSTITUTION["code"])},
                            timeout=30).json()["settlements"]
    mismatches = []
    for row in platform:
        setl_id, status = row["setl_id"], row["status"]
        expect = {"settled": (True, 0, "settled"), "revoked": (True, 1, "revoked"), "reversed": (False, 0, None)}
        in_journal, revoked_n, sale_state = expect[status]
        seen = (setl_id in settles, revokes[setl_id], booked.get(setl_id))
        if seen != (in_journal, revoked_n, sale_state):
            mismatches.append(f"{setl_id} platform {status}: journal settle={seen[0]} revokes={seen[1]} "
                              f"sale book={seen[2]}")
    on_platform = {row["setl_id"] for row in platform}
    mismatches += [f"{s} in the journal, not on the platform" for s in settles if s not in on_platform]
    unbalanced = sum(1 for out in outputs if "reconcile" in out.args and out.returncode != 0)
    recover_failed = sum(1 for out in outputs if "recover" in out.args and out.returncode != 0)
    text = "".join(out.stdout + out.stderr for out in outputs)
    (state / "cli-output.txt").write_text(text, encoding="utf-8")
    stored = "".join(p.read_bytes().decode("utf-8", "replace") for p in sorted(state.glob("journal.sqlite*")))
    stored += "".join(f"{r['request']}{r['reply']}" for r in journal.db.read("SELECT request, reply FROM journal"))
    drawn = [row["msgid"] for row in journal.db.read("SELECT msgid FROM journal")]
    journal.close()
    sales.close()
    return {"fen_lost_or_created": int(lost_or_created), "unresolved": len(unresolved) + recover_failed,
            "duplicate_msgids": len(drawn) - len(set(drawn)) + reused_msgids(url),
            "book_mismatches": len(mismatches), "unbalanced_reconciliations": unbalanced,
            "full_id_numbers": len(FULL_ID.findall(text)) + len(FULL_ID.findall(stored)),
            "settlements": Counter(row["status"] for row in platform), "mismatch_examples": mismatches[:5],
            "cli": text if unbalanced or recover_failed else ""}


def reused_msgids(url: str) -> int:
    """Requests the platform refused for a msgid already used (ERR_MSGID_REUSED), over its last 200 requests
    of this institution (the console's journal): two tills that drew one msgid would show here."""
    entries = requests.get(f"{url}/console/api/journal", params={"institution": str(INSTITUTION["code"])},
                           timeout=30).json()["entries"]
    return sum(1 for e in entries if e.get("err_code") == "ERR_MSGID_REUSED")


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
    failed = False
    for kind in os.environ.get("SOAK_DBS", "sqlite,postgres,shared").split(","):
        with database(kind) as (db_url, state_db), running_simulator(db_url) as url, \
                tempfile.TemporaryDirectory(prefix="yibao-soak-") as tmp:
            keep = os.environ.get("SOAK_STATE_DIR")  # keep the journal files and CLI output to inspect
            state = Path(keep) / kind if keep else Path(tmp)
            report = soak(url, ops, seed, state, state_db)
        verdict = {k: report[k] for k in ("fen_lost_or_created", "unresolved", "duplicate_msgids", "book_mismatches",
                                          "unbalanced_reconciliations", "full_id_numbers")}
        print(f"soak {kind} SOAK_OPS={ops} SOAK_SEED={seed}: " + "  ".join(f"{k}={v}" for k, v in verdict.items()))
        print(f"  platform settlements: {dict(report['settlements'])}")
        print("  operations: " + ", ".join(f"{k}: {v}" for k, v in report["ops"].items()))
        for example in report["mismatch_examples"]:
            print(f"  mismatch: {example}")
        if report["cli"]:
            print(report["cli"])
        failed = failed or any(verdict.values())
    print("soak: FAIL" if failed else "soak: PASS")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
