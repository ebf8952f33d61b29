"""Queries that move or record money: messages, visits, fee lines, settlements, ledger, balances."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table, delete, insert, select, update

from simulator.platform.errors import Conflict
from simulator.store.tables import (
    fee_lines,
    files,
    funds_in,
    ledger,
    messages,
    persons,
    pools,
    settlements,
    visits,
    wallets,
)

_BALANCE_TABLES: dict[str, Table] = {"account": persons, "pool": pools, "wallet": wallets}


class MoneyQueries:
    """Writes of one money move, all inside the caller's transaction (mixed into `Tx`)."""

    conn: Connection
    locking: bool

    # messages (msgid uniqueness) -----------------------------------------------------------
    def message(self, msgid: str, lock: bool = False) -> Any:
        stmt = select(messages).where(messages.c.msgid == msgid)
        if lock and self.locking:
            stmt = stmt.with_for_update()
        return self.conn.execute(stmt).first()

    def insert_message(self, **values: Any) -> None:
        self.conn.execute(insert(messages).values(**values))

    def set_message(self, msgid: str, **values: Any) -> None:
        self.conn.execute(update(messages).where(messages.c.msgid == msgid).values(**values))

    # balances ------------------------------------------------------------------------------
    def move(self, target: str, row_id: int, delta_fen: int) -> None:
        """Add `delta_fen` to a balance; refuses (and so rolls back) if it would go below zero."""
        table = _BALANCE_TABLES[target]
        result = self.conn.execute(
            update(table).where(table.c.id == row_id, table.c.balance_fen + delta_fen >= 0)
            .values(balance_fen=table.c.balance_fen + delta_fen)
        )
        if result.rowcount != 1:
            raise Conflict("ERR_BALANCE_CHANGED", "账户余额不足或已变化，交易未执行，请重新预结算")

    def insert_funds_in(self, values: Sequence[dict[str, Any]]) -> None:
        if values:
            self.conn.execute(insert(funds_in), list(values))

    # visits and fee lines ------------------------------------------------------------------
    def visit(self, mdtrt_id: str, lock: bool = False) -> Any:
        stmt = select(visits).where(visits.c.mdtrt_id == mdtrt_id)
        if lock and self.locking:
            stmt = stmt.with_for_update()
        return self.conn.execute(stmt).first()

    def insert_visit(self, **values: Any) -> None:
        self.conn.execute(insert(visits).values(**values))

    def update_visit(self, mdtrt_id: str, **values: Any) -> None:
        self.conn.execute(update(visits).where(visits.c.mdtrt_id == mdtrt_id).values(**values))

    def insert_lines(self, values: Sequence[dict[str, Any]]) -> None:
        if values:
            self.conn.execute(insert(fee_lines), list(values))

    def lines_of(self, mdtrt_id: str) -> list[Any]:
        stmt = select(fee_lines).where(fee_lines.c.mdtrt_id == mdtrt_id).order_by(fee_lines.c.id)
        return list(self.conn.execute(stmt))

    def delete_lines(self, line_ids: Sequence[int]) -> None:
        if line_ids:
            self.conn.execute(delete(fee_lines).where(fee_lines.c.id.in_(list(line_ids))))

    def set_lines_settlement(self, line_ids: Sequence[int], setl_id: str | None) -> None:
        if line_ids:
            self.conn.execute(update(fee_lines).where(fee_lines.c.id.in_(list(line_ids))).values(setl_id=setl_id))

    def unsettle_lines(self, setl_id: str) -> None:
        """A revoked or reversed outpatient settlement's lines become unsettled (and remember why)."""
        self.conn.execute(update(fee_lines).where(fee_lines.c.setl_id == setl_id)
                          .values(setl_id=None, revoked_setl_id=setl_id))

    # settlements and ledger ----------------------------------------------------------------
    def settlement(self, setl_id: str, lock: bool = False) -> Any:
        stmt = select(settlements).where(settlements.c.setl_id == setl_id)
        if lock and self.locking:
            stmt = stmt.with_for_update()
        return self.conn.execute(stmt).first()

    def settlement_by_msgid(self, msgid: str, lock: bool = False) -> Any:
        stmt = select(settlements).where(settlements.c.msgid == msgid)
        if lock and self.locking:
            stmt = stmt.with_for_update()
        return self.conn.execute(stmt).first()

    def settlements_of_visit(self, mdtrt_id: str) -> list[Any]:
        return list(self.conn.execute(select(settlements).where(settlements.c.mdtrt_id == mdtrt_id)))

    def settlements_in_period(self, fixmedins_code: str, begin: str, end: str) -> list[Any]:
        """Settlements of an institution settled, or revoked, between two stamps (both indexed)."""
        by_time = select(settlements).where(settlements.c.fixmedins_code == fixmedins_code,
                                            settlements.c.setl_time >= begin, settlements.c.setl_time <= end)
        by_revoke = select(settlements).where(settlements.c.fixmedins_code == fixmedins_code,
                                              settlements.c.revoked_at >= begin, settlements.c.revoked_at <= end)
        found = {row.id: row for row in self.conn.execute(by_time)}
        found |= {row.id: row for row in self.conn.execute(by_revoke)}
        return [found[key] for key in sorted(found)]

    def insert_settlement(self, **values: Any) -> None:
        self.conn.execute(insert(settlements).values(**values))

    def update_settlement(self, setl_id: str, **values: Any) -> None:
        self.conn.execute(update(settlements).where(settlements.c.setl_id == setl_id).values(**values))

    def insert_ledger(self, entries: Sequence[dict[str, Any]]) -> None:
        if entries:
            self.conn.execute(insert(ledger), list(entries))

    def ledger_of(self, setl_id: str) -> list[Any]:
        stmt = select(ledger).where(ledger.c.setl_id == setl_id).order_by(ledger.c.id)
        return list(self.conn.execute(stmt))

    # files (9101 / 3202 / 9102) -----------------------------------------------------------
    def insert_file(self, **values: Any) -> None:
        self.conn.execute(insert(files).values(**values))

    def file(self, file_qury_no: str) -> Any:
        return self.conn.execute(select(files).where(files.c.file_qury_no == file_qury_no)).first()
