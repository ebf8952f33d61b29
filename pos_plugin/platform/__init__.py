"""The platform client: the only package that speaks HTTP (requests) to the national platform.

    client = PlatformClient.open("http://127.0.0.1:8080", institution=Institution(...),
                                 operator=Operator(...), state_path="var/state.sqlite",
                                 recorder=journal)          # a pos_plugin.journal.Journal
    who = client.decode_ecode(code)                         # EcodeIdentity
    person = client.person_info(mdtrt_cert_type="01", mdtrt_cert_no=who.ec_token)
    pre = client.pharmacy_presettle(druginfo, drugdetail, insuplc=...)
    done = client.pharmacy_settle(druginfo, drugdetail, insuplc=..., payplan=legs)

Errors come from pos_plugin.errors; see client.py for the retry policy.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from pos_plugin.platform.client import SAFETY, MoneyRecorder, PlatformCore, Safety
from pos_plugin.platform.envelope import Institution, Operator, Reply
from pos_plugin.platform.inpatient import InpatientApi
from pos_plugin.platform.models import (
    DetailOutcome,
    DetailRow,
    EcodeIdentity,
    FileInfo,
    PayLeg,
    PersonInfo,
    ReconRecord,
    ReconTotals,
    Registration,
    Settlement,
    StatementResult,
)
from pos_plugin.platform.msgid import MsgidSequence
from pos_plugin.platform.person import (
    BUSINESS_OUTPATIENT,
    BUSINESS_PHARMACY,
    BUSINESS_REGISTRATION,
    PersonApi,
)
from pos_plugin.platform.reconcile import ReconcileApi, detail_file, parse_result_file
from pos_plugin.platform.settlement import SettlementApi
from pos_plugin.platform.signin import SignIn, SignInCache
from pos_plugin.platform.state import STATE_SCHEMA, StateDb, StateStore, on_store, open_state
from pos_plugin.platform.tif import TifCredentials
from pos_plugin.platform.transport import HttpTransport, Timeouts


class PlatformClient(PersonApi, SettlementApi, InpatientApi, ReconcileApi):
    """Every transaction the checkout needs, for one institution and one operator."""

    @classmethod
    def open(
        cls,
        base_url: str,
        *,
        institution: Institution,
        operator: Operator,
        state_path: str | Path | StateStore,
        recorder: MoneyRecorder | None = None,
        tif: TifCredentials | None = None,
        timeouts: Timeouts | None = None,
        clock: Callable[[], datetime] = datetime.now,
    ) -> PlatformClient:
        """Build a client whose msgid sequence and sign-in cache live in the shared `state_path` file (or the
        shared store, a postgresql:// URL, or a store already open: a terminal's journal draws the msgid of a
        money request in the transaction that records it when both are on one store)."""
        db = on_store(state_path, STATE_SCHEMA)
        return cls(
            HttpTransport(base_url, timeouts=timeouts, tif=tif),
            institution,
            operator,
            MsgidSequence(db, institution.fixmedins_code, clock),
            SignInCache(db, institution.fixmedins_code),
            recorder=recorder,
            clock=clock,
        )

    def close(self) -> None:
        self.transport.close()
        self.msgids.db.close()


__all__ = [
    "BUSINESS_OUTPATIENT",
    "BUSINESS_PHARMACY",
    "BUSINESS_REGISTRATION",
    "SAFETY",
    "DetailOutcome",
    "DetailRow",
    "EcodeIdentity",
    "FileInfo",
    "HttpTransport",
    "Institution",
    "MoneyRecorder",
    "MsgidSequence",
    "Operator",
    "PayLeg",
    "PersonInfo",
    "PlatformClient",
    "PlatformCore",
    "ReconRecord",
    "ReconTotals",
    "Registration",
    "Reply",
    "Safety",
    "Settlement",
    "SignIn",
    "SignInCache",
    "StateDb",
    "StateStore",
    "open_state",
    "StatementResult",
    "TifCredentials",
    "Timeouts",
    "detail_file",
    "parse_result_file",
]
