"""The journal's recovery against its protocol (journal/port.py) alone: no platform client, no HTTP.

A plain object with `recorder`, `reverse` (2601) and `query_settlement` (5203) is all recovery needs;
the journal is a real SQLite file. End-to-end recovery over real HTTP is tests/integration/test_journal_recovery.py.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from pos_plugin.errors import BusinessError, JournalError, PlatformUnreachable
from pos_plugin.journal import REVERSED, UNKNOWN, Journal, Recovery
from pos_plugin.journal.port import RecoveryPlatform
from pos_plugin.platform.models import Settlement

SETTLE_ENVELOPE = {"infno": "2102", "insuplc_admdvs": "610100", "input": {"druginfo": {"medfee_sumamt": Decimal("9.00")}}}


class Platform:
    """What a platform answers to recovery: each 2601 recorded, or the error it is told to raise."""

    def __init__(self, journal: Journal, error: Exception | None = None) -> None:
        self.recorder = journal
        self.error = error
        self.reversals: list[tuple[str, str, str, str]] = []

    def reverse(self, *, psn_no: str, omsgid: str, oinfno: str, insuplc: str = "") -> None:
        self.reversals.append((psn_no, omsgid, oinfno, insuplc))
        if self.error is not None:
            raise self.error

    def query_settlement(self, *, psn_no: str, setl_id: str, mdtrt_id: str = "", insuplc: str = "") -> Settlement:
        raise AssertionError("a lost settle reply carries no setl_id: 5203 is never asked")


@pytest.fixture
def journal(tmp_path):
    journal = Journal(tmp_path / "journal.sqlite", terminal="T1")
    yield journal
    journal.close()


def lost_settle(journal: Journal, msgid: str = "M1") -> None:
    journal.before_send(msgid, "2102", "P1", SETTLE_ENVELOPE)
    journal.after_unknown(msgid, PlatformUnreachable("reply lost"))


def test_a_lost_settlement_is_reversed_through_the_protocol(journal):
    lost_settle(journal)
    platform: RecoveryPlatform = Platform(journal)
    [resolution] = Recovery(platform, journal).recover()
    assert resolution.outcome == "reversed" and "本笔未扣款" in resolution.message
    assert platform.reversals == [("P1", "M1", "2102", "610100")]
    assert journal.get("M1").state == REVERSED


def test_a_platform_already_reversed_answer_resolves_it(journal):
    lost_settle(journal)
    platform = Platform(journal, BusinessError("该交易已冲正"))
    [resolution] = Recovery(platform, journal).recover()
    assert resolution.outcome == "reversed" and journal.get("M1").state == REVERSED


def test_an_unreachable_platform_leaves_the_row_for_the_next_start(journal):
    lost_settle(journal)
    [resolution] = Recovery(Platform(journal, PlatformUnreachable("down")), journal).recover()
    assert resolution.outcome == "unresolved" and "下次启动时将自动冲正" in resolution.message
    row = journal.get("M1")
    assert row.state == UNKNOWN and row.reversal_sent


def test_a_platform_that_journals_elsewhere_is_refused(journal, tmp_path):
    other = Journal(tmp_path / "other.sqlite", terminal="T1")
    try:
        with pytest.raises(JournalError, match="未使用此交易日志"):
            Recovery(Platform(other), journal)
    finally:
        other.close()
