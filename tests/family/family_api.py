"""A test client for the family app API over real HTTP, and the "refused and nothing changed" check."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import requests
from sim_client import HttpTransport
from sim_flows import Sim
from sqlalchemy import Engine, select

from simulator.store.tables import metadata

_CHINESE = re.compile(r"[\u4e00-\u9fff]")
_NOT_STATE = ("id_counters",  # the id allocator reserves blocks in its own transaction; not business state
              "traffic")  # the request journal records every request, refusals too (written in batches)


def db_dump(engine: Engine) -> dict[str, list[str]]:
    """Every row of every simulator table (read through a separate connection to the same database)."""
    with engine.connect() as conn:
        return {table.name: sorted(repr(tuple(row)) for row in conn.execute(select(table)))
                for table in metadata.sorted_tables if table.name not in _NOT_STATE}


@dataclass
class Api:
    """JSON calls to one live simulator; `sim` is the shared admin facade and protocol clients."""

    base: str
    engine: Engine
    session: requests.Session

    @property
    def sim(self) -> Sim:
        return Sim(HttpTransport(self.base, self.session))

    def call(self, method: str, path: str, body: Any = None) -> requests.Response:
        return self.session.request(method, self.base + path, json=body, timeout=30)

    def ok(self, method: str, path: str, body: Any = None) -> Any:
        resp = self.call(method, path, body)
        assert resp.status_code == 200, f"{method} {path}: {resp.status_code} {resp.text}"
        return resp.json()

    def post(self, path: str, body: Any = None) -> Any:
        return self.ok("POST", path, body if body is not None else {})

    def get(self, path: str) -> Any:
        return self.ok("GET", path)

    def refused(self, path: str, body: Any, code: str, status: int = 400) -> str:
        """POST `body`, expect the refusal `code` with a Chinese message, and an unchanged database."""
        before = db_dump(self.engine)
        resp = self.call("POST", path, body)
        assert resp.status_code == status, f"{path}: {resp.status_code} {resp.text}"
        reply = resp.json()
        assert reply["code"] == code, reply
        assert _CHINESE.search(reply["message"]), reply
        assert db_dump(self.engine) == before, f"{code}: the database changed on a refusal"
        return str(reply["message"])

    def load(self, world: dict[str, Any]) -> dict[str, str]:
        """Load a world; returns handle -> psn_no (pool and wallet ids under '@pool:<id>')."""
        loaded = self.post("/admin/world", world)
        return loaded["handles"] | {f"@pool:{k}": v for k, v in loaded["pools"].items()}

    def clock(self, now: str) -> None:
        self.post("/admin/clock", {"now": now, "frozen": True})

    def balances(self) -> dict[str, dict[str, str]]:
        return dict(self.get("/admin/balances"))

    def conserved(self) -> dict[str, Any]:
        report = self.get("/admin/conservation")
        assert report["ok"] is True and report["difference"] == "0.00", report
        return dict(report)
