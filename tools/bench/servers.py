"""What the benchmark runs against: simulator processes and a throwaway PostgreSQL.

PostgreSQL comes from the same code the test suite uses (tools/pg.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pos_plugin.lab.embedded import stop_process
from tools import pg

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def postgres() -> Iterator[pg.PgServer | None]:
    """A throwaway PostgreSQL server (stopped and removed afterwards); None if it cannot start."""
    try:
        server = pg.start()
    except pg.PostgresUnavailable as exc:
        print(f"bench: PostgreSQL unavailable ({exc}); its rows are skipped", file=sys.stderr)
        yield None
        return
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def simulator(db_url: str, workers: int = 1, extra: tuple[str, ...] = ()) -> Iterator[str]:
    """`python -m simulator serve` on a free port; yields its base URL; SIGTERM at the end."""
    log = tempfile.TemporaryFile(mode="w+")
    process = subprocess.Popen(
        [sys.executable, "-m", "simulator", "serve", "--port", "0", "--db", db_url, "--workers", str(workers),
         *extra], cwd=ROOT, stdout=subprocess.PIPE, stderr=log, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        assert process.stdout is not None
        box: list[str] = []
        reader = threading.Thread(target=lambda: box.append(process.stdout.readline() if process.stdout else ""))
        reader.start()
        reader.join(60)
        url = box[0].strip() if box else ""
        if not url.startswith("http"):
            log.seek(0)
            raise RuntimeError(f"simulator did not start: {log.read()[-2000:]}")
        yield url
    finally:
        stop_process(process, timeout=15)
        log.close()


def admin(url: str, method: str, path: str, body: Any = None, timeout: float = 600) -> Any:
    """One admin call; returns the parsed JSON (raises on HTTP errors)."""
    data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
    request = urllib.request.Request(url + "/admin" + path, data=data, method=method,
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    with urllib.request.urlopen(request, timeout=timeout) as reply:  # noqa: S310 - loopback only
        return json.loads(reply.read())


def timed_admin(url: str, method: str, path: str, body: Any = None) -> tuple[float, Any]:
    """(milliseconds, reply) of one admin call."""
    started = time.perf_counter()
    reply = admin(url, method, path, body)
    return (time.perf_counter() - started) * 1000, reply


def load(spec: dict[str, Any]) -> dict[str, Any]:
    """Run the load generator in its own process (python -m tools.bench.loadgen) and return its result."""
    done = subprocess.run([sys.executable, "-m", "tools.bench.loadgen"], input=json.dumps(spec), cwd=ROOT,
                          capture_output=True, text=True, timeout=float(spec["seconds"]) + 600)
    if done.returncode != 0:
        raise RuntimeError(f"load generator failed: {done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def database_targets(tmp: str, server: pg.PgServer | None, prefix: str) -> list[tuple[str, Callable[[object], str]]]:
    """The databases a section measures: a SQLite file in `tmp`, and PostgreSQL when a server runs.
    Each entry makes a fresh database URL for a key (a worker count, a size)."""
    targets: list[tuple[str, Callable[[object], str]]] = [
        ("sqlite", lambda key: f"sqlite:///{Path(tmp) / f'{prefix}-{key}.sqlite'}")]
    if server is not None:
        targets.append(("postgresql", lambda key: server.create_database(f"bench_{prefix}_{key}")))
    return targets
