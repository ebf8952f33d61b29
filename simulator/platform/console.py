"""The read-only queries behind the tester's console (/console): institutions, people, settlements with
their ledger legs, and the request journal. Unmasked rows: the protocol layer masks what it shows."""

from __future__ import annotations

from simulator.platform.ports import JsonObject, StorePort


class ConsoleQueries:
    """One store's console reads, each in its own read transaction."""

    def __init__(self, store: StorePort) -> None:
        self._store = store

    def institution_codes(self) -> list[str]:
        """Every institution the world knows or the journal has seen, sorted."""
        with self._store.read() as tx:
            known = tx.inspect.institution_codes()
        return sorted(set(known) | set(self._store.traffic.institutions()))

    def journal_institutions(self) -> list[str]:
        """The institution codes the request journal has seen."""
        return list(self._store.traffic.institutions())

    def journal(self, code: str | None, limit: int | None = None) -> list[JsonObject]:
        """The request journal's rows (one institution's, or all), oldest first; the last `limit` if given."""
        return self._store.traffic.rows(code, limit=limit)

    def find_persons(self, text: str) -> list[JsonObject]:
        with self._store.read() as tx:
            return tx.inspect.find_persons(text)

    def pool_of(self, psn_no: str) -> JsonObject | None:
        with self._store.read() as tx:
            return tx.inspect.pool_of(psn_no)

    def settlements(self, code: str | None, limit: int) -> list[JsonObject]:
        """The last `limit` settlements (one institution's, or all), each with its ledger legs, oldest first."""
        with self._store.read() as tx:
            rows = tx.inspect.settlement_list(code)[-limit:]
            for row in rows:
                row["legs"] = tx.inspect.ledger_entries(str(row["setl_id"]), None)
                row["trace_codes"] = [{"code": r.code, "feedetl_sn": r.feedetl_sn, "med_list_codg": r.med_list_codg}
                                      for r in tx.trace_codes.of_settlement(str(row["setl_id"]))]
        return rows
