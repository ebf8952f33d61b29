"""The insurance wallet (医保钱包, docs/domain.md §4): open, transfer to a near relative, accept, history.

A transfer takes the money out of the sender's personal account (or wallet) at once; while pending
it is "in transit" (counted by /admin/conservation). The receiver accepts it into their wallet; if
they don't, it bounces back at 06:00 the next day (wallet_bounce.py). Limits per sender: 3 a day,
2,000.00 each, none 22:00–06:00 platform time, one pending at a time; verified by face or PIN; both
insured places' regions must have the wallet enabled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any, Literal

from simulator.domain.family_checks import check_insured, check_not_self, check_relation
from simulator.domain.models import Person, Wallet
from simulator.domain.money import ZERO, fmt, to_fen
from simulator.domain.policy import NEAR_RELATIVES
from simulator.domain.records import TransferRecord
from simulator.domain.refusals import (
    BadField,
    InsufficientBalance,
    NoAccount,
    NotReceiver,
    SelfTransfer,
    TransferNotPending,
    TransferUnknown,
    VerificationRequired,
    WalletAmount,
    WalletDailyLimit,
    WalletExists,
    WalletInactive,
    WalletNight,
    WalletPending,
    WalletRegionDisabled,
    WalletUnknown,
)
from simulator.platform.clock import stamp
from simulator.platform.deps import Deps
from simulator.platform.family import views
from simulator.platform.family.wallet_bounce import BounceOps
from simulator.platform.ports import UnitOfWork

MAX_AMOUNT = Decimal("2000.00")
MAX_PER_DAY = 3
NIGHT_STARTS, DAY_STARTS = time(22, 0), time(6, 0)
SOURCES = ("account", "wallet")
VERIFICATIONS = ("face", "pin")


@dataclass(frozen=True)
class TransferRequest:
    """`relation`: what the sender is to the receiver; `verification`: face or pin (6 digits)."""

    sender: str
    receiver: str
    source: str
    amount: Decimal
    relation: str
    verification: str
    pin: str = ""


def check_daytime(now: datetime) -> None:
    if now.time() >= NIGHT_STARTS or now.time() < DAY_STARTS:
        raise WalletNight(now=now)


def check_amount(amount: Decimal) -> None:
    if amount <= ZERO or amount > MAX_AMOUNT:
        raise WalletAmount(max_amount=fmt(MAX_AMOUNT), amount=fmt(amount))


def check_verification(method: str, pin: str) -> None:
    if method not in VERIFICATIONS:
        raise VerificationRequired(detail="转账须经人脸识别或支付密码验证（verification: face/pin）")
    if method == "pin" and not (len(pin) == 6 and pin.isascii() and pin.isdigit()):
        raise VerificationRequired(detail="支付密码须为 6 位数字")


def bounce_time(now: datetime) -> datetime:
    """06:00 the next day."""
    return datetime.combine(now.date() + timedelta(days=1), DAY_STARTS)


class WalletOps:
    """Wallets and wallet transfers behind the app API."""

    def __init__(self, deps: Deps, bounces: BounceOps) -> None:
        self.store, self.clock, self.ids, self.lookups = deps.store, deps.clock, deps.ids, deps.lookups
        self.bounces = bounces  # the clock-driven bounce of unaccepted transfers (wallet_bounce.py)

    def open_wallet(self, psn_no: str) -> dict[str, Any]:
        wallet_id = f"QB{self.ids.serial('wallet'):014d}"
        with self.store.write() as uow:
            person = self.lookups.party(uow, psn_no, "参保人")
            check_insured(person, "参保人")
            self._check_region(uow, person)
            if uow.wallets.of_owner(person.id) is not None:
                raise WalletExists(psn_no=psn_no)
            uow.wallets.add(Wallet(0, wallet_id, person.id, ZERO, "active"))
            return {"psn_no": psn_no, "wallet": views.wallet(uow.wallets.of_owner(person.id))}

    def send_transfer(self, req: TransferRequest) -> dict[str, Any]:
        transfer_id = f"ZZ{self.ids.serial('transfer'):014d}"
        now = self.clock.to_second()
        with self.store.write() as uow:
            sender, receiver = self.lookups.party(uow, req.sender, "转出人"), self.lookups.party(uow, req.receiver, "收款人")
            check_not_self(sender, receiver, "不能向本人的医保钱包转账", SelfTransfer)
            check_daytime(now)
            check_amount(req.amount)
            check_verification(req.verification, req.pin)
            check_relation(req.relation, NEAR_RELATIVES, "医保钱包")
            check_insured(sender, "转出人")
            self._check_region(uow, sender)
            self._check_region(uow, receiver)
            people = self.lookups.people_locked(uow, sender, receiver)
            sender = people[sender.id]
            target = self._active_wallet(uow, receiver, "收款人")
            own = uow.wallets.of_owner(sender.id)
            locked = uow.wallets.by_rows([w.id for w in (target, own) if w is not None], lock=True)
            self._check_limits(uow, sender, now)
            source, source_row = self._take(uow, sender, req.source, req.amount,
                                            None if own is None else locked[own.id])
            due = bounce_time(now)
            uow.transfers.add(TransferRecord(
                id=0, transfer_id=transfer_id, sender_id=sender.id, receiver_id=receiver.id, source=source,
                source_row=source_row, target_wallet_row=target.id, amount_fen=to_fen(req.amount),
                relation=req.relation, verification=req.verification, status="pending",
                day=now.date().isoformat(), created_at=stamp(now), due_at=stamp(due), closed_at=None))
            out = self._transfer_view(uow, transfer_id)
        self.bounces.note_due(stamp(due))
        return out

    def accept_transfer(self, transfer_id: str, by: str) -> dict[str, Any]:
        """The receiver takes a pending transfer into their wallet."""
        self.bounces.process_due_bounces()
        with self.store.write() as uow:
            row = self._transfer(uow, transfer_id)
            receiver = uow.persons.by_ids([row.receiver_id])[row.receiver_id]
            if self.lookups.party(uow, by, "操作人").id != receiver.id:
                raise NotReceiver()
            if row.status != "pending":
                raise TransferNotPending(transfer_id=transfer_id, state=_STATUS[row.status])
            self.lookups.people_locked(uow, receiver)
            uow.wallets.by_rows([row.target_wallet_row], lock=True)
            if not uow.transfers.close(transfer_id, "accepted", self.clock.stamp()):
                raise TransferNotPending(transfer_id=transfer_id, state="处理")
            uow.balances.move("wallet", row.target_wallet_row, row.amount_fen)
            return self._transfer_view(uow, transfer_id)

    def transfer_detail(self, transfer_id: str) -> dict[str, Any]:
        self.bounces.process_due_bounces()
        with self.store.read() as uow:
            return self._transfer_view(uow, transfer_id)

    def wallet_history(self, psn_no: str) -> dict[str, Any]:
        """The person's wallet and every transfer they sent or received, oldest first."""
        self.bounces.process_due_bounces()
        with self.store.read() as uow:
            person = self.lookups.party(uow, psn_no, "参保人")
            rows = uow.transfers.of_person(person.id)
            people = uow.persons.by_ids({person.id} | {r.sender_id for r in rows} | {r.receiver_id for r in rows})
            transfers = [views.transfer(r, people) | {"direction": "sent" if r.sender_id == person.id
                                                      else "received"} for r in rows]
            return {"psn_no": psn_no, "wallet": views.wallet(uow.wallets.of_owner(person.id)), "transfers": transfers}

    # helpers -----------------------------------------------------------------------------------
    def _check_region(self, uow: UnitOfWork, person: Person) -> None:
        rules = self.lookups.policy_of(uow, person)
        if not rules.wallet_enabled:
            raise WalletRegionDisabled(insuplc=person.insuplc, policy=rules.name)

    @staticmethod
    def _active_wallet(uow: UnitOfWork, person: Person, role: str, found: Wallet | None = None) -> Wallet:
        found = found or uow.wallets.of_owner(person.id)
        if found is None:
            raise WalletUnknown(who=f"{role} {person.psn_no}")
        if found.status != "active":
            raise WalletInactive(role=role, psn_no=person.psn_no, status=found.status)
        return found

    def _check_limits(self, uow: UnitOfWork, sender: Person, now: datetime) -> None:
        if uow.transfers.pending_sent_by(sender.id) is not None:
            raise WalletPending()
        if uow.transfers.count_sent_on(sender.id, now.date().isoformat()) >= MAX_PER_DAY:
            raise WalletDailyLimit(max_per_day=MAX_PER_DAY)

    def _take(self, uow: UnitOfWork, sender: Person, source: str, amount: Decimal,
              own: Wallet | None) -> tuple[Literal["account", "wallet"], int]:
        """Take `amount` out of the sender's (locked) account or wallet; returns that balance and its row id."""
        kind: Literal["account", "wallet"]
        if source == "account":
            kind = "account"
            if sender.balance is None or sender.insutype != "310":
                raise NoAccount(who="转出人")
            available, row_id = sender.balance, sender.id
        elif source == "wallet":
            kind = "wallet"
            wallet = self._active_wallet(uow, sender, "转出人", own)
            available, row_id = wallet.balance, wallet.id
        else:
            raise BadField(detail=f"转出来源 source {source!r} 无效（account/wallet）")
        if available < amount:
            raise InsufficientBalance(detail=f"余额不足（可用 {fmt(available)}，转账 {fmt(amount)}）")
        uow.balances.move(kind, row_id, -to_fen(amount))
        return kind, row_id

    @staticmethod
    def _transfer(uow: UnitOfWork, transfer_id: str) -> TransferRecord:
        row = uow.transfers.get(transfer_id, lock=True)
        if row is None:
            raise TransferUnknown(transfer_id=transfer_id)
        return row

    def _transfer_view(self, uow: UnitOfWork, transfer_id: str) -> dict[str, Any]:
        row = self._transfer(uow, transfer_id)
        people = uow.persons.by_ids([row.sender_id, row.receiver_id])
        return views.transfer(row, people)


_STATUS = {"accepted": "确认收款", "bounced": "退回", "pending": "待确认"}
