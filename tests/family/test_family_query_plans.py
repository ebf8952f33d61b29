"""The family app's statements are indexed lookups (SQLite plans): no table is scanned, except the few
rows of `policies` that region resolution reads whole by design."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from family_api import Api
from family_flows import buy, item, till
from family_world import AREA, PHARMACY, child, person, world
from sqlalchemy import event

ALLOWED_SCANS = ("policies",)


@contextmanager
def recorded(engine: Any) -> Iterator[list[tuple[str, Any]]]:
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE")):
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.mark.parametrize("live_sim", ["sqlite"], indirect=True)
def test_family_statements_use_indexes(api: Api, live_sim: Any) -> None:
    h = api.load(world(person("ben", "shaanxi", account="5.00"), person("f1", "shaanxi"), person("f2", "shaanxi"),
                       person("gran", "national"), child("kid", "shaanxi"), person("dad", "gansu"),
                       person("mum", "gansu"), wallets=[{"owner": "kid", "balance": "0.00"}]))
    pc = till(api, PHARMACY["shaanxi"], AREA["shaanxi"])
    engine = live_sim.app.extensions["simulator"].platform.store.engine
    with recorded(engine) as statements:
        one = api.post("/app/bindings", {"funder": h["f1"], "beneficiary": h["ben"], "relation": "child",
                                         "face_verified": True, "start": "2026-01-01", "end": "2026-12-31"})
        two = api.post("/app/bindings", {"funder": h["f2"], "beneficiary": h["ben"], "relation": "child",
                                         "face_verified": True, "start": "2026-01-01", "end": "2026-12-31"})
        api.post(f"/app/bindings/{two['binding_id']}/rank", {"rank": 1, "by": h["ben"]})
        api.post(f"/app/bindings/{one['binding_id']}/end", {"by": h["f1"]})
        buy(api, pc, h["ben"], [item("A001", "1", "20.00")])
        api.get(f"/app/persons/{h['ben']}/funders")
        api.get(f"/app/persons/{h['f2']}/beneficiaries")
        api.post(f"/admin/persons/{h['f2']}/status", {"status": "4"})
        pool = api.post("/app/pools", {"creator": h["dad"], "face_verified": True})["pool_id"]
        api.post(f"/app/pools/{pool}/members", {"psn_no": h["mum"], "relation": "spouse", "face_verified": True,
                                                "by": h["dad"]})
        api.post(f"/app/pools/{pool}/allot", {"amount": "10.00", "by": h["dad"]})
        api.post(f"/app/pools/{pool}/dissolve", {"by": h["dad"]})
        sent = api.post("/app/wallet-transfers", {"from": h["gran"], "to": h["kid"], "amount": "5.00",
                                                  "relation": "grandparent", "verification": "face"})
        api.post(f"/app/wallet-transfers/{sent['transfer_id']}/accept", {"by": h["kid"]})
        api.get(f"/app/persons/{h['kid']}/wallet")
        api.post("/app/guardians", {"guardian": h["f2"], "minor": h["kid"], "relation": "parent"})
        api.call("GET", f"/app/persons/{h['f2']}/minors/{h['kid']}")
        api.post("/admin/clock/advance", {"seconds": 86400})
    assert len(statements) > 40
    scans = []
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        for sql, params in statements:
            plan = [row[3] for row in raw.execute("EXPLAIN QUERY PLAN " + sql, params)]
            scans += [(sql.split("\n")[0][:90], step) for step in plan
                      if step.startswith("SCAN") and not any(f"SCAN {t}" in step for t in ALLOWED_SCANS)]
    assert scans == []
