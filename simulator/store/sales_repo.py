"""The sales-upload repository on SQLite and PostgreSQL (simulator/platform/catalogue/repository.py)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, insert, select

from simulator.domain.sales import SalesUpload
from simulator.store.tables_catalogue import sales_uploads


def _upload(row: Any) -> SalesUpload:
    return SalesUpload(row.fixmedins_code, "return" if row.kind == "return" else "sale", row.medins_prod_sel_no,
                       row.setl_id, row.med_list_codg, row.fixmedins_hilist_id, Decimal(row.sel_retn_cnt),
                       tuple(json.loads(row.trace_codes)), row.sel_retn_time, row.uploaded_at)


class SqlSalesUploads:
    """In the caller's transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def known(self, fixmedins_code: str, kind: str, numbers: Sequence[str]) -> set[str]:
        if not numbers:
            return set()
        found = self.conn.execute(select(sales_uploads.c.medins_prod_sel_no).where(
            sales_uploads.c.fixmedins_code == fixmedins_code, sales_uploads.c.kind == kind,
            sales_uploads.c.medins_prod_sel_no.in_(list(numbers))))
        return set(found.scalars())

    def add(self, uploads: Sequence[SalesUpload]) -> None:
        if uploads:
            self.conn.execute(insert(sales_uploads), [{
                "fixmedins_code": u.fixmedins_code, "kind": u.kind, "medins_prod_sel_no": u.medins_prod_sel_no,
                "setl_id": u.setl_id, "med_list_codg": u.med_list_codg, "fixmedins_hilist_id": u.fixmedins_hilist_id,
                "sel_retn_cnt": str(u.sel_retn_cnt), "trace_codes": json.dumps(list(u.trace_codes)),
                "sel_retn_time": u.sel_retn_time, "uploaded_at": u.uploaded_at} for u in uploads])

    def of_institution(self, fixmedins_code: str) -> list[SalesUpload]:
        found = self.conn.execute(select(sales_uploads).where(sales_uploads.c.fixmedins_code == fixmedins_code)
                                  .order_by(sales_uploads.c.id))
        return [_upload(row) for row in found]
