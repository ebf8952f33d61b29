"""The one SQLAlchemy `MetaData` every table module registers on (kept apart so table modules never import
each other: tables.py imports tables_family and tables_traffic, and none of them imports tables.py back)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Integer, MetaData

metadata = MetaData()


def _id() -> Column[int]:
    """The surrogate key of a table: BIGINT, INTEGER on SQLite (so it is the rowid)."""
    return Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
