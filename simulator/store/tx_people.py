"""Queries about people and the world: persons, bindings, pools, wallets, institutions, codes.

Request-path lookups run as cached compiled statements (`self.run`); world loading uses plain Core.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update

from simulator.domain.models import Binding, Institution, Person, Pool, Wallet
from simulator.store import rows
from simulator.store.compiled import FastQueries, id_params, ids_in
from simulator.store.tables import (
    bindings,
    ectokens,
    evouchers,
    handles,
    institutions,
    persons,
    policies,
    pool_members,
    pools,
    signins,
    wallets,
)

PERSON_KEYS = ("psn_no", "certno", "card_sn")


class PeopleQueries(FastQueries):
    """Indexed lookups and small writes about the world (mixed into `Tx`)."""

    def _lockable(self, stmt: Any, lock: bool) -> Any:
        return stmt.with_for_update() if lock and self.locking else stmt

    # persons ---------------------------------------------------------------------------------
    def person_by(self, column: str, value: str) -> Person | None:
        """By one of the unique, indexed keys: psn_no, certno or card_sn."""
        if column not in PERSON_KEYS:
            raise ValueError(f"persons are looked up by {PERSON_KEYS}, not {column}")
        row = self.run(("person_by", column), lambda: select(persons).where(persons.c[column] == bindparam("v")),
                       v=value).first()
        return None if row is None else rows.person(row)

    def persons_by_ids(self, ids: Iterable[int], lock: bool = False) -> dict[int, Person]:
        """Read (and with `lock`, lock FOR UPDATE) persons in ascending id order — the lock order."""
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        lock = lock and self.locking
        found = self.run(("persons_by_ids", len(wanted), lock), lambda: self._lockable(
            select(persons).where(ids_in(persons.c.id, len(wanted))).order_by(persons.c.id), lock),
            **id_params(wanted)).all()
        return {row.id: rows.person(row) for row in found}

    def insert_persons(self, values: Sequence[dict[str, Any]]) -> dict[str, int]:
        """Insert persons; returns psn_no -> row id."""
        if not values:
            return {}
        self.conn.execute(insert(persons), list(values))
        psn_nos = [v["psn_no"] for v in values]
        found = self.conn.execute(select(persons.c.psn_no, persons.c.id).where(persons.c.psn_no.in_(psn_nos)))
        return {row.psn_no: row.id for row in found}

    def existing_certnos(self, certnos: Sequence[str]) -> set[str]:
        found = self.conn.execute(select(persons.c.certno).where(persons.c.certno.in_(list(certnos))))
        return set(found.scalars())

    def set_accumulators(self, person_id: int, dedc_delta: int, fund_delta: int) -> None:
        self.run("set_accumulators", lambda: update(persons).where(persons.c.id == bindparam("pid")).values(
            ytd_dedc_fen=persons.c.ytd_dedc_fen + bindparam("dd"), ytd_fund_fen=persons.c.ytd_fund_fen + bindparam("fd")),
            pid=person_id, dd=dedc_delta, fd=fund_delta)

    # bindings, pools, wallets ----------------------------------------------------------------
    def bindings_of(self, beneficiary_id: int) -> list[Binding]:
        found = self.run("bindings_of", lambda: select(bindings).where(
            bindings.c.beneficiary_id == bindparam("b")).order_by(bindings.c.rank), b=beneficiary_id).all()
        return [rows.binding(row) for row in found]

    def insert_bindings(self, values: Sequence[dict[str, Any]]) -> None:
        if values:
            self.conn.execute(insert(bindings), list(values))

    def pool_of_member(self, person_id: int, lock: bool = False) -> Pool | None:
        lock = lock and self.locking
        row = self.run(("pool_of_member", lock), lambda: self._lockable(
            select(pools).join(pool_members, pool_members.c.pool_row == pools.c.id)
            .where(pool_members.c.person_id == bindparam("p")), lock), p=person_id).first()
        return None if row is None else rows.pool(row)

    def pools_by_rows(self, pool_rows: Iterable[int], lock: bool = False) -> dict[int, Pool]:
        wanted = sorted(set(pool_rows))
        if not wanted:
            return {}
        lock = lock and self.locking
        found = self.run(("pools_by_rows", len(wanted), lock), lambda: self._lockable(
            select(pools).where(ids_in(pools.c.id, len(wanted))).order_by(pools.c.id), lock),
            **id_params(wanted)).all()
        return {row.id: rows.pool(row) for row in found}

    def pool_by_id(self, pool_id: str) -> Pool | None:
        row = self.conn.execute(select(pools).where(pools.c.pool_id == pool_id)).first()
        return None if row is None else rows.pool(row)

    def insert_pool(self, pool_id: str, creator_id: int, balance_fen: int, member_ids: Sequence[int]) -> int:
        result = self.conn.execute(insert(pools).values(pool_id=pool_id, creator_id=creator_id,
                                                        balance_fen=balance_fen))
        key = result.inserted_primary_key
        if key is None:
            raise RuntimeError("pool insert returned no key")
        row_id = int(key[0])
        if member_ids:
            self.conn.execute(insert(pool_members), [{"person_id": m, "pool_row": row_id} for m in member_ids])
        return row_id

    def wallet_of(self, owner_id: int, lock: bool = False) -> Wallet | None:
        lock = lock and self.locking
        row = self.run(("wallet_of", lock), lambda: self._lockable(
            select(wallets).where(wallets.c.owner_id == bindparam("o")), lock), o=owner_id).first()
        return None if row is None else rows.wallet(row)

    def wallets_by_rows(self, wallet_rows: Iterable[int], lock: bool = False) -> dict[int, Wallet]:
        wanted = sorted(set(wallet_rows))
        if not wanted:
            return {}
        lock = lock and self.locking
        found = self.run(("wallets_by_rows", len(wanted), lock), lambda: self._lockable(
            select(wallets).where(ids_in(wallets.c.id, len(wanted))).order_by(wallets.c.id), lock),
            **id_params(wanted)).all()
        return {row.id: rows.wallet(row) for row in found}

    def insert_wallet(self, wallet_id: str, owner_id: int, balance_fen: int, status: str) -> None:
        self.conn.execute(insert(wallets).values(wallet_id=wallet_id, owner_id=owner_id,
                                                 balance_fen=balance_fen, status=status))

    # institutions, policies, handles ----------------------------------------------
    def institution(self, code: str) -> Institution | None:
        row = self.run("institution", lambda: select(institutions).where(institutions.c.code == bindparam("c")),
                       c=code).first()
        return None if row is None else rows.institution(row)

    def upsert_institution(self, values: dict[str, Any]) -> None:
        self.conn.execute(delete(institutions).where(institutions.c.code == values["code"]))
        self.conn.execute(insert(institutions).values(**values))

    def policy_body(self, name: str) -> str | None:
        row = self.conn.execute(select(policies.c.body).where(policies.c.name == name)).first()
        return None if row is None else str(row.body)

    def upsert_policy(self, name: str, body: str) -> None:
        self.conn.execute(delete(policies).where(policies.c.name == name))
        self.conn.execute(insert(policies).values(name=name, body=body))

    def set_handles(self, kind: str, mapping: dict[str, str]) -> None:
        if mapping:
            self.conn.execute(delete(handles).where(handles.c.kind == kind,
                                                    handles.c.handle.in_(list(mapping))))
            self.conn.execute(insert(handles), [{"kind": kind, "handle": h, "ref": r} for h, r in mapping.items()])

    def handles(self, kind: str) -> dict[str, str]:
        found = self.conn.execute(select(handles.c.handle, handles.c.ref).where(handles.c.kind == kind))
        return {row.handle: row.ref for row in found}

    # sign-in, e-vouchers, tokens -------------------------------------------------------------
    def signin(self, sign_no: str) -> Any:
        return self.run("signin", lambda: select(signins).where(signins.c.sign_no == bindparam("s")),
                        s=sign_no).first()

    def signin_of(self, fixmedins_code: str, opter: str, day: str) -> Any:
        return self.run("signin_of", lambda: select(signins).where(
            signins.c.fixmedins_code == bindparam("f"), signins.c.opter == bindparam("o"),
            signins.c.day == bindparam("d")), f=fixmedins_code, o=opter, d=day).first()

    def insert_signin(self, **values: Any) -> None:
        self.insert_rows(signins, [dict(values, signed_out=False)])

    def set_signed_out(self, sign_no: str, signed_out: bool) -> None:
        self.run("set_signed_out", lambda: update(signins).where(signins.c.sign_no == bindparam("s"))
                 .values(signed_out=bindparam("v")), s=sign_no, v=signed_out)

    def insert_evoucher(self, code: str, person_id: int, expires_at: str) -> None:
        self.insert_rows(evouchers, [{"code": code, "person_id": person_id, "expires_at": expires_at}])

    def evoucher(self, code: str) -> Any:
        lock = self.locking
        return self.run(("evoucher", lock), lambda: self._lockable(
            select(evouchers).where(evouchers.c.code == bindparam("c")), lock), c=code).first()

    def use_evoucher(self, code: str, at: str) -> bool:
        result = self.run("use_evoucher", lambda: update(evouchers).where(
            evouchers.c.code == bindparam("c"), evouchers.c.used_at.is_(None)).values(used_at=bindparam("at")),
            c=code, at=at)
        return result.rowcount == 1

    def insert_token(self, token: str, person_id: int, expires_at: str) -> None:
        self.insert_rows(ectokens, [{"token": token, "person_id": person_id, "expires_at": expires_at}])

    def token(self, token: str) -> Any:
        return self.run("token", lambda: select(ectokens).where(ectokens.c.token == bindparam("t")),
                        t=token).first()
