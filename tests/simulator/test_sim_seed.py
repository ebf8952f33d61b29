"""`yibao-sim seed`: valid, unique ID numbers; seeded people are served like loaded ones; money is
conserved; every request statement stays an indexed lookup over the seeded shape (SQLite, with ANALYZE
statistics so the planner sees the real row counts)."""

from __future__ import annotations

import argparse
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from sim_client import fee_line
from sim_flows import Sim, druginfo, table_scans
from sqlalchemy import func, select, text

from simulator.cli import run_seed
from simulator.seed import SeedPlan, certno, check_digit, is_valid_certno, seed
from simulator.store.tables import bindings, funds_in, persons, wallets
from tools.worlds import PHARMACY, item, world

PERSONS = 3000


def test_check_digit_matches_the_standard_example() -> None:
    assert check_digit("11010519491231002") == "X"  # the example printed in GB 11643-1999
    assert is_valid_certno("11010519491231002X") and not is_valid_certno("110105194912310021")
    assert certno("610103", 0) == "610103194001010000"[:17] + check_digit("61010319400101000")


@pytest.fixture
def seeded(app: Flask, sim: Sim) -> dict[str, Any]:
    """world() loaded (institutions, policy, catalogue), then PERSONS seeded people."""
    handles = sim.load(world())["handles"]
    store = app.extensions["simulator"].platform.store
    done = seed(store, SeedPlan(PERSONS, batch=1000, seed=7))
    with store.engine.connect() as conn:
        rows = conn.execute(select(persons.c.id, persons.c.psn_no, persons.c.certno, persons.c.insutype,
                                   persons.c.balance_fen).order_by(persons.c.id)).all()
        counts = {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                  for t in (bindings, wallets, funds_in)}
    return {"handles": handles, "done": done, "rows": rows, "counts": counts, "store": store}


def test_seed_writes_valid_unique_people_with_bindings_and_wallets(seeded: dict[str, Any]) -> None:
    rows, done = seeded["rows"], seeded["done"]
    seeded_rows = [r for r in rows if r.psn_no not in seeded["handles"].values()]
    assert done.persons == len(seeded_rows) == PERSONS
    assert all(is_valid_certno(r.certno) for r in seeded_rows)
    assert len({r.certno for r in rows}) == len(rows) and len({r.psn_no for r in rows}) == len(rows)
    assert sum(r.insutype == "310" for r in seeded_rows) == PERSONS * 7 // 10
    seeded_ids = [r.id for r in seeded_rows]
    # every person with id ≡ 7 (mod 10) whose funder (the id before) was seeded too: 300, or 299 when the
    # first seeded id is itself ≡ 7 (PostgreSQL ids need not start at 1)
    assert done.bindings == sum(1 for i in seeded_ids if i % 10 == 7 and i - 1 >= seeded_ids[0])
    assert done.bindings in (PERSONS // 10, PERSONS // 10 - 1) and done.wallets == PERSONS // 20
    assert seeded["counts"]["wallets"] == 1 + done.wallets  # world() has one wallet


def test_seeded_people_are_served_and_money_is_conserved(seeded: dict[str, Any], sim: Sim) -> None:
    rows = {r.id: r for r in seeded["rows"]}
    first = min(r.id for r in rows.values() if r.psn_no not in seeded["handles"].values())
    beneficiary = next(r for r in rows.values() if r.id % 10 == 7 and r.id - 1 >= first  # the funder was seeded too
                       and r.insutype == "390" and rows[r.id - 1].balance_fen)
    funder = rows[beneficiary.id - 1]
    pc = sim.client(PHARMACY)
    info = pc.person_info("02", beneficiary.certno)
    assert info.ok and info.output["baseinfo"]["psn_no"] == beneficiary.psn_no
    price = Decimal(funder.balance_fen) / 100
    out = pc.call("2102", druginfo(beneficiary.psn_no, ("02", beneficiary.certno),
                                   [fee_line("1", item("C001", "1", str(price)))], "390")).output
    assert [(leg["source"], leg["psn_no"]) for leg in out["payleg"]] == [("funder", funder.psn_no)]
    assert sim.account(funder.psn_no) == 0
    assert sim.conservation()["ok"] is True


@pytest.mark.own_app
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_request_statements_use_indexes_over_seeded_people(seeded: dict[str, Any], sim: Sim) -> None:
    store = seeded["store"]
    with store.engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()
    test_seeded_people_are_served_and_money_is_conserved(seeded, sim)
    prepared, scans = table_scans(store)
    assert prepared > 10 and scans == []


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_second_seed_continues_without_clashing(app: Flask, db_url: str) -> None:
    store = app.extensions["simulator"].platform.store
    seed(store, SeedPlan(200, batch=64))
    seed(store, SeedPlan(150, batch=64))
    with store.engine.connect() as conn:
        certnos = conn.execute(select(persons.c.certno)).scalars().all()
    assert len(certnos) == len(set(certnos)) == 350


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("bad", [{"persons": 0}, {"batch": 0}, {"insuplc": "61"}])
def test_seed_refuses_bad_arguments(db_url: str, bad: dict[str, Any]) -> None:
    args = argparse.Namespace(**({"db": db_url, "persons": 10, "batch": 10, "insuplc": "610103", "seed": 0,
                                  "quiet": True} | bad))
    with pytest.raises(SystemExit, match="--persons and --batch must be positive"):
        run_seed(args)
