"""What the journal's recovery needs from the platform, as a protocol: the journal does not depend on
the platform client.

`pos_plugin.platform.PlatformClient` satisfies it; so can a test's fake. `recorder` is the journal the
client writes its money requests to (recovery refuses a client that journals elsewhere).
"""

from __future__ import annotations

from typing import Protocol

from pos_plugin.platform.models import Settlement


class RecoveryPlatform(Protocol):
    """2601 reversal and 5203 settlement query, plus which recorder journals the client's money requests."""

    @property
    def recorder(self) -> object: ...

    def reverse(self, *, psn_no: str, omsgid: str, oinfno: str, insuplc: str = "") -> None:
        """2601: undo whatever `omsgid` did, or mark it dead if it never arrived; harmless twice."""

    def query_settlement(self, *, psn_no: str, setl_id: str, mdtrt_id: str = "", insuplc: str = "") -> Settlement:
        """5203: a settlement as the platform holds it now."""
