"""Read-only queries for the admin API (testers' inspection; not on any request's hot path)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select

from simulator.domain.money import fmt, from_fen
from simulator.store import console_queries
from simulator.store.tables import (
    SETTLEMENT_AMOUNTS,
    bindings,
    funds_in,
    ledger,
    persons,
    pools,
    settlements,
    wallets,
)
from simulator.store.tables_family import wallet_transfers


def _sum(conn: Connection, column: Any, *where: Any) -> int:
    return int(conn.execute(select(func.coalesce(func.sum(column), 0)).where(*where)).scalar() or 0)


def balances(conn: Connection) -> dict[str, dict[str, str]]:
    accounts = conn.execute(select(persons.c.psn_no, persons.c.balance_fen).where(persons.c.has_account.is_(True)))
    pool_rows = conn.execute(select(pools.c.pool_id, pools.c.balance_fen))
    wallet_rows = conn.execute(select(persons.c.psn_no, wallets.c.balance_fen)
                               .join(persons, persons.c.id == wallets.c.owner_id))
    return {"accounts": {r.psn_no: fmt(from_fen(r.balance_fen)) for r in accounts},
            "pools": {r.pool_id: fmt(from_fen(r.balance_fen)) for r in pool_rows},
            "wallets": {r.psn_no: fmt(from_fen(r.balance_fen)) for r in wallet_rows}}


def conservation(conn: Connection) -> dict[str, Any]:
    """held (accounts + pools + wallets) + in transit (pending wallet transfers) + paid out of them
    == loaded + top-ups, to the fen."""
    loaded = _sum(conn, funds_in.c.amount_fen, funds_in.c.kind == "load")
    topups = _sum(conn, funds_in.c.amount_fen, funds_in.c.kind == "topup")
    held = (_sum(conn, persons.c.balance_fen, persons.c.has_account.is_(True))
            + _sum(conn, pools.c.balance_fen) + _sum(conn, wallets.c.balance_fen))
    paid = _sum(conn, ledger.c.amount_fen, ledger.c.source != "fund")
    pooled = _sum(conn, ledger.c.amount_fen, ledger.c.source == "fund")
    in_transit = _sum(conn, wallet_transfers.c.amount_fen, wallet_transfers.c.status == "pending")
    difference = held + in_transit + paid - loaded - topups
    return {"ok": difference == 0, "loaded": fmt(from_fen(loaded)), "topups": fmt(from_fen(topups)),
            "held": fmt(from_fen(held)), "in_transit": fmt(from_fen(in_transit)), "fund_paid": fmt(from_fen(paid)),
            "paid_out": fmt(from_fen(paid)),
            "pooled_fund_paid": fmt(from_fen(pooled)), "difference": fmt(from_fen(difference))}


def _ledger_row(row: Any) -> dict[str, Any]:
    return {"setl_id": row.setl_id, "entry": row.entry, "source": row.source, "rank": row.rank,
            "psn_no": row.psn_no, "pool_id": row.pool_id, "wallet_id": row.wallet_id,
            "amount": fmt(from_fen(row.amount_fen)), "msgid": row.msgid, "at": row.at}


def ledger_entries(conn: Connection, setl_id: str | None, psn_no: str | None) -> list[dict[str, Any]]:
    stmt = select(ledger).order_by(ledger.c.id)
    if setl_id:
        stmt = stmt.where(ledger.c.setl_id == setl_id)
    if psn_no:
        stmt = stmt.where(ledger.c.psn_no == psn_no)
    return [_ledger_row(row) for row in conn.execute(stmt)]


def settlement_list(conn: Connection, fixmedins_code: str | None) -> list[dict[str, Any]]:
    stmt = select(settlements).order_by(settlements.c.id)
    if fixmedins_code:
        stmt = stmt.where(settlements.c.fixmedins_code == fixmedins_code)
    out = []
    for row in conn.execute(stmt):
        item = {k: getattr(row, k) for k in ("setl_id", "mdtrt_id", "psn_no", "fixmedins_code", "msgid", "infno",
                                             "clr_type", "med_type", "insutype", "setl_time", "status",
                                             "revoke_setl_id", "revoke_msgid", "revoked_at")}
        item |= {name: fmt(from_fen(getattr(row, f"{name}_fen"))) for name in SETTLEMENT_AMOUNTS}
        out.append(item)
    return out


def binding_list(conn: Connection, column: str, person_id: int) -> list[dict[str, Any]]:
    funder, beneficiary = persons.alias("f"), persons.alias("b")
    stmt = (select(bindings, funder.c.psn_no.label("funder_psn_no"), beneficiary.c.psn_no.label("beneficiary_psn_no"))
            .join(funder, funder.c.id == bindings.c.funder_id)
            .join(beneficiary, beneficiary.c.id == bindings.c.beneficiary_id)
            .where(bindings.c[column] == person_id).order_by(bindings.c.beneficiary_id, bindings.c.rank))
    return [{"funder": r.funder_psn_no, "beneficiary": r.beneficiary_psn_no, "rank": r.rank, "relation": r.relation,
             "start": r.start_date, "end": r.end_date, "state": r.state} for r in conn.execute(stmt)]


class InspectQueries:
    """The admin API's and the console's read-only queries over one transaction's connection
    (`tx.inspect()`, store/store.py): the platform names these, never the connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def balances(self) -> dict[str, dict[str, str]]:
        return balances(self.conn)

    def conservation(self) -> dict[str, Any]:
        return conservation(self.conn)

    def ledger_entries(self, setl_id: str | None, psn_no: str | None) -> list[dict[str, Any]]:
        return ledger_entries(self.conn, setl_id, psn_no)

    def settlement_list(self, fixmedins_code: str | None) -> list[dict[str, Any]]:
        return settlement_list(self.conn, fixmedins_code)

    def binding_list(self, party: str, person_id: int) -> list[dict[str, Any]]:
        """`party`: "funder" or "beneficiary"."""
        return binding_list(self.conn, {"funder": "funder_id", "beneficiary": "beneficiary_id"}[party], person_id)

    def institution_codes(self) -> list[str]:
        return console_queries.institution_codes(self.conn)

    def find_persons(self, text: str) -> list[dict[str, Any]]:
        return console_queries.find_persons(self.conn, text)

    def pool_of(self, psn_no: str) -> dict[str, Any] | None:
        return console_queries.pool_of(self.conn, psn_no)
