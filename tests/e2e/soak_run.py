"""Running the chaos soak (`python -m tools.soak`) from a test: one short seeded run per test file, so that
`make test` runs the soak's short runs on different workers at the same time."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Every count the soak reports that must be zero for a pass (the shared store adds duplicate_msgids).
MUST_BE_ZERO = ("fen_lost_or_created", "unresolved", "book_mismatches", "unbalanced_reconciliations",
                "full_id_numbers", "sales_not_uploaded_once", "returns_not_uploaded_once", "uploads_without_sale",
                "uploads_pending", "stay_book_mismatches", "stays_settled_twice", "stay_money_mismatches",
                "revoked_stays_not_returned", "stay_day_end_unbalanced")


def run_soak(**knobs: str) -> subprocess.CompletedProcess[str]:
    """The soak with these SOAK_* knobs (e.g. SOAK_OPS="200"), its output captured."""
    env = {**os.environ, **knobs}
    return subprocess.run([sys.executable, "-m", "tools.soak"], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=240)


def counts(verdict: str) -> dict[str, int]:
    """The numbers in the soak's first line, `soak sqlite SOAK_OPS=… SOAK_SEED=…: name=n …`."""
    return {k: int(v) for k, v in (item.split("=") for item in verdict.split(": ", 1)[1].split() if "=" in item)}
