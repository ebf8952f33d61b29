"""The simulator over real HTTP: `python -m simulator serve --port 0` in a subprocess, on SQLite and
PostgreSQL. Concurrency against one funder, a dropped connection after commit, clean shutdown."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "simulator"))

from sim_client import HttpTransport, fee_line  # noqa: E402
from sim_flows import Sim, druginfo  # noqa: E402

from tools.worlds import PHARMACY, item  # noqa: E402

THREADS, PURCHASES, PRICE, FUNDER_BALANCE = 8, 6, Decimal("25.00"), Decimal("1000.00")


@contextmanager
def served(db_url: str, tmp_path: Path, *extra: str) -> Iterator[str]:
    """Start the server, yield its base URL (the first stdout line), stop it with SIGTERM."""
    log = (tmp_path / "server.err").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "simulator", "serve", "--port", "0", "--db", db_url, *extra],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        assert proc.stdout is not None
        base = proc.stdout.readline().strip()
        assert base.startswith("http://127.0.0.1:"), (base, (tmp_path / "server.err").read_text())
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=20)
        log.close()
        assert code == 0, (tmp_path / "server.err").read_text()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'http.sqlite'}"
    return str(request.getfixturevalue("pg_server").create_database(f"sim_http_{request.node.name[:20]}".lower()
                                                                     .replace("[", "_").replace("]", "")))


def crowd_world() -> dict[str, Any]:
    """One funder with 1000.00 and eight resident beneficiaries bound to her at rank 1."""
    people = [{"id": "funder", "name": "钱多", "certno": "610103196501010000", "gender": "2", "birthday": "1965-01-01",
               "insutype": "310", "psn_type": "1101", "insuplc": "610103", "status": "1",
               "account": str(FUNDER_BALANCE)}]
    people += [{"id": f"b{i}", "name": f"受益{i}", "certno": f"61010320100101{i:04d}", "gender": "1",
                "birthday": "2010-01-01", "insutype": "390", "psn_type": "1403", "insuplc": "610103", "status": "1"}
               for i in range(THREADS)]
    return {"format": "yibao-world/1", "today": "2026-05-10T10:00:00", "policies": ["shaanxi"],
            "institutions": [{"code": PHARMACY, "name": "药房", "kind": "pharmacy", "admdvs": "610103",
                              "level": "1", "wallet_enabled": True, "policy": "shaanxi"}],
            "people": people,
            "bindings": [{"funder": "funder", "beneficiary": f"b{i}", "rank": 1, "relation": "parent",
                          "state": "active"} for i in range(THREADS)],
            "catalogue": [{"code": "C001", "name": "自费药", "class": "C"}]}


def crowd_shops(bases: list[str], handles: dict[str, str]) -> list[Any]:
    """THREADS beneficiaries of the crowd world each buy PURCHASES times at once, shopper i through
    bases[i % len(bases)] on its own connection; every reply, after all threads are done."""
    results: list[Any] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def shopper(index: int) -> None:
        try:
            pc = Sim(HttpTransport(bases[index % len(bases)], requests.Session())).client(PHARMACY)
            pc.insuplc = "610103"
            for _ in range(PURCHASES):
                body = druginfo(handles[f"b{index}"], ("02", f"61010320100101{index:04d}"),
                                [fee_line("1", item("C001", "1", str(PRICE)))], "390")
                reply = pc.call("2102", body)
                with lock:
                    results.append(reply)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=shopper, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == [] and len(results) == THREADS * PURCHASES
    return results


def test_serve_prints_the_url_first_and_answers(db_url: str, tmp_path: Path) -> None:
    with served(db_url, tmp_path) as base:
        assert requests.get(base + "/admin/health", timeout=10).json()["ok"] is True
        assert requests.post(base + "/admin/echo", json={"a": 1}, timeout=10).json() == {"a": 1}


def test_serve_loads_world_files_given_on_the_command_line(tmp_path: Path) -> None:
    scenario = ROOT / "fixtures" / "scenarios" / "linxia-child-pool-wallet.json"
    with served(f"sqlite:///{tmp_path / 'load.sqlite'}", tmp_path, "--load", str(scenario), "--seed", "3") as base:
        handles = requests.get(base + "/admin/handles", timeout=10).json()
        assert set(handles["handles"]) == {"kid", "father"} and set(handles["pools"]) == {"ma-family"}
        assert requests.get(base + "/admin/clock", timeout=10).json()["now"] == "2026-01-15T16:40:00"


def test_eight_threads_never_overdraw_one_funder(db_url: str, tmp_path: Path) -> None:
    with served(db_url, tmp_path) as base:
        sim = Sim(HttpTransport(base, requests.Session()))
        handles = sim.load(crowd_world())["handles"]
        results = crowd_shops([base], handles)
        assert all(r.ok for r in results), [r.body for r in results if not r.ok][:3]
        paid = sum((Decimal(leg["amount"]) for r in results for leg in r.output["payleg"]), Decimal("0.00"))
        cash = sum((Decimal(r.output["setlinfo"]["psn_cash_pay"]) for r in results), Decimal("0.00"))
        assert paid == FUNDER_BALANCE and cash == THREADS * PURCHASES * PRICE - FUNDER_BALANCE
        assert all(Decimal(leg["amount"]) > 0 for r in results for leg in r.output["payleg"])
        assert sim.account(handles["funder"]) == 0
        ledger = [e for e in sim.ledger() if e["psn_no"] == handles["funder"]]
        assert sum(Decimal(e["amount"]) for e in ledger) == FUNDER_BALANCE
        assert sim.conservation()["ok"] is True


def test_drop_after_commit_closes_the_connection_but_the_ledger_has_it(db_url: str, tmp_path: Path) -> None:
    with served(db_url, tmp_path) as base:
        sim = Sim(HttpTransport(base, requests.Session()))
        handles = sim.load(crowd_world())["handles"]
        pc = sim.client(PHARMACY)
        pc.insuplc = "610103"
        sim.admin("post", "/faults", {"infno": "2102", "kind": "drop_after_commit"})
        body = druginfo(handles["b0"], ("02", "610103201001010000"), [fee_line("1", item("C001", "1", "30.00"))], "390")
        with pytest.raises(requests.ConnectionError):
            pc.call("2102", body)
        lost = pc.last_msgid
        assert [s["msgid"] for s in sim.admin("get", "/settlements")["settlements"]] == [lost]
        assert sim.account(handles["funder"]) == FUNDER_BALANCE - 30
        # The client's recovery path: reverse the unknown outcome by its msgid.
        reply = pc.call("2601", {"data": {"psn_no": handles["b0"], "omsgid": lost, "oinfno": "2102"}})
        assert reply.output["data"]["result"] == "reversed"
        assert sim.account(handles["funder"]) == FUNDER_BALANCE and sim.conservation()["ok"]
        assert pc.call("2101", body).ok  # the server is still serving
