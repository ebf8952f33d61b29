"""Tester operations behind the admin API: reset, inspection, top-ups."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from simulator.domain.money import ZERO, fmt, from_fen, to_fen
from simulator.domain.refusals import BadAmount, BadTarget, NoAccount, PoolUnknown, WalletUnknown
from simulator.platform.base import PlatformBase


class AdminOps(PlatformBase):
    """State inspection and direct manipulation for testers."""

    def reset(self) -> None:
        """Empty every table; ids restart from the seed; faults and caches cleared; the clock stays."""
        self.store.reset()
        self.ids.reset()
        self.faults.clear()
        self.forget_caches()
        self.publish()

    def handles(self) -> dict[str, Any]:
        with self.store.read() as tx:
            return {"handles": tx.handles("person"), "pools": tx.handles("pool")}

    def person_view(self, psn_no: str) -> dict[str, Any]:
        with self.store.read() as tx:
            person = self.patient(tx, psn_no)
            wallet = tx.wallet_of(person.id)
            year = tx.stays().year(person.id, self.today().year)
        return {"psn_no": person.psn_no, "name": person.name, "certno": person.certno, "gender": person.gender,
                "birthday": person.birthday.isoformat(), "insutype": person.insutype, "psn_type": person.psn_type,
                "insuplc": person.insuplc, "status": person.status,
                "balance": None if person.balance is None else fmt(person.balance),
                "ytd_deductible_used": fmt(person.ytd_deductible_used), "ytd_fund_paid": fmt(person.ytd_fund_paid),
                "card_sn": person.card_sn,
                "inpatient_year": {"year": year.year, "fund_paid": fmt(from_fen(year.fund_fen)), "stays": year.stays},
                "wallet": None if wallet is None else {"wallet_id": wallet.wallet_id, "balance": fmt(wallet.balance),
                                                       "status": wallet.status}}

    def balances(self) -> dict[str, dict[str, str]]:
        with self.store.read() as tx:
            return tx.inspect().balances()

    def conservation(self) -> dict[str, Any]:
        with self.store.write() as tx:  # one consistent snapshot, no writer in between
            return tx.inspect().conservation()

    def ledger(self, setl_id: str | None, psn_no: str | None) -> list[dict[str, Any]]:
        with self.store.read() as tx:
            return tx.inspect().ledger_entries(setl_id, psn_no)

    def settlements(self, fixmedins_code: str | None) -> list[dict[str, Any]]:
        with self.store.read() as tx:
            return tx.inspect().settlement_list(fixmedins_code)

    def bindings(self, role: str, psn_no: str) -> list[dict[str, Any]]:
        column = {"beneficiary": "beneficiary_id", "funder": "funder_id"}[role]
        with self.store.read() as tx:
            person = self.patient(tx, psn_no)
            return tx.inspect().binding_list(column, person.id)

    def top_up(self, target: str, ref: str, amount: Decimal) -> dict[str, str]:
        """Add money to an account (psn_no), a pool (pool_id) or a wallet (owner's psn_no)."""
        if amount <= ZERO:
            raise BadAmount(what="充值")
        with self.store.write() as tx:
            row_id = self._top_up_target(tx, target, ref)
            tx.move(target, row_id, to_fen(amount))
            tx.insert_funds_in([{"kind": "topup", "target": target, "ref": ref, "amount_fen": to_fen(amount),
                                 "at": self.now_stamp()}])
        return {"target": target, "ref": ref, "amount": fmt(amount)}

    def _top_up_target(self, tx: Any, target: str, ref: str) -> int:
        if target == "pool":
            pool = tx.pool_by_id(ref)
            if pool is None:
                raise PoolUnknown(pool_id=ref)
            return int(pool.id)
        person = self.patient(tx, ref)
        if target == "account":
            if person.balance is None:
                raise NoAccount(who=f"{ref} ")
            return person.id
        if target == "wallet":
            wallet = tx.wallet_of(person.id)
            if wallet is None:
                raise WalletUnknown(who=ref)
            return int(wallet.id)
        raise BadTarget(target=target)
