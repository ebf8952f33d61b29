"""The soak must fail when a till is broken on purpose: it says which invariant broke and how much it examined."""

from __future__ import annotations

from soak_run import counts as soak_counts
from soak_run import run_soak


def test_the_soak_fails_when_a_till_uploads_a_sale_twice_loses_a_return_or_misprints_a_stay():
    """A till broken on purpose (tools/soak/till.py SOAK_BREAK): every sale uploaded (3505) a second time under
    other line numbers, every return (3506) marked uploaded without being sent, every 出院结算单 printing the fund
    share a fen too high. The soak must say which invariants broke, how much they examined, and fail."""
    done = run_soak(SOAK_OPS="50", SOAK_SEED="7", SOAK_DBS="sqlite", SOAK_BREAK="double_upload,lost_return,misprint_stay")
    assert done.returncode == 1, done.stdout + done.stderr
    verdict = done.stdout.splitlines()[0]
    counts = soak_counts(verdict)
    assert counts["sales_not_uploaded_once"] > 0 and counts["returns_not_uploaded_once"] > 0, verdict
    assert counts["stays_checked"] > 0 and counts["stay_money_mismatches"] > 0, verdict  # a stay settled, misprinted
    assert counts["fen_lost_or_created"] == 0 and counts["book_mismatches"] == 0, verdict  # nothing else broke
    assert counts["sales_checked"] >= counts["sales_not_uploaded_once"], verdict
    assert "sale upload" in done.stdout and "return upload {}" in done.stdout and "出院结算单" in done.stdout
    assert done.stdout.rstrip().endswith("soak: FAIL")
