"""Where `yibao-sim audit --db` reads the request journal from: an existing simulator database, read only.

The audit never creates anything: a SQLite file that does not exist, a database without the simulator's
`traffic` table, or one that cannot be opened is an `ERR_AUDIT_NO_DATABASE` refusal (docs/audit.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from simulator.domain.refusals import AuditDatabaseUnknown
from simulator.store.engine import make_engine, normalise_url
from simulator.store.tables_traffic import traffic
from simulator.store.traffic import TrafficLog


def journal_rows(db: str, institution: str) -> list[dict[str, Any]]:
    """The institution's journal rows (and the fault events) from the simulator database `db`."""
    url = normalise_url(db)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise AuditDatabaseUnknown(detail=f"数据库地址 {db!r} 无法识别（sqlite:///文件.db、文件路径或 postgresql://...）") \
            from None
    if parsed.get_backend_name() == "sqlite":
        file = parsed.database or ""
        if file in ("", ":memory:") or not Path(file).is_file():
            raise AuditDatabaseUnknown(detail=f"数据库文件 {file or db!r} 不存在：审计只读已有的模拟器数据库，不会新建")
    engine = make_engine(url)
    try:
        if not inspect(engine).has_table(traffic.name):
            raise AuditDatabaseUnknown(detail=f"{parsed.render_as_string(hide_password=True)} 不是模拟器数据库"
                                              f"（没有报文记录表 {traffic.name}）")
        return TrafficLog(engine).rows(institution)
    except SQLAlchemyError as exc:
        raise AuditDatabaseUnknown(detail=f"无法读取数据库 {parsed.render_as_string(hide_password=True)}："
                                          f"{type(exc).__name__}") from None
    finally:
        engine.dispose()
