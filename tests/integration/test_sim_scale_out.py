"""Scale-out: several simulator processes over one database (README "Several simulator processes").

Two `serve --shared` processes on their own ports share one PostgreSQL (and, for SQLite, one file):
settlements against one funder from both never overdraw her and money is conserved. `--workers 2`
shares the clock and drops stale caches in every worker."""

from __future__ import annotations

import sys
from contextlib import ExitStack
from decimal import Decimal
from pathlib import Path

import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "simulator"))

from sim_client import HttpTransport, fee_line  # noqa: E402
from sim_flows import Sim, druginfo  # noqa: E402
from test_sim_http import FUNDER_BALANCE, crowd_shops, crowd_world, served  # noqa: E402

from tools.worlds import PHARMACY, item  # noqa: E402


@pytest.mark.parametrize("db", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_two_processes_one_database_one_funder_money_conserved(db: str, tmp_path: Path,
                                                               request: pytest.FixtureRequest) -> None:
    url = (f"sqlite:///{tmp_path / 'shared.sqlite'}" if db == "sqlite"
           else request.getfixturevalue("pg_server").create_database("sim_scale_out"))
    with ExitStack() as stack:
        bases = [stack.enter_context(served(url, tmp_path, "--shared")) for _ in range(2)]
        assert bases[0] != bases[1]
        handles = Sim(HttpTransport(bases[0], requests.Session())).load(crowd_world())["handles"]
        results = crowd_shops(bases, handles)
        assert all(r.ok for r in results), [r.body for r in results if not r.ok][:3]
        paid = sum((Decimal(leg["amount"]) for r in results for leg in r.output["payleg"]), Decimal("0.00"))
        assert paid == FUNDER_BALANCE
        for base in bases:  # both processes see the same books
            sim = Sim(HttpTransport(base, requests.Session()))
            assert sim.account(handles["funder"]) == 0
            assert sum(Decimal(e["amount"]) for e in sim.ledger() if e["psn_no"] == handles["funder"]) == FUNDER_BALANCE
            assert sim.conservation()["ok"] is True


def test_workers_share_the_clock_and_forget_a_reset_world(tmp_path: Path) -> None:
    with served(f"sqlite:///{tmp_path / 'workers.sqlite'}", tmp_path, "--workers", "2") as base:
        sim = Sim(HttpTransport(base, requests.Session()))
        handles = sim.load(crowd_world())["handles"]
        sim.set_clock("2026-05-11T08:00:00")
        seen = set()
        for _ in range(12):  # a new connection each time: the kernel spreads them over both workers
            with requests.Session() as fresh:
                seen.add(fresh.get(base + "/admin/clock", timeout=10).json()["now"][:16])
        assert seen == {"2026-05-11T08:00"}
        pc = sim.client(PHARMACY)
        pc.insuplc = "610103"
        assert pc.call("2101", druginfo(handles["b0"], ("02", "610103201001010000"),
                                        [fee_line("1", item("C001", "1", "5.00"))], "390")).ok
        sim.admin("post", "/reset")
        for _ in range(12):  # no worker may still trust the sign-in it cached before the reset
            other = Sim(HttpTransport(base, requests.Session())).client(PHARMACY, sign_in=False)
            other.sign_no, other.insuplc = pc.sign_no, "610103"
            reply = other.call("2101", druginfo(handles["b0"], ("02", "610103201001010000"),
                                                [fee_line("1", item("C001", "1", "5.00"))], "390"))
            assert reply.code == "ERR_SIGN_NO_UNKNOWN", reply.body
