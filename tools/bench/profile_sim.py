"""Where a simulator request's time goes: the bench's sale (2101+2102) or echo, in this process, under cProfile.

    python -m tools.bench.profile_sim [--kind pharmacy|echo|1101] [--ops 300] [--db sqlite|postgresql|URL] [--top 30]

The app is built as `simulator serve` builds it and driven through Flask's test client with the load
generator's own request bodies (tools/bench/loadgen.py), one op after another: what it prints is CPU per
request without HTTP parsing or other threads (the same for echo and a sale). `--shared` builds it as
several workers would (`--workers > 1`). The wait for SQLite's writer lock under load is measured by the
bench itself (p99 at 8 connections); this tool says what a request costs when it does not wait.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from simulator.app import create_app
from simulator.config import SimConfig
from tools import pg
from tools.bench import loadgen
from tools.bench.sim import msgid_base
from tools.bench.world import AREA, PHARMACY, bench_world, persons_of


class _TestConnection:
    """What loadgen.Client needs of http.client.HTTPConnection, over Flask's test client."""

    def __init__(self, client: Any) -> None:
        self.client: Any = client
        self.reply: Any = None

    def request(self, method: str, path: str, data: bytes, headers: dict[str, str]) -> None:
        self.reply = self.client.open(path, method=method, data=data, headers=headers)

    def getresponse(self) -> Any:
        reply = self.reply

        class _Reply:
            status = reply.status_code

            @staticmethod
            def read() -> bytes:
                return bytes(reply.data)
        return _Reply

    def close(self) -> None:
        pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kind", default="pharmacy", choices=("pharmacy", "echo", "1101"))
    parser.add_argument("--ops", type=int, default=300)
    parser.add_argument("--db", default="sqlite")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--shared", action="store_true")
    parser.add_argument("--out", default="", help="also write the raw profile here (pstats format)")
    parser.add_argument("--bare", action="store_true", help="time only, no profiler (its overhead is ~2x)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="yibao-profile-") as tmp, _database(args.db, Path(tmp)) as url:
        app = create_app(SimConfig(db_url=url, shared=args.shared))
        test = app.test_client()
        world = bench_world(200)
        loaded = test.post("/admin/world", json=world).get_json()
        people = persons_of(world, loaded)
        msgids = loadgen.Msgids(datetime.fromisoformat(msgid_base()))
        client = loadgen.Client("http://127.0.0.1:1", PHARMACY, AREA, msgids)
        client.conn = _TestConnection(test)  # type: ignore[assignment]
        if args.kind != "echo":
            client.sign_in()

        def one(n: int) -> None:
            if args.kind == "echo":
                client.post("/admin/echo", {"ping": n})
            elif args.kind == "1101":
                loadgen.person_query(client, people[n % len(people)])
            else:
                loadgen.pharmacy_sale(client, people[n % len(people)], AREA)

        for n in range(20):  # warm-up: imports, caches, first statements compiled
            one(n)
        profile = cProfile.Profile()
        started, cpu = time.perf_counter(), time.process_time()
        if not args.bare:
            profile.enable()
        for n in range(args.ops):
            one(20 + n)
        profile.disable()
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        requests = args.ops * loadgen_requests(args.kind)
        print(json.dumps({"kind": args.kind, "ops": args.ops, "requests": requests,
                          "wall_ms_per_request": round(wall * 1000 / requests, 3),
                          "cpu_ms_per_request": round(cpu * 1000 / requests, 3)}))
        app.extensions["simulator"].platform.store.dispose()
    if args.bare:
        return 0
    if args.out:
        profile.dump_stats(args.out)
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("tottime").print_stats(args.top)
    stats.sort_stats("cumulative").print_stats(args.top)
    print(out.getvalue())
    return 0


@contextmanager
def _database(name: str, tmp: Path) -> Iterator[str]:
    """A SQLite file, a throwaway PostgreSQL server (tools/pg.py) or the URL given."""
    if name == "sqlite":
        yield f"sqlite:///{tmp / 'sim.sqlite'}"
    elif name == "postgresql":
        server = pg.start()
        try:
            yield server.create_database("profile_sim")
        finally:
            server.stop()
    else:
        yield name


def loadgen_requests(kind: str) -> int:
    return 2 if kind == "pharmacy" else 1


if __name__ == "__main__":
    raise SystemExit(main())
