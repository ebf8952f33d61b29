"""The journal of money-moving requests (stdlib sqlite3) and the recovery of unknown outcomes.

    journal = Journal("var/journal.sqlite", terminal="T1")
    client = PlatformClient.open(..., recorder=journal)     # rows are written by the client itself
    recovery = Recovery(client, journal)
    done = recovery.guard(psn_no, lambda: client.pharmacy_settle(...))   # NotSettled if a lost reply was reversed
    recovery.recover()                                                   # at start: resolve what is left
    totals_between(journal, day, day)                                    # day-end report per group
    recon_records(journal, day, day, clr_type="41", setl_optins="610103")  # what 3201/3202 declare
"""

from pos_plugin.journal.port import RecoveryPlatform
from pos_plugin.journal.recovery import Recovery, Resolution, recover
from pos_plugin.journal.store import (
    CONFIRMED,
    DONE,
    FAILED,
    PENDING,
    REVERSED,
    UNKNOWN,
    Entry,
    Journal,
)
from pos_plugin.journal.totals import (
    Totals,
    recon_groups,
    recon_records,
    revokes_between,
    settlements_between,
    totals_between,
)

__all__ = [
    "CONFIRMED",
    "DONE",
    "FAILED",
    "PENDING",
    "REVERSED",
    "UNKNOWN",
    "Entry",
    "Journal",
    "Recovery",
    "RecoveryPlatform",
    "Resolution",
    "recon_groups",
    "recon_records",
    "recover",
    "Totals",
    "revokes_between",
    "settlements_between",
    "totals_between",
]
