"""SQLAlchemy Core tables. Money is integer fen; dates 'YYYY-MM-DD', times 'YYYY-MM-DD HH:MM:SS'.

Every lookup a request makes goes through a primary key or an index declared here.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from simulator.store.metadata import _id
from simulator.store.metadata import metadata as metadata  # re-exported: table modules elsewhere name it here

SCHEMA_VERSION = 2


schema_version = Table("schema_version", metadata, Column("version", Integer, primary_key=True))

id_counters = Table(
    "id_counters", metadata,
    Column("kind", String(16), primary_key=True),
    Column("last", BigInteger, nullable=False),
)

policies = Table(
    "policies", metadata,
    Column("name", String(64), primary_key=True),
    Column("body", Text, nullable=False),
)

institutions = Table(
    "institutions", metadata,
    Column("code", String(32), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("admdvs", String(6), nullable=False),
    Column("level", String(4), nullable=False),
    Column("wallet_enabled", Boolean, nullable=False),
    Column("policy", String(64), nullable=False),
)

persons = Table(
    "persons", metadata,
    _id(),
    Column("psn_no", String(32), nullable=False, unique=True),
    Column("certno", String(32), nullable=False, unique=True),
    Column("card_sn", String(32), nullable=False, unique=True),
    Column("name", String(100), nullable=False),
    Column("gender", String(1), nullable=False),
    Column("birthday", String(10), nullable=False),
    Column("insutype", String(3), nullable=False),
    Column("psn_type", String(8), nullable=False),
    Column("insuplc", String(6), nullable=False),
    Column("status", String(2), nullable=False),
    Column("has_account", Boolean, nullable=False),
    Column("balance_fen", BigInteger, nullable=False),
    Column("ytd_dedc_fen", BigInteger, nullable=False),
    Column("ytd_fund_fen", BigInteger, nullable=False),
)

handles = Table(
    "handles", metadata,
    Column("kind", String(8), primary_key=True),
    Column("handle", String(100), primary_key=True),
    Column("ref", String(40), nullable=False),
)

bindings = Table(
    "bindings", metadata,
    _id(),
    Column("funder_id", BigInteger, nullable=False, index=True),
    Column("beneficiary_id", BigInteger, nullable=False),
    Column("rank", Integer, nullable=False),
    Column("relation", String(16), nullable=False),
    Column("start_date", String(10)),
    Column("end_date", String(10)),
    Column("state", String(12), nullable=False),
    # Rank numbers are unique among a beneficiary's live (active or pending) bindings; an ended or
    # rejected binding keeps its number for the record and frees it for a new binding.
    Index("ix_bindings_beneficiary", "beneficiary_id"),  # the request path: bindings of a patient
    Index("uq_binding_rank_live", "beneficiary_id", "rank", unique=True,
          sqlite_where=text("state IN ('active', 'pending')"),
          postgresql_where=text("state IN ('active', 'pending')")),
)

pools = Table(
    "pools", metadata,
    _id(),
    Column("pool_id", String(32), nullable=False, unique=True),
    Column("creator_id", BigInteger, nullable=False, index=True),
    Column("balance_fen", BigInteger, nullable=False),
)

pool_members = Table(
    "pool_members", metadata,
    Column("person_id", BigInteger, primary_key=True),
    Column("pool_row", BigInteger, nullable=False, index=True),
)

wallets = Table(
    "wallets", metadata,
    _id(),
    Column("wallet_id", String(32), nullable=False, unique=True),
    Column("owner_id", BigInteger, nullable=False, unique=True),
    Column("balance_fen", BigInteger, nullable=False),
    Column("status", String(12), nullable=False),
)

signins = Table(
    "signins", metadata,
    Column("sign_no", String(32), primary_key=True),
    Column("fixmedins_code", String(32), nullable=False),
    Column("opter", String(50), nullable=False),
    Column("day", String(10), nullable=False),
    Column("sign_time", String(19), nullable=False),
    Column("signed_out", Boolean, nullable=False),
    UniqueConstraint("fixmedins_code", "opter", "day", name="uq_signin_day"),
)

evouchers = Table(
    "evouchers", metadata,
    Column("code", String(28), primary_key=True),
    Column("person_id", BigInteger, nullable=False),
    Column("expires_at", String(19), nullable=False),
    Column("used_at", String(19)),
)

ectokens = Table(
    "ectokens", metadata,
    Column("token", String(40), primary_key=True),
    Column("person_id", BigInteger, nullable=False),
    Column("expires_at", String(19), nullable=False),
)

messages = Table(
    "messages", metadata,
    Column("msgid", String(40), primary_key=True),
    Column("infno", String(8), nullable=False),
    Column("fixmedins_code", String(32), nullable=False),
    Column("psn_no", String(32)),
    Column("status", String(10), nullable=False),  # ok | dead | reversed
    Column("setl_id", String(40)),
    Column("at", String(19), nullable=False),
)

visits = Table(
    "visits", metadata,
    _id(),
    Column("mdtrt_id", String(40), nullable=False, unique=True),
    Column("person_id", BigInteger, nullable=False),
    Column("fixmedins_code", String(32), nullable=False),
    Column("kind", String(12), nullable=False),  # outpatient | pharmacy
    Column("insutype", String(3), nullable=False),
    Column("med_type", String(4), nullable=False),
    Column("status", String(12), nullable=False),  # registered | cancelled
    Column("begntime", String(19), nullable=False),
    Column("ipt_otp_no", String(50), nullable=False),
    Column("diseinfo", Text),
)

fee_lines = Table(
    "fee_lines", metadata,
    _id(),
    Column("mdtrt_id", String(40), nullable=False),
    Column("feedetl_sn", String(50), nullable=False),
    Column("chrg_bchno", String(50), nullable=False),
    Column("code", String(50), nullable=False),
    Column("name", String(200), nullable=False),
    Column("cnt", String(24), nullable=False),
    Column("pric", String(24), nullable=False),
    Column("amt_fen", BigInteger, nullable=False),
    Column("setl_id", String(40)),
    Column("revoked_setl_id", String(40)),
    UniqueConstraint("mdtrt_id", "feedetl_sn", name="uq_fee_line"),
    Index("ix_fee_lines_setl", "setl_id"),
)

_AMOUNTS = ("medfee", "fulamt", "overlmt", "preself", "inscp", "dedc", "hifp", "psn_part", "acct",
            "mulaid", "wallet", "cash", "balc")
SETTLEMENT_AMOUNTS = _AMOUNTS

settlements = Table(
    "settlements", metadata,
    _id(),
    Column("setl_id", String(40), nullable=False, unique=True),
    Column("mdtrt_id", String(40), nullable=False, index=True),
    Column("person_id", BigInteger, nullable=False),
    Column("psn_no", String(32), nullable=False),
    Column("fixmedins_code", String(32), nullable=False),
    Column("msgid", String(40), nullable=False, unique=True),
    Column("infno", String(8), nullable=False),
    Column("clr_type", String(4), nullable=False),
    Column("med_type", String(4), nullable=False),
    Column("insutype", String(3), nullable=False),
    Column("clr_optins", String(6), nullable=False),
    Column("setl_time", String(19), nullable=False),
    Column("status", String(10), nullable=False),  # settled | revoked | reversed
    *(Column(f"{name}_fen", BigInteger, nullable=False) for name in _AMOUNTS),
    Column("revoke_setl_id", String(40), unique=True),
    Column("revoke_msgid", String(40)),
    Column("revoked_at", String(19)),
    Index("ix_settlements_inst_time", "fixmedins_code", "setl_time"),
    Index("ix_settlements_inst_revoked", "fixmedins_code", "revoked_at"),
)

ledger = Table(
    "ledger", metadata,
    _id(),
    Column("setl_id", String(40), nullable=False, index=True),
    Column("entry", String(10), nullable=False),  # settle | revoke
    Column("source", String(8), nullable=False),  # fund | own | funder | pool | wallet
    Column("rank", Integer),
    Column("person_id", BigInteger),
    Column("psn_no", String(32), index=True),
    Column("pool_row", BigInteger),
    Column("pool_id", String(32)),
    Column("wallet_row", BigInteger),
    Column("wallet_id", String(32)),
    Column("name", String(100), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),  # paid out (+) / returned (−)
    Column("msgid", String(40), nullable=False),
    Column("at", String(19), nullable=False),
)

funds_in = Table(
    "funds_in", metadata,
    _id(),
    Column("kind", String(8), nullable=False),  # load | topup
    Column("target", String(8), nullable=False),  # account | pool | wallet
    Column("ref", String(40), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("at", String(19), nullable=False),
)

files = Table(
    "files", metadata,
    Column("file_qury_no", String(40), primary_key=True),
    Column("fixmedins_code", String(32), nullable=False),
    Column("filename", String(200), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("created_at", String(19), nullable=False),
)

# registers the family tables and the request journal on `metadata`
from simulator.store import tables_family, tables_traffic  # noqa: E402,F401

DATA_TABLES = [t for t in metadata.sorted_tables if t.name != "schema_version"]
