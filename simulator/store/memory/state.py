"""The memory store's "database": plain containers of frozen records, and the snapshot a transaction
rolls back to. Every value is immutable, so a snapshot is a shallow copy of each container."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from simulator.domain.catalogue import CatalogueEntry, MappingRecord
from simulator.domain.models import Binding, Institution, Person, Pool, Wallet
from simulator.domain.records import (
    BindingEvent,
    EvoucherRecord,
    FeeLineRecord,
    FundsIn,
    GuardianshipRecord,
    LedgerEntry,
    MessageRecord,
    PoolEvent,
    SettlementRecord,
    SigninRecord,
    StoredFile,
    TokenRecord,
    TransferRecord,
    VisitRecord,
)
from simulator.domain.sales import SalesUpload


@dataclass
class Tables:
    """One container per table; `ids` holds each table's last assigned id."""

    ids: dict[str, int] = field(default_factory=dict)
    persons: dict[int, Person] = field(default_factory=dict)
    no_account_fen: dict[int, int] = field(default_factory=dict)  # balance_fen of persons without an account
    bindings: dict[int, Binding] = field(default_factory=dict)
    binding_log: list[BindingEvent] = field(default_factory=list)
    pools: dict[int, Pool] = field(default_factory=dict)
    pool_members: dict[int, int] = field(default_factory=dict)  # person id -> pool row
    pool_log: list[PoolEvent] = field(default_factory=list)
    wallets: dict[int, Wallet] = field(default_factory=dict)
    transfers: dict[str, TransferRecord] = field(default_factory=dict)
    guardianships: dict[tuple[int, int], GuardianshipRecord] = field(default_factory=dict)
    visits: dict[str, VisitRecord] = field(default_factory=dict)
    fee_lines: dict[int, FeeLineRecord] = field(default_factory=dict)
    settlements: dict[str, SettlementRecord] = field(default_factory=dict)
    ledger: list[LedgerEntry] = field(default_factory=list)
    messages: dict[str, MessageRecord] = field(default_factory=dict)
    funds_in: list[FundsIn] = field(default_factory=list)
    institutions: dict[str, Institution] = field(default_factory=dict)
    policies: dict[str, str] = field(default_factory=dict)
    catalogue: dict[str, CatalogueEntry] = field(default_factory=dict)
    mappings: dict[tuple[str, str], MappingRecord] = field(default_factory=dict)
    trace_rows: list[Any] = field(default_factory=list)  # memory/trace.py TraceRow
    sales_uploads: list[SalesUpload] = field(default_factory=list)
    handles: dict[tuple[str, str], str] = field(default_factory=dict)
    signins: dict[str, SigninRecord] = field(default_factory=dict)
    evouchers: dict[str, EvoucherRecord] = field(default_factory=dict)
    tokens: dict[str, TokenRecord] = field(default_factory=dict)
    files: dict[str, StoredFile] = field(default_factory=dict)

    def next_id(self, table: str) -> int:
        self.ids[table] = self.ids.get(table, 0) + 1
        return self.ids[table]

    def snapshot(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name).copy() for f in fields(self)}

    def restore(self, snapshot: dict[str, Any]) -> None:
        for name, value in snapshot.items():
            setattr(self, name, value)

    def clear(self) -> None:
        """Every data table emptied; ids restart (like the SQL store's reset)."""
        self.restore(Tables().snapshot())
