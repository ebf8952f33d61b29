"""The admin API's and the console's read-only queries over the memory tables (store/inspection.py and
store/console_queries.py's rows, same keys and orders)."""

from __future__ import annotations

from simulator.domain.money import fmt, from_fen, to_fen
from simulator.store.memory.state import Tables

SEARCH_LIMIT = 50
AMOUNTS = ("medfee", "fulamt", "overlmt", "preself", "inscp", "dedc", "hifp", "psn_part", "acct", "mulaid",
           "wallet", "cash", "balc")


def _yuan(fen: int) -> str:
    return fmt(from_fen(fen))


class MemoryInspect:
    def __init__(self, t: Tables) -> None:
        self.t = t

    def balances(self) -> dict[str, dict[str, str]]:
        persons = self.t.persons
        return {"accounts": {p.psn_no: fmt(p.balance) for p in persons.values() if p.balance is not None},
                "pools": {p.pool_id: fmt(p.balance) for p in self.t.pools.values()},
                "wallets": {persons[w.owner_id].psn_no: fmt(w.balance) for w in self.t.wallets.values()
                            if w.owner_id in persons}}

    def conservation(self) -> dict[str, object]:
        """held + in transit + paid out of them == loaded + top-ups, to the fen."""
        loaded = sum(f.amount_fen for f in self.t.funds_in if f.kind == "load")
        topups = sum(f.amount_fen for f in self.t.funds_in if f.kind == "topup")
        held = (sum(to_fen(p.balance) for p in self.t.persons.values() if p.balance is not None)
                + sum(to_fen(p.balance) for p in self.t.pools.values())
                + sum(to_fen(w.balance) for w in self.t.wallets.values()))
        paid = sum(e.amount_fen for e in self.t.ledger if e.source != "fund")
        pooled = sum(e.amount_fen for e in self.t.ledger if e.source == "fund")
        in_transit = sum(x.amount_fen for x in self.t.transfers.values() if x.status == "pending")
        difference = held + in_transit + paid - loaded - topups
        return {"ok": difference == 0, "loaded": _yuan(loaded), "topups": _yuan(topups), "held": _yuan(held),
                "in_transit": _yuan(in_transit), "fund_paid": _yuan(paid), "paid_out": _yuan(paid),
                "pooled_fund_paid": _yuan(pooled), "difference": _yuan(difference)}

    def ledger_entries(self, setl_id: str | None, psn_no: str | None) -> list[dict[str, object]]:
        return [{"setl_id": e.setl_id, "entry": e.entry, "source": e.source, "rank": e.rank, "psn_no": e.psn_no,
                 "pool_id": e.pool_id, "wallet_id": e.wallet_id, "amount": _yuan(e.amount_fen), "msgid": e.msgid,
                 "at": e.at} for e in self.t.ledger
                if (not setl_id or e.setl_id == setl_id) and (not psn_no or e.psn_no == psn_no)]

    def settlement_list(self, fixmedins_code: str | None) -> list[dict[str, object]]:
        out: list[dict[str, object]] = []
        for s in sorted(self.t.settlements.values(), key=lambda s: s.id):
            if fixmedins_code and s.fixmedins_code != fixmedins_code:
                continue
            item: dict[str, object] = {k: getattr(s, k) for k in (
                "setl_id", "mdtrt_id", "psn_no", "fixmedins_code", "msgid", "infno", "clr_type", "med_type",
                "insutype", "setl_time", "status", "revoke_setl_id", "revoke_msgid", "revoked_at")}
            item |= {name: _yuan(getattr(s, f"{name}_fen")) for name in AMOUNTS}
            out.append(item)
        return out

    def binding_list(self, party: str, person_id: int) -> list[dict[str, object]]:
        persons = self.t.persons
        found = sorted((b for b in self.t.bindings.values() if getattr(b, f"{party}_id") == person_id),
                       key=lambda b: (b.beneficiary_id, b.rank))
        return [{"funder": persons[b.funder_id].psn_no, "beneficiary": persons[b.beneficiary_id].psn_no,
                 "rank": b.rank, "relation": b.relation, "start": None if b.start is None else b.start.isoformat(),
                 "end": None if b.end is None else b.end.isoformat(), "state": b.state} for b in found]

    def institution_codes(self) -> list[str]:
        return sorted(self.t.institutions)

    def find_persons(self, text: str) -> list[dict[str, object]]:
        handle_of = {ref: h for (kind, h), ref in self.t.handles.items() if kind == "person"}
        out: list[dict[str, object]] = []
        for p in sorted(self.t.persons.values(), key=lambda p: p.id):
            handle = handle_of.get(p.psn_no)
            if text and not (text in p.psn_no or text in p.name or (handle is not None and text in handle)
                             or (p.certno.endswith(text) if len(text) >= 4 else p.psn_no == text)):
                continue
            out.append({"psn_no": p.psn_no, "name": p.name, "certno": p.certno, "insuplc": p.insuplc,
                        "insutype": p.insutype, "handle": handle})
        return out[:SEARCH_LIMIT]

    def pool_of(self, psn_no: str) -> dict[str, object] | None:
        person = next((p for p in self.t.persons.values() if p.psn_no == psn_no), None)
        row = None if person is None else self.t.pool_members.get(person.id)
        pool = None if row is None else self.t.pools.get(row)
        if pool is None:
            return None
        members = sorted(pid for pid, r in self.t.pool_members.items() if r == pool.id)
        return {"pool_id": pool.pool_id, "balance": fmt(pool.balance),
                "members": [self.t.persons[m].psn_no for m in members if m in self.t.persons]}
