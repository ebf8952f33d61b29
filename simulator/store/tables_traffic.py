"""The `traffic` table: the request journal (written and read by `simulator.store.traffic`)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, String, Table, Text

from simulator.store.tables import _id, metadata

traffic = Table(
    "traffic", metadata,
    _id(),
    # wall-clock nanoseconds when the request ARRIVED: the journal's order (a slow reply is recorded when it
    # leaves, after requests that came later; the settable platform clock may go backwards)
    Column("arrival", BigInteger, nullable=False),
    Column("at", String(26), nullable=False),  # platform clock, ISO with microseconds
    Column("kind", String(8), nullable=False),  # request | arm | clear
    Column("fixmedins_code", String(64), nullable=False),  # "" for fault events (they are global)
    Column("infno", String(16), nullable=False),
    Column("msgid", String(64), nullable=False),
    Column("sign_no", String(64), nullable=False),
    Column("outcome", String(12), nullable=False),  # ok | refused | dropped | http500 | error | armed | cleared
    Column("err_code", String(64), nullable=False),
    Column("fault", String(24), nullable=False),  # the fault kind that fired on this request, or ""
    Column("http_status", Integer, nullable=False),
    Column("request", Text, nullable=False),
    Column("reply", Text, nullable=False),
    Index("ix_traffic_inst", "fixmedins_code", "arrival"),
    Index("ix_traffic_arrival", "arrival"),
)
