"""The request journal never loses a request that changed data (store/traffic.py): its row commits in the
request's own transaction. A simulator process killed (SIGKILL) the moment after its last reply, well
inside the queue's flush period, still has every answered sale in its journal; a refusal (nothing
changed) is still journaled by the queue."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select

from simulator.store.tables_traffic import traffic
from tools.bench import loadgen
from tools.bench.world import AREA, PHARMACY, bench_world, persons_of

ROOT = Path(__file__).resolve().parents[2]


def _serve(db: Path) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen([sys.executable, "-m", "simulator", "serve", "--port", "0", "--db", f"sqlite:///{db}"],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    box: list[str] = []
    reader = threading.Thread(target=lambda: box.append(process.stdout.readline() if process.stdout else ""),
                              daemon=True)
    reader.start()
    reader.join(60)
    if not box or not box[0].startswith("http"):
        process.kill()
        pytest.fail("simulator did not start")
    return process, box[0].strip()


def _admin(client: loadgen.Client, path: str, body: Any) -> Any:
    return client.post("/admin" + path, body)


def test_answered_sales_are_in_the_journal_after_kill_9(tmp_path: Path) -> None:
    db = tmp_path / "platform.sqlite"
    process, url = _serve(db)
    try:
        msgids = loadgen.Msgids(datetime.now())
        client = loadgen.Client(url, PHARMACY, AREA, msgids)
        world = bench_world(3)
        people = persons_of(world, _admin(client, "/world", world))
        client.sign_in()
        for person in people:
            loadgen.person_query(client, person)
            loadgen.pharmacy_sale(client, person, AREA)
        answered = msgids.next("")  # the counter's next value says how many msgids were sent
        process.send_signal(signal.SIGKILL)  # right after the last reply: the queue has not flushed
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    sent = int(answered[-4:])  # 1 sign-in + 3 × (1101, 2101, 2102)
    assert sent == 10
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        rows = conn.execute(select(traffic.c.infno, traffic.c.outcome, traffic.c.reply)
                            .where(traffic.c.kind == "request")).all()
    engine.dispose()
    infnos = sorted(r.infno for r in rows if r.outcome == "ok")
    assert infnos == sorted(["9001"] + ["1101", "2101", "2102"] * 3)
    settled = [json.loads(r.reply) for r in rows if r.infno == "2102"]
    assert all(body["infcode"] == 0 and body["output"]["setlinfo"]["setl_id"] for body in settled)


def test_a_refusal_is_journaled_from_the_queue(tmp_path: Path) -> None:
    """Nothing changed under a refused request: its row goes through the queue (read back after a flush)."""
    from simulator import create_app

    app = create_app({"db_url": f"sqlite:///{tmp_path / 'p.sqlite'}"})
    try:
        store = app.extensions["simulator"].platform.store
        app.test_client().post(loadgen.SERVICE, data=b"not json")
        rows = store.traffic.rows()  # flushes the queue first
        assert [(r["outcome"], r["err_code"]) for r in rows] == [("refused", "ERR_BAD_JSON")]
    finally:
        app.extensions["simulator"].platform.store.dispose()
