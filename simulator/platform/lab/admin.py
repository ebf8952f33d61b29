"""Tester operations behind the admin API: reset, inspection, top-ups."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from simulator.domain.money import ZERO, fmt, to_fen
from simulator.domain.records import FundsIn
from simulator.domain.refusals import BadAmount, BadTarget, NoAccount, PoolUnknown, WalletUnknown
from simulator.platform.deps import Deps
from simulator.platform.ports import JsonObject, UnitOfWork


class AdminOps:
    """State inspection and direct manipulation for testers."""

    def __init__(self, deps: Deps) -> None:
        self.deps, self.store, self.clock, self.ids, self.faults = deps, deps.store, deps.clock, deps.ids, deps.faults
        self.lookups = deps.lookups

    def reset(self) -> None:
        """Empty every table; ids restart from the seed; faults and caches cleared; the clock stays."""
        self.store.reset()
        self.ids.reset()
        self.faults.clear()
        self.deps.forget_caches()
        self.deps.publish()

    def handles(self) -> dict[str, Any]:
        with self.store.read() as tx:
            return {"handles": tx.reference.handles("person"), "pools": tx.reference.handles("pool")}

    def person_view(self, psn_no: str) -> dict[str, Any]:
        with self.store.read() as tx:
            person = self.lookups.patient(tx, psn_no)
            wallet = tx.wallets.of_owner(person.id)
        return {"psn_no": person.psn_no, "name": person.name, "certno": person.certno, "gender": person.gender,
                "birthday": person.birthday.isoformat(), "insutype": person.insutype, "psn_type": person.psn_type,
                "insuplc": person.insuplc, "status": person.status,
                "balance": None if person.balance is None else fmt(person.balance),
                "ytd_deductible_used": fmt(person.ytd_deductible_used), "ytd_fund_paid": fmt(person.ytd_fund_paid),
                "card_sn": person.card_sn,
                "wallet": None if wallet is None else {"wallet_id": wallet.wallet_id, "balance": fmt(wallet.balance),
                                                       "status": wallet.status}}

    def balances(self) -> dict[str, dict[str, str]]:
        with self.store.read() as tx:
            return tx.inspect.balances()

    def conservation(self) -> JsonObject:
        with self.store.write() as tx:  # one consistent snapshot, no writer in between
            return tx.inspect.conservation()

    def ledger(self, setl_id: str | None, psn_no: str | None) -> list[JsonObject]:
        with self.store.read() as tx:
            return tx.inspect.ledger_entries(setl_id, psn_no)

    def settlements(self, fixmedins_code: str | None) -> list[JsonObject]:
        with self.store.read() as tx:
            return tx.inspect.settlement_list(fixmedins_code)

    def bindings(self, role: str, psn_no: str) -> list[JsonObject]:
        party = {"beneficiary": "beneficiary", "funder": "funder"}[role]
        with self.store.read() as tx:
            person = self.lookups.patient(tx, psn_no)
            return tx.inspect.binding_list(party, person.id)

    def top_up(self, target: str, ref: str, amount: Decimal) -> dict[str, str]:
        """Add money to an account (psn_no), a pool (pool_id) or a wallet (owner's psn_no)."""
        if amount <= ZERO:
            raise BadAmount(what="充值")
        with self.store.write() as tx:
            kind, row_id = self._top_up_target(tx, target, ref)
            tx.balances.move(kind, row_id, to_fen(amount))
            tx.balances.add_funds_in([FundsIn("topup", kind, ref, to_fen(amount), self.clock.stamp())])
        return {"target": target, "ref": ref, "amount": fmt(amount)}

    def _top_up_target(self, tx: UnitOfWork, target: str,
                       ref: str) -> tuple[Literal["account", "pool", "wallet"], int]:
        if target == "pool":
            pool = tx.pools.by_id(ref)
            if pool is None:
                raise PoolUnknown(pool_id=ref)
            return "pool", pool.id
        person = self.lookups.patient(tx, ref)
        if target == "account":
            if person.balance is None:
                raise NoAccount(who=f"{ref} ")
            return "account", person.id
        if target == "wallet":
            wallet = tx.wallets.of_owner(person.id)
            if wallet is None:
                raise WalletUnknown(who=ref)
            return "wallet", wallet.id
        raise BadTarget(target=target)
