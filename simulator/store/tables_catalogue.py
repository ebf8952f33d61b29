"""Tables of the insurance catalogue (医保目录) and the institutions' 目录对照 (3301) rows."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Index, String, Table

from simulator.store.metadata import metadata

hilist = Table(
    "hilist", metadata,
    Column("code", String(50), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("lv", String(2), nullable=False),
    Column("selfpay_prop", String(12), nullable=False),
    Column("price_cap", String(24)),
    Column("begndate", String(10), nullable=False),
    Column("enddate", String(10)),
    Column("updt_time", String(19), nullable=False),
    Column("list_type", String(3), nullable=False),
    Column("lmt_used_flag", String(1), nullable=False),
    Column("lmt_note", String(500), nullable=False),
    Column("expired_use", String(8), nullable=False),
    Column("traced", Boolean, nullable=False),
    Index("ix_hilist_updt", "updt_time", "code"),
)

list_mappings = Table(
    "list_mappings", metadata,
    Column("fixmedins_code", String(32), primary_key=True),
    Column("fixmedins_hilist_id", String(30), primary_key=True),
    Column("fixmedins_hilist_name", String(200), nullable=False),
    Column("list_type", String(3), nullable=False),
    Column("med_list_codg", String(50), nullable=False),
    Column("begndate", String(10), nullable=False),
    Column("enddate", String(10)),
    Column("uploaded_at", String(19), nullable=False),
)
