"""Bulk seed: `yibao-sim seed --db URL --persons N` writes N insured persons straight into the store.

For scale tests (a million people) where `POST /admin/world` would spend minutes parsing JSON. Each
batch is one transaction (BEGIN IMMEDIATE on SQLite) of plain multi-row INSERTs:

    persons   70 % employees (310) with an account (0-2,000 yuan), 30 % residents (390) without
    bindings  every 10th person (a resident) is the beneficiary of the employee before (rank 1, active)
    wallets   every 20th person has a medical-insurance wallet (50 yuan)
    funds_in  one load row per account and wallet with money, so /admin/conservation still balances

ID numbers are valid GB 11643 numbers (area + birthday + sequence + check digit) and unique: person k of
the database gets birthday day `k % DAYS` from 1940-01-01 and sequence `k // DAYS`. psn_no and card
numbers come from the same id counters the platform uses, so seeded and loaded people never clash.
Institutions, policies and the catalogue still come from a world file (`--load` or /admin/world).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Table, func, select, text

from simulator.platform.ids import IdGenerator
from simulator.store.store import Store
from simulator.store.tables import bindings, funds_in, persons, wallets

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"
FIRST_DAY = date(1940, 1, 1)
DAYS = 365 * 60  # birthdays 1940..1999
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


def check_digit(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits."""
    return CHECK[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


@lru_cache(maxsize=4)
def _days(area: str) -> list[tuple[str, int]]:
    """(area + birthday digits, their weighted sum) for every day of DAYS: a million ID numbers then cost
    one addition each, not seventeen multiplications."""
    out = []
    for n in range(DAYS):
        head = f"{area}{FIRST_DAY + timedelta(days=n):%Y%m%d}"
        out.append((head, sum(int(d) * w for d, w in zip(head, WEIGHTS[:14], strict=True))))
    return out


def certno(area: str, index: int) -> str:
    """The `index`-th ID number of `area` (unique for index < DAYS * 1000)."""
    if index >= DAYS * 1000:
        raise ValueError("too many persons for one area's ID numbers")
    head, weighted = _days(area)[index % DAYS]
    seq = index // DAYS
    tail = f"{seq:03d}"
    total = weighted + (seq // 100) * WEIGHTS[14] + (seq // 10 % 10) * WEIGHTS[15] + (seq % 10) * WEIGHTS[16]
    return head + tail + CHECK[total % 11]


def is_valid_certno(value: str) -> bool:
    return len(value) == 18 and value[:17].isdigit() and check_digit(value[:17]) == value[17]


@dataclass(frozen=True)
class SeedPlan:
    persons: int
    insuplc: str = "610103"
    batch: int = 20_000
    seed: int = 0
    at: str = "2026-01-01 00:00:00"


@dataclass(frozen=True)
class SeedResult:
    persons: int
    bindings: int
    wallets: int
    seconds: float


def person_row(k: int, psn_no: str, card: str, insuplc: str) -> dict[str, Any]:
    """Person k: deterministic name, sex from the ID number's sequence, 70 % employees with an account."""
    cert = certno(insuplc, k)
    employee = k % 10 < 7
    return {"psn_no": psn_no, "certno": cert, "card_sn": card,
            "name": SURNAMES[k % len(SURNAMES)] + GIVEN[(k // 7) % len(GIVEN)] + GIVEN[(k // 13) % len(GIVEN)],
            "gender": "1" if int(cert[16]) % 2 else "2", "birthday": f"{cert[6:10]}-{cert[10:12]}-{cert[12:14]}",
            "insutype": "310" if employee else "390",
            "psn_type": ("1201" if k % 5 == 0 else "1101") if employee else "1403",
            "insuplc": insuplc, "status": "1", "has_account": employee,
            "balance_fen": (k * 7919) % 200_000 if employee else 0, "ytd_dedc_fen": 0, "ytd_fund_fen": 0}


def seed(store: Store, plan: SeedPlan, progress: Callable[[int, int, float], None] | None = None) -> SeedResult:
    """Write `plan.persons` persons (with bindings, wallets and their fund loads) in batches."""
    ids = IdGenerator(plan.seed, store.reserve_ids)
    started = time.perf_counter()
    done = n_bindings = n_wallets = 0
    start: int | None = None
    while done < plan.persons:
        count = min(plan.batch, plan.persons - done)
        psn = ids.serials("psn", count)
        cards = ids.serials("card", count)
        wallet_serials = ids.serials("wallet", count // 20 + 1)
        with store.write() as tx:
            conn = tx.conn
            if not store.sqlite:
                conn.execute(text("LOCK TABLE persons IN EXCLUSIVE MODE"))
            first_id = int(conn.execute(select(func.coalesce(func.max(persons.c.id), 0))).scalar_one()) + 1
            start = first_id if start is None else start  # the person before a beneficiary is seeded too
            rows = [person_row(first_id + i, ids.psn_no(plan.insuplc, psn[i]), f"A{cards[i]:08d}", plan.insuplc)
                    | {"id": first_id + i} for i in range(count)]
            bulk_insert(conn, persons, rows, store.sqlite)
            links = [{"funder_id": r["id"] - 1, "beneficiary_id": r["id"], "rank": 1, "relation": "parent",
                      "start_date": "2026-01-01", "end_date": None, "state": "active"}
                     for r in rows if r["id"] % 10 == 7 and r["id"] - 1 >= start]
            owners = [r for r in rows if r["id"] % 20 == 3]
            purses = [{"wallet_id": f"QB{wallet_serials[j]:014d}", "owner_id": r["id"], "balance_fen": 5000,
                       "status": "active"} for j, r in enumerate(owners)]
            loads = [{"kind": "load", "target": "account", "ref": r["psn_no"], "amount_fen": r["balance_fen"],
                      "at": plan.at} for r in rows if r["balance_fen"]]
            loads += [{"kind": "load", "target": "wallet", "ref": w["wallet_id"], "amount_fen": w["balance_fen"],
                       "at": plan.at} for w in purses]
            for table, values in ((bindings, links), (wallets, purses), (funds_in, loads)):
                bulk_insert(conn, table, values, store.sqlite)
            if not store.sqlite:
                conn.execute(text("SELECT setval(pg_get_serial_sequence('persons', 'id'), :last)"),
                             {"last": first_id + count - 1})
        done += count
        n_bindings += len(links)
        n_wallets += len(purses)
        if progress is not None:
            progress(done, plan.persons, time.perf_counter() - started)
    if not store.sqlite:
        with store.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
    return SeedResult(done, n_bindings, n_wallets, time.perf_counter() - started)


def bulk_insert(conn: Connection, table: Table, rows: list[dict[str, Any]], sqlite: bool) -> None:
    """Many rows at once, straight through the driver: sqlite3's executemany, or PostgreSQL's COPY
    (SQLAlchemy's per-row parameter processing would cost more than the database's work)."""
    if not rows:
        return
    columns = list(rows[0])
    values = [tuple(row[c] for c in columns) for row in rows]
    if sqlite:
        conn.exec_driver_sql(f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                             values)
        return
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for value in values:
            copy.write_row(value)


def progress_bar(done: int, total: int, seconds: float) -> None:
    """A one-line progress bar on stderr."""
    width = 30
    filled = width * done // max(total, 1)
    rate = done / seconds if seconds else 0.0
    end = "\n" if done >= total else ""
    print(f"\rseed [{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} persons "
          f"{seconds:6.1f} s ({rate:,.0f}/s)", end=end, file=sys.stderr, flush=True)
