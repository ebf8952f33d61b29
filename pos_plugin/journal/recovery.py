"""Resolving unknown outcomes: never a second debit, never a silent loss.

Policy for a money-moving request whose outcome is unknown (reply lost, timeout, crash before or
after sending — its journal row is `pending` or `unknown`):
* Settlement (2102/2207): REVERSED with 2601 on its original msgid. If it had committed, the platform
  undoes it (balances exactly as before); if it never arrived, the platform marks the msgid dead so a
  late arrival is refused. Either way the cashier is told the sale did NOT happen and must be retried
  (`NotSettled`) — one answer whatever the platform had done. (A lost settle reply carries no setl_id,
  so 5203 cannot look it up.)
* Revoke (2103/2208): the settlement id is known, so it is first CONFIRMED through 5203: if the
  platform shows the settlement revoked BY THIS REQUEST (5203's ⊕ `revoke_msgid`), the revoke is done
  (balances exactly as after) and booked with the revocation's own setl_id and time (5203's ⊕
  `revoke_setl_id`, `revoke_time`); the sale book follows in the same transaction. Revoked by another
  request (or the journal already holds an answered revoke of it), this revoke did nothing: it is
  reversed (its msgid killed) and the cashier told the settlement was already revoked. Otherwise it is
  reversed with 2601 like a settlement (the revoke did not happen; the sale stands; revoke again).
* A status query proves nothing while a money request that may still land is unanswered: once a 2601
  was sent for a row (`reversal_sent`) only an answered 2601 resolves it (repeated until answered, the
  platform makes a repeat harmless), and 5203 is not believed while a 2601 of the same person is
  unanswered. A revoke confirmed from 5203 is confirmed only as the request 5203 names (revoke_msgid).
* 2601 is idempotent on the platform, and a `reversed` row is never reversed again here.
* It is done at once when the loss happens (`Recovery.guard`); if the platform cannot be reached
  then, the row stays unresolved, the cashier is told so, and `recover()` (run at the next start by
  `pos-plugin recover`) tries again. While a person has an unresolved row, `guard` first retries it
  and refuses a new money request for them if it is still unresolved (`RecoveryPending`), so a retry
  can never stack a second debit.
Rows are per terminal (`Journal(terminal=...)`): recovery resolves its own terminal's requests, and on a
shared PostgreSQL store (`--state-db`) also those of another terminal that is known to be down: one whose
lease no process holds (the till that runs a terminal holds it for as long as it runs; PostgreSQL drops it
when that process dies, docs/till-store.md). On a SQLite file it never touches another terminal's requests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from pos_plugin.errors import (
    BusinessError,
    JournalError,
    NotSettled,
    PlatformError,
    RecoveryPending,
    UnknownOutcome,
)
from pos_plugin.journal.port import RecoveryPlatform
from pos_plugin.journal.store import AMOUNTS, DONE, FAILED, REVERSED, REVOKES, UNRESOLVED, Entry, Journal
from pos_plugin.platform.models import Settlement

REVERSED_OUTCOME, CONFIRMED_OUTCOME, UNRESOLVED_OUTCOME = "reversed", "confirmed", "unresolved"
ANSWERED_OUTCOME, FAILED_OUTCOME = "answered", "failed"
REVOKED_BEFORE = "revoked_before"  # confirm(): the settlement was revoked, but not by this request
# err_msg words by which the platform says a 2601 was already applied (harmless repeat).
ALREADY_REVERSED = ("已冲正", "already reversed")


@dataclass(frozen=True)
class Resolution:
    """What became of one journaled request, with the sentence to show the cashier."""

    msgid: str
    infno: str
    psn_no: str
    outcome: str  # reversed | confirmed | unresolved | answered | failed
    message: str
    settlement: Settlement | None = None


class Recovery:
    """Runs money requests under the journal and resolves the ones whose outcome is unknown."""

    def __init__(self, client: RecoveryPlatform, journal: Journal) -> None:
        if client.recorder is not journal:
            raise JournalError("平台客户端未使用此交易日志记录资金交易，无法保证可恢复")
        self.client = client
        self.journal = journal

    def guard(self, psn_no: str, send: Callable[[], Settlement]) -> Settlement:
        """Send one money request for `psn_no` and resolve a lost reply at once.

        Returns the platform's answer (or, for a revoke confirmed through 5203, its figures). Raises
        NotSettled when the request was reversed, RecoveryPending (nothing sent) while an earlier
        request of this person stays unresolved, UnknownOutcome when the platform cannot be reached
        to resolve it (the journal keeps it for `recover()`)."""
        self.clear_backlog(psn_no)
        try:
            return send()
        except UnknownOutcome as lost:
            resolution = self.resolve(lost.msgid)
            if resolution.outcome == CONFIRMED_OUTCOME and resolution.settlement is not None:
                return resolution.settlement
            if resolution.outcome == REVERSED_OUTCOME:
                raise NotSettled(resolution.message, msgid=lost.msgid, infno=lost.infno) from lost
            raise UnknownOutcome(resolution.message, msgid=lost.msgid, infno=lost.infno) from lost

    def recover(self) -> list[Resolution]:
        """This terminal's unresolved rows, then those of every other terminal known to be down (its lease
        is free: no process runs it) on a shared store; a terminal that runs resolves its own."""
        resolved = self._recover_own()
        for terminal in self.journal.other_terminals_unresolved():
            with self.journal.leased(terminal) as down:
                if down:
                    resolved += [self._resolve_unresolved(entry) for entry in self.journal.unresolved(terminal=terminal)]
        return resolved

    def _recover_own(self) -> list[Resolution]:
        """Resolve every pending/unknown row of this terminal (the CLI's `recover`), oldest first."""
        return [self._resolve_unresolved(entry) for entry in self.journal.unresolved()]

    def report(self) -> list[Resolution]:
        """Every unresolved row as it stands, without sending anything (for a status display)."""
        return [self._resolution(e, UNRESOLVED_OUTCOME, f"交易 {e.infno}（流水号 {e.msgid}）结果未知，待处理")
                for e in self.journal.unresolved()]

    def resolve(self, msgid: str) -> Resolution:
        """Resolve one row; rows already resolved are reported, never sent again."""
        entry = self.journal.get(msgid)
        if entry.state in UNRESOLVED:
            return self._resolve_unresolved(entry)
        return self._report(entry)

    def confirm(self, msgid: str) -> Resolution:
        """Confirm an unresolved revoke through 5203 (its settlement id is known): when the platform
        shows the settlement revoked, the row is confirmed; otherwise nothing changes."""
        entry = self.journal.get(msgid)
        if entry.state not in UNRESOLVED or entry.infno not in REVOKES or not entry.orig_setl_id:
            return self._report(entry)
        if entry.reversal_sent or any(other.psn_no == entry.psn_no and other.reversal_sent
                                      for other in self.journal.unresolved()):
            return self._resolution(entry, UNRESOLVED_OUTCOME, "冲正尚未得到答复，平台状态暂不能作准")
        earlier = self.journal.revoke_in_effect(entry.orig_setl_id, institution=entry.msgid[:-18])  # code + 18 digits
        if earlier is not None and earlier.msgid != entry.msgid:
            return self._resolution(entry, REVOKED_BEFORE, _revoked_before(entry, earlier.msgid))
        found = self.client.query_settlement(psn_no=entry.psn_no, setl_id=entry.orig_setl_id,
                                             mdtrt_id=entry.mdtrt_id or "", insuplc=entry.insuplc)
        if not _is_revoked(found):
            return self._resolution(entry, UNRESOLVED_OUTCOME, "平台显示原结算仍有效，撤销未生效")
        revoked_by = str(found.setlinfo.get("revoke_msgid") or "")
        if revoked_by and revoked_by != entry.msgid:
            return self._resolution(entry, REVOKED_BEFORE, _revoked_before(entry, revoked_by))
        figures = revoke_figures(found, entry.msgid)
        self.journal.mark_confirmed(msgid, {"setlinfo": figures.setlinfo})
        return self._resolution(entry, CONFIRMED_OUTCOME, f"平台确认撤销已完成（原结算号 {entry.orig_setl_id}）", figures)

    def _resolve_unresolved(self, entry: Entry) -> Resolution:
        if entry.infno in REVOKES and entry.orig_setl_id and not entry.reversal_sent:
            try:
                confirmed = self.confirm(entry.msgid)
            except PlatformError:
                confirmed = None  # 5203 unavailable: reversing is equally safe
            if confirmed is not None and confirmed.outcome == CONFIRMED_OUTCOME:
                return confirmed
            if confirmed is not None and confirmed.outcome == REVOKED_BEFORE:
                reversed_ = self._reverse(entry)
                if reversed_.outcome == REVERSED_OUTCOME:
                    return replace(reversed_, message=confirmed.message)
                return reversed_
        return self._reverse(entry)

    def clear_backlog(self, psn_no: str) -> None:
        """Resolve this person's unresolved requests now; RecoveryPending if any stays unresolved."""
        stuck = [r for r in (self._resolve_unresolved(e) for e in self.journal.unresolved() if e.psn_no == psn_no)
                 if r.outcome == UNRESOLVED_OUTCOME]
        if stuck:
            raise RecoveryPending(msgids=[r.msgid for r in stuck])

    def _reverse(self, entry: Entry) -> Resolution:
        self.journal.note_reversal_sent(entry.msgid)
        try:
            self.client.reverse(psn_no=entry.psn_no, omsgid=entry.msgid, oinfno=entry.infno, insuplc=entry.insuplc)
        except BusinessError as exc:
            if not any(word in exc.message for word in ALREADY_REVERSED):
                return self._still_unknown(entry, str(exc))
        except PlatformError as exc:
            return self._still_unknown(entry, str(exc))
        self.journal.mark_reversed(entry.msgid, "2601 冲正成功")
        return self._resolution(entry, REVERSED_OUTCOME, _reversed_message(entry))

    def _still_unknown(self, entry: Entry, error: str) -> Resolution:
        self.journal.note_error(entry.msgid, f"冲正失败: {error}")
        message = (f"交易 {entry.infno}（流水号 {entry.msgid}）结果未知，冲正暂未成功（{error}）；"
                   "已保留记录，恢复前请勿重复结算，下次启动时将自动冲正")
        return self._resolution(entry, UNRESOLVED_OUTCOME, message)

    def _report(self, entry: Entry) -> Resolution:
        if entry.state == REVERSED:
            return self._resolution(entry, REVERSED_OUTCOME, _reversed_message(entry))
        if entry.state == FAILED:
            return self._resolution(entry, FAILED_OUTCOME, f"平台未受理（{entry.error}），未发生资金变动")
        outcome = ANSWERED_OUTCOME if entry.state == DONE else CONFIRMED_OUTCOME
        return self._resolution(entry, outcome, f"平台已完成（结算号 {entry.setl_id or '-'}）")

    @staticmethod
    def _resolution(entry: Entry, outcome: str, message: str, settlement: Settlement | None = None) -> Resolution:
        return Resolution(entry.msgid, entry.infno, entry.psn_no, outcome, message, settlement)


def _reversed_message(entry: Entry) -> str:
    if entry.infno in REVOKES:
        return f"撤销结果未知，已向平台冲正（流水号 {entry.msgid}）：原结算仍然有效，请重新撤销"
    return f"结算结果未知，已向平台冲正（流水号 {entry.msgid}）：本笔未扣款，请重新结算"


def _revoked_before(entry: Entry, revoked_by: str) -> str:
    return (f"结算 {entry.orig_setl_id} 已由另一笔撤销（流水号 {revoked_by}）撤销，本次撤销（流水号 {entry.msgid}）"
            "未生效，未发生资金变动")


def revoke_figures(original: Settlement, msgid: str) -> Settlement:
    """What a lost revoke reply would have said, from 5203 of the revoked settlement: its amounts and
    legs negated, with the revocation's own setl_id and time (5203's ⊕ revoke_setl_id / revoke_time;
    a platform without them leaves them out and the journal dates the revoke when confirmed)."""
    info = original.setlinfo
    keep = ("mdtrt_id", "psn_no", "psn_name", "insutype", "clr_type", "clr_optins", "med_type", "setl_status")
    setlinfo: dict[str, Any] = {key: info.get(key) for key in keep}
    setlinfo.update({name: -original.amount(name) for name in AMOUNTS})
    setlinfo["init_setl_id"] = original.setl_id
    if info.get("revoke_setl_id"):
        setlinfo["setl_id"] = info["revoke_setl_id"]
    if info.get("revoke_time"):
        setlinfo["setl_time"] = info["revoke_time"]
    legs = [replace(leg, amount=-leg.amount) for leg in original.payleg]
    return Settlement(setlinfo=setlinfo, payleg=legs, msgid=msgid)


def _is_revoked(found: Settlement) -> bool:
    """5203 marks a settlement that is no longer in force with `setl_status` (revoked / reversed)."""
    return str(found.setlinfo.get("setl_status") or "settled") == "revoked"


def recover(client: RecoveryPlatform, journal: Journal) -> list[Resolution]:
    """Resolve what an earlier run left unresolved; `pos-plugin recover` calls this at start."""
    return Recovery(client, journal).recover()
