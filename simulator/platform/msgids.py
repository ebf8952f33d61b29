"""Claiming a request's msgid (`Deps.msgids`): recorded in the request's own unit of work, refused when
reused or reversed."""

from __future__ import annotations

from simulator.domain.records import MessageRecord
from simulator.domain.refusals import MsgidReused, MsgidReversed
from simulator.domain.requests import RequestMeta
from simulator.platform.clock import Clock
from simulator.platform.ports import StorePort, UnitOfWork


class Msgids:
    """The msgid claims of one store."""

    def __init__(self, store: StorePort, clock: Clock) -> None:
        self.store, self.clock = store, clock

    def claim(self, uow: UnitOfWork, meta: RequestMeta, psn_no: str | None = None,
              setl_id: str | None = None) -> None:
        """Record the msgid in this transaction; a reused or reversed (dead) msgid is refused.

        The record is part of the request's transaction: a rejected request (infcode -1) rolls back and
        leaves no record, so its msgid is not consumed and may be sent again (nothing happened under it);
        2601 of it marks it dead. A msgid that was answered with success is never accepted again."""
        self.check_unused(uow, meta, lock=True)
        uow.messages.add(MessageRecord(meta.msgid, meta.infno, meta.fixmedins_code, psn_no, "ok", setl_id,
                                       self.clock.stamp()))

    @staticmethod
    def check_unused(uow: UnitOfWork, meta: RequestMeta, lock: bool = False) -> None:
        """Refuse a msgid that was already answered with success or marked dead (2601)."""
        found = uow.messages.get(meta.msgid, lock=lock)
        if found is not None and found.status == "dead":
            raise MsgidReversed(msgid=meta.msgid)
        if found is not None:
            raise MsgidReused(msgid=meta.msgid)

    def claim_read_only(self, meta: RequestMeta, psn_no: str | None = None) -> None:
        """Record the msgid of a call that changed nothing (1101, 2101, 2206), after its answer was
        computed in a read transaction: the write lock is held for one insert, not for the whole call,
        so queries never queue behind settlements on SQLite. The caller already ran `check_unused`
        in its read transaction (same refusals, same order as `claim`); this re-checks under the lock."""
        with self.store.write() as uow:
            self.claim(uow, meta, psn_no)
