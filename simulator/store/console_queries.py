"""Read-only queries for the console: find persons, a person's pool. (Balances, bindings, ledger and
settlements come from `inspection`, shared with the admin API.)"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, or_, select

from simulator.domain.money import fmt, from_fen
from simulator.store.tables import handles, institutions, persons, pool_members, pools

SEARCH_LIMIT = 50


def institution_codes(conn: Connection) -> list[str]:
    """Every institution code the world defines, sorted."""
    return [str(code) for code in conn.execute(select(institutions.c.code).order_by(institutions.c.code)).scalars()]


def find_persons(conn: Connection, text: str, limit: int = SEARCH_LIMIT) -> list[dict[str, Any]]:
    """Persons whose psn_no, name, handle or ID-number tail matches `text` (all when empty)."""
    handle = handles.alias("h")
    stmt = (select(persons.c.psn_no, persons.c.name, persons.c.certno, persons.c.insuplc, persons.c.insutype,
                   handle.c.handle)
            .outerjoin(handle, (handle.c.kind == "person") & (handle.c.ref == persons.c.psn_no))
            .order_by(persons.c.id).limit(limit))
    if text:
        like = f"%{text}%"
        stmt = stmt.where(or_(persons.c.psn_no.like(like), persons.c.name.like(like), handle.c.handle.like(like),
                              persons.c.certno.like(f"%{text}") if len(text) >= 4 else persons.c.psn_no == text))
    return [dict(r._mapping) for r in conn.execute(stmt)]


def pool_of(conn: Connection, psn_no: str) -> dict[str, Any] | None:
    """The family pool (Gansu 家庭共济账户) the person belongs to, with its members' psn_no."""
    person_id = conn.execute(select(persons.c.id).where(persons.c.psn_no == psn_no)).scalar()
    if person_id is None:
        return None
    row = conn.execute(select(pools).join(pool_members, pool_members.c.pool_row == pools.c.id)
                       .where(pool_members.c.person_id == person_id)).first()
    if row is None:
        return None
    members = conn.execute(select(persons.c.psn_no).join(pool_members, pool_members.c.person_id == persons.c.id)
                           .where(pool_members.c.pool_row == row.id).order_by(persons.c.id)).scalars().all()
    return {"pool_id": row.pool_id, "balance": fmt(from_fen(row.balance_fen)), "members": list(members)}
