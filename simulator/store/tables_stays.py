"""Inpatient stay tables (docs/domain.md §2.7): the stay, its fee lines, the inpatient accumulators per year.

Registered on the same `metadata` as `tables.py` (imported there before it lists its data tables, so an admin
reset empties these too). Money is integer fen; times 'YYYY-MM-DD HH:MM:SS'. Only simulator/store/stays.py
reads or writes them.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, String, Table, Text, UniqueConstraint

from simulator.store.metadata import _id, metadata

stays = Table(
    "stays", metadata,
    _id(),
    Column("mdtrt_id", String(40), nullable=False, unique=True),
    Column("person_id", BigInteger, nullable=False, index=True),
    Column("fixmedins_code", String(32), nullable=False),
    Column("insutype", String(3), nullable=False),
    Column("status", String(12), nullable=False),  # admitted | discharged | settled | cancelled
    Column("begntime", String(19), nullable=False),
    Column("endtime", String(19)),
    Column("ipt_no", String(50), nullable=False),
    Column("adm_dept_codg", String(50), nullable=False),
    Column("adm_dept_name", String(100), nullable=False),
    Column("adm_bed", String(50), nullable=False),
    Column("atddr_no", String(50), nullable=False),
    Column("chfpdr_name", String(50), nullable=False),
    Column("adm_diag_dscr", String(200), nullable=False),
    Column("dscg_dept_codg", String(50), nullable=False),
    Column("dscg_dept_name", String(100), nullable=False),
    Column("dscg_way", String(8), nullable=False),
    Column("diseinfo", Text, nullable=False),
    Column("setl_id", String(40)),
    Index("ix_stays_institution", "fixmedins_code", "id"),
)

stay_lines = Table(
    "stay_lines", metadata,
    _id(),
    Column("mdtrt_id", String(40), nullable=False),
    Column("feedetl_sn", String(50), nullable=False),
    Column("code", String(50), nullable=False),
    Column("name", String(200), nullable=False),
    Column("cnt", String(24), nullable=False),
    Column("pric", String(24), nullable=False),
    Column("amt_fen", BigInteger, nullable=False),
    Column("fee_ocur_time", String(19), nullable=False),
    Column("setl_id", String(40)),
    Column("revoked_setl_id", String(40)),
    UniqueConstraint("mdtrt_id", "feedetl_sn", name="uq_stay_line"),
    Index("ix_stay_lines_setl", "setl_id"),
)

inpatient_years = Table(
    "inpatient_years", metadata,
    Column("person_id", BigInteger, primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("fund_fen", BigInteger, nullable=False),
    Column("stays", Integer, nullable=False),
)
