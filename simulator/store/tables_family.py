"""Family-account tables (bindings' history, family pools' history, wallet transfers, guardianships).

Registered on the same `metadata` as `tables.py` (which imports this module before listing its data
tables, so an admin reset empties these too). Money is integer fen; times 'YYYY-MM-DD HH:MM:SS'.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, String, Table, Text, UniqueConstraint

from simulator.store.metadata import _id, metadata

# One row per lifecycle step of a binding: requested, approved, rejected, rank_changed, ended, auto_ended.
binding_log = Table(
    "binding_log", metadata,
    _id(),
    Column("binding_id", BigInteger, nullable=False, index=True),
    Column("at", String(19), nullable=False),
    Column("action", String(16), nullable=False),
    Column("actor", String(32)),  # psn_no of the party acting; null for the agency / the platform
    Column("detail", Text),
)

# One row per step of a family pool (Gansu): created, member_added, member_removed, allot, dissolved.
pool_log = Table(
    "pool_log", metadata,
    _id(),
    Column("pool_row", BigInteger, nullable=False, index=True),
    Column("at", String(19), nullable=False),
    Column("action", String(16), nullable=False),
    Column("psn_no", String(32)),
    Column("relation", String(16)),
    Column("amount_fen", BigInteger),
)

# A wallet transfer (医保钱包转账): money leaves the sender's account or wallet when it is sent and
# is "in transit" while pending; accepted -> the receiver's wallet; bounced -> back to its source.
wallet_transfers = Table(
    "wallet_transfers", metadata,
    _id(),
    Column("transfer_id", String(32), nullable=False, unique=True),
    Column("sender_id", BigInteger, nullable=False),
    Column("receiver_id", BigInteger, nullable=False, index=True),
    Column("source", String(8), nullable=False),  # account | wallet
    Column("source_row", BigInteger, nullable=False),  # persons.id or wallets.id
    Column("target_wallet_row", BigInteger, nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("relation", String(16), nullable=False),
    Column("verification", String(8), nullable=False),  # face | pin
    Column("status", String(10), nullable=False),  # pending | accepted | bounced
    Column("day", String(10), nullable=False),  # platform day it was sent (daily limit)
    Column("created_at", String(19), nullable=False),
    Column("due_at", String(19), nullable=False),  # 06:00 the next day: bounces if still pending
    Column("closed_at", String(19)),
    Index("ix_wallet_transfers_sender_day", "sender_id", "day"),
    Index("ix_wallet_transfers_status_due", "status", "due_at"),
)

# 亲情账户: a guardian's app may show a minor's own e-voucher.
guardianships = Table(
    "guardianships", metadata,
    _id(),
    Column("guardian_id", BigInteger, nullable=False),
    Column("minor_id", BigInteger, nullable=False),
    Column("relation", String(16), nullable=False),
    Column("created_at", String(19), nullable=False),
    UniqueConstraint("guardian_id", "minor_id", name="uq_guardianship"),
)
