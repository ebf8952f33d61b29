"""Queries that move or record money: messages, visits, fee lines, settlements, ledger, balances."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, bindparam, delete, insert, select, update

from simulator.domain.records import LedgerEntry, MessageRecord, SettlementRecord, VisitRecord
from simulator.domain.refusals import BalanceChanged
from simulator.store import rows
from simulator.store.compiled import FastQueries, id_params, ids_in
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


class MoneyQueries(FastQueries):
    """Writes of one money move, all inside the caller's transaction (mixed into `Tx`)."""

    def _by_key(self, name: str, table: Table, column: str, value: Any, lock: bool = False) -> Any:
        lock = lock and self.locking

        def build() -> Any:
            stmt = select(table).where(table.c[column] == bindparam("where_key"))
            return stmt.with_for_update() if lock else stmt

        return self.run((name, lock), build, where_key=value)

    def _update(self, table: Table, column: str, value: Any, values: dict[str, Any]) -> int:
        keys = tuple(sorted(values))
        result = self.run(("update", table.name, column, keys), lambda: update(table).where(
            table.c[column] == bindparam("where_key")).values({k: bindparam(k) for k in keys}),
            where_key=value, **values)
        return result.rowcount

    # messages (msgid uniqueness) -----------------------------------------------------------
    def message(self, msgid: str, lock: bool = False) -> MessageRecord | None:
        found = self._by_key("message", messages, "msgid", msgid, lock).first()
        return None if found is None else rows.message(found)

    def insert_message(self, **values: Any) -> None:
        self.insert_rows(messages, [values])

    def set_message(self, msgid: str, **values: Any) -> None:
        self._update(messages, "msgid", msgid, values)

    # balances ------------------------------------------------------------------------------
    def move(self, target: str, row_id: int, delta_fen: int) -> None:
        """Add `delta_fen` to a balance; refuses (and so rolls back) if it would go below zero."""
        table = _BALANCE_TABLES[target]
        result = self.run(("move", target), lambda: update(table).where(
            table.c.id == bindparam("rid"), table.c.balance_fen + bindparam("d") >= 0)
            .values(balance_fen=table.c.balance_fen + bindparam("d")), rid=row_id, d=delta_fen)
        if result.rowcount != 1:
            raise BalanceChanged()

    def insert_funds_in(self, values: Sequence[dict[str, Any]]) -> None:
        if values:
            self.conn.execute(insert(funds_in), list(values))

    # visits and fee lines ------------------------------------------------------------------
    def visit(self, mdtrt_id: str, lock: bool = False) -> VisitRecord | None:
        found = self._by_key("visit", visits, "mdtrt_id", mdtrt_id, lock).first()
        return None if found is None else rows.visit(found)

    def insert_visit(self, **values: Any) -> None:
        self.insert_rows(visits, [values])

    def update_visit(self, mdtrt_id: str, **values: Any) -> None:
        self._update(visits, "mdtrt_id", mdtrt_id, values)

    def insert_lines(self, values: Sequence[dict[str, Any]]) -> None:
        self.insert_rows(fee_lines, values)

    def lines_of(self, mdtrt_id: str) -> list[Any]:
        return list(self.run("lines_of", lambda: select(fee_lines).where(
            fee_lines.c.mdtrt_id == bindparam("m")).order_by(fee_lines.c.id), m=mdtrt_id).all())

    def delete_lines(self, line_ids: Sequence[int]) -> None:
        if line_ids:
            self.conn.execute(delete(fee_lines).where(fee_lines.c.id.in_(list(line_ids))))

    def set_lines_settlement(self, line_ids: Sequence[int], setl_id: str | None) -> None:
        if line_ids:
            self.run(("set_lines_settlement", len(line_ids)), lambda: update(fee_lines).where(
                ids_in(fee_lines.c.id, len(line_ids))).values(setl_id=bindparam("s")), s=setl_id,
                **id_params(list(line_ids)))

    def unsettle_lines(self, setl_id: str) -> None:
        """A revoked or reversed outpatient settlement's lines become unsettled (and remember why)."""
        self.run("unsettle_lines", lambda: update(fee_lines).where(fee_lines.c.setl_id == bindparam("s"))
                 .values(setl_id=None, revoked_setl_id=bindparam("s")), s=setl_id)

    # settlements and ledger ----------------------------------------------------------------
    def settlement(self, setl_id: str, lock: bool = False) -> SettlementRecord | None:
        found = self._by_key("settlement", settlements, "setl_id", setl_id, lock).first()
        return None if found is None else rows.settlement(found)

    def settlement_by_msgid(self, msgid: str, lock: bool = False) -> SettlementRecord | None:
        found = self._by_key("settlement_by_msgid", settlements, "msgid", msgid, lock).first()
        return None if found is None else rows.settlement(found)

    def settlements_of_visit(self, mdtrt_id: str) -> list[SettlementRecord]:
        return [rows.settlement(r) for r in self._by_key("settlements_of_visit", settlements, "mdtrt_id", mdtrt_id).all()]

    def settlements_in_period(self, fixmedins_code: str, begin: str, end: str) -> list[SettlementRecord]:
        """Settlements of an institution settled, or revoked, between two stamps (both indexed)."""
        by_time = select(settlements).where(settlements.c.fixmedins_code == fixmedins_code,
                                            settlements.c.setl_time >= begin, settlements.c.setl_time <= end)
        by_revoke = select(settlements).where(settlements.c.fixmedins_code == fixmedins_code,
                                              settlements.c.revoked_at >= begin, settlements.c.revoked_at <= end)
        found = {row.id: row for row in self.conn.execute(by_time)}
        found |= {row.id: row for row in self.conn.execute(by_revoke)}
        return [rows.settlement(found[key]) for key in sorted(found)]

    def insert_settlement(self, **values: Any) -> None:
        self.insert_rows(settlements, [values])

    def update_settlement(self, setl_id: str, **values: Any) -> None:
        self._update(settlements, "setl_id", setl_id, values)

    def insert_ledger(self, entries: Sequence[dict[str, Any]]) -> None:
        self.insert_rows(ledger, entries)

    def ledger_of(self, setl_id: str) -> list[LedgerEntry]:
        return [rows.ledger_entry(r) for r in self.run("ledger_of", lambda: select(ledger).where(
            ledger.c.setl_id == bindparam("s")).order_by(ledger.c.id), s=setl_id).all()]

    # files (9101 / 3202 / 9102) -----------------------------------------------------------
    def insert_file(self, **values: Any) -> None:
        self.conn.execute(insert(files).values(**values))

    def file(self, file_qury_no: str) -> Any:
        return self.conn.execute(select(files).where(files.c.file_qury_no == file_qury_no)).first()
