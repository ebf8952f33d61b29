"""A short seeded run of the chaos soak (`make soak` runs the long one): settle, revoke, partial refund and
wallet transfers on three terminals with faults and kill -9 of the till, then recover and reconcile; every
count the soak reports must be zero."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_a_short_seeded_soak_loses_nothing_and_the_books_agree():
    env = {**os.environ, "SOAK_OPS": "200", "SOAK_SEED": "12", "SOAK_DBS": "sqlite"}
    done = subprocess.run([sys.executable, "-m", "tools.soak"], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=240)
    assert done.returncode == 0, done.stdout + done.stderr
    verdict = done.stdout.splitlines()[0]
    for name in ("fen_lost_or_created", "unresolved", "book_mismatches", "unbalanced_reconciliations",
                 "full_id_numbers"):
        assert f"{name}=0" in verdict, verdict
    assert "killed" in done.stdout and "drop_after_commit" in done.stdout and "wallet ok" in done.stdout
    assert "revoke ok" in done.stdout and "refund ok" in done.stdout
    assert done.stdout.rstrip().endswith("soak: PASS")


@pytest.mark.postgres
def test_three_tills_on_one_shared_postgresql_store_lose_nothing_and_draw_no_msgid_twice():
    if os.environ.get("YIBAO_SKIP_POSTGRES") == "1":
        pytest.skip("YIBAO_SKIP_POSTGRES=1: PostgreSQL tests skipped on request")
    env = {**os.environ, "SOAK_OPS": "80", "SOAK_SEED": "12", "SOAK_DBS": "shared"}
    done = subprocess.run([sys.executable, "-m", "tools.soak"], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=240)
    assert done.returncode == 0, done.stdout + done.stderr
    verdict = done.stdout.splitlines()[0]
    assert verdict.startswith("soak shared"), verdict
    for name in ("fen_lost_or_created", "unresolved", "duplicate_msgids", "book_mismatches",
                 "unbalanced_reconciliations", "full_id_numbers"):
        assert f"{name}=0" in verdict, verdict
    assert "killed" in done.stdout and "settle ok" in done.stdout
    assert done.stdout.rstrip().endswith("soak: PASS")
