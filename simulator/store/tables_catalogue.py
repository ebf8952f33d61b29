"""Tables of the insurance catalogue (医保目录), the institutions' 目录对照 (3301) rows and their review, the drug
traceability codes (药品追溯码) uploaded and sold."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Index, String, Table, Text, UniqueConstraint, text

from simulator.store.metadata import _id, metadata

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

# The platform's review of each 目录对照 row (docs/protocol.md §6), in its own table so a database made before
# reviews existed opens unchanged: a mapping without a review row was accepted at once (chk_stas 1).
mapping_reviews = Table(
    "mapping_reviews", metadata,
    Column("fixmedins_code", String(32), primary_key=True),
    Column("fixmedins_hilist_id", String(30), primary_key=True),
    Column("chk_stas", String(1), nullable=False),  # 0 待审核 / 1 审核通过 / 2 审核不通过
    Column("chk_memo", String(200), nullable=False),
    Column("reviewed_at", String(19)),
)

trace_codes = Table(
    "trace_codes", metadata,
    _id(),
    Column("code", String(100), nullable=False),
    Column("mdtrt_id", String(40), nullable=False),
    Column("feedetl_sn", String(50), nullable=False),
    Column("med_list_codg", String(50), nullable=False),
    Column("fixmedins_code", String(32), nullable=False),
    Column("setl_id", String(40)),
    Column("status", String(10), nullable=False),  # uploaded | sold | returned
    Column("at", String(19), nullable=False),
    Index("ix_trace_code", "code"),
    Index("ix_trace_setl", "setl_id"),
    Index("ix_trace_visit", "mdtrt_id", "feedetl_sn"),
    Index("uq_trace_sold", "code", unique=True, sqlite_where=text("status = 'sold'"),
          postgresql_where=text("status = 'sold'")),
)

sales_uploads = Table(
    "sales_uploads", metadata,
    _id(),
    Column("fixmedins_code", String(32), nullable=False),
    Column("kind", String(6), nullable=False),  # sale (3505) | return (3506)
    Column("medins_prod_sel_no", String(50), nullable=False),
    Column("setl_id", String(40), nullable=False),
    Column("med_list_codg", String(50), nullable=False),
    Column("fixmedins_hilist_id", String(30), nullable=False),
    Column("sel_retn_cnt", String(24), nullable=False),
    Column("trace_codes", Text, nullable=False),  # JSON list
    Column("sel_retn_time", String(19), nullable=False),
    Column("uploaded_at", String(19), nullable=False),
    UniqueConstraint("fixmedins_code", "kind", "medins_prod_sel_no", name="uq_sales_upload"),
    Index("ix_sales_upload_setl", "setl_id"),
)
