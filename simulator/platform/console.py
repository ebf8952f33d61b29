"""The read-only queries behind the tester's console (/console): institutions, people, settlements with
their ledger legs, and the request journal. Unmasked rows: the protocol layer masks what it shows."""

from __future__ import annotations

from simulator.domain.money import fmt, from_fen
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

    def stays(self, code: str | None, limit: int) -> list[JsonObject]:
        """The last `limit` inpatient stays (one institution's, or every institution's), newest first, each with
        its state (admitted / discharged / settled / cancelled) and its fee lines (docs/domain.md §2.7)."""
        codes = [code] if code else self.institution_codes()
        with self._store.read() as uow:
            repo = uow.stays
            found = sorted((s for c in codes for s in repo.of_institution(c, limit)), key=lambda s: -s.id)[:limit]
            people = uow.persons.by_ids({s.person_id for s in found})
            return [{"mdtrt_id": s.mdtrt_id, "fixmedins_code": s.fixmedins_code, "psn_no": people[s.person_id].psn_no,
                     "status": s.status, "begntime": s.begntime, "endtime": s.endtime, "ipt_no": s.ipt_no,
                     "dept_name": s.adm_dept_name, "setl_id": s.setl_id,
                     "lines": [{"feedetl_sn": r.feedetl_sn, "code": r.code, "name": r.name, "cnt": r.cnt,
                                "pric": r.pric, "amount": fmt(from_fen(r.amt_fen)), "fee_ocur_time": r.fee_ocur_time,
                                "settled": r.setl_id is not None} for r in repo.lines(s.mdtrt_id)]}
                    for s in found]

    def settlements(self, code: str | None, limit: int) -> list[JsonObject]:
        """The last `limit` settlements (one institution's, or all), each with its ledger legs, oldest first."""
        with self._store.read() as tx:
            rows = tx.inspect.settlement_list(code)[-limit:]
            for row in rows:
                row["legs"] = tx.inspect.ledger_entries(str(row["setl_id"]), None)
                row["trace_codes"] = [{"code": r.code, "feedetl_sn": r.feedetl_sn, "med_list_codg": r.med_list_codg}
                                      for r in tx.trace_codes.of_settlement(str(row["setl_id"]))]
        return rows
