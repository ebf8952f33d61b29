"""A short seeded soak of three till processes on one shared PostgreSQL till store (`make soak` runs the long
one): faults and kill -9, then recover and reconcile; nothing lost, no msgid drawn twice, every book agrees."""

from __future__ import annotations

import os

import pytest
from soak_run import MUST_BE_ZERO, run_soak


@pytest.mark.postgres
def test_three_tills_on_one_shared_postgresql_store_lose_nothing_and_draw_no_msgid_twice():
    if os.environ.get("YIBAO_SKIP_POSTGRES") == "1":
        pytest.skip("YIBAO_SKIP_POSTGRES=1: PostgreSQL tests skipped on request")
    done = run_soak(SOAK_OPS="80", SOAK_SEED="12", SOAK_DBS="shared")
    assert done.returncode == 0, done.stdout + done.stderr
    verdict = done.stdout.splitlines()[0]
    assert verdict.startswith("soak shared"), verdict
    for name in ("duplicate_msgids", *MUST_BE_ZERO):
        assert f"{name}=0" in verdict, verdict
    assert "killed" in done.stdout and "settle ok" in done.stdout
    assert done.stdout.rstrip().endswith("soak: PASS")
