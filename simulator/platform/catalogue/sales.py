"""3505 商品销售 / 3506 商品销售退货: the till's sales and returns (进销存), stored once each, checked against
the settlements they name, and reconciled (docs/protocol.md §8)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from simulator.domain.refusals import BadSalesUpload
from simulator.domain.requests import RequestMeta
from simulator.domain.sales import SalesUpload, UploadKind
from simulator.platform.deps import Deps


class SalesOps:
    """Sales uploads and their reconciliation against the settlements."""

    def __init__(self, deps: Deps) -> None:
        self.store, self.lookups, self.msgids = deps.store, deps.lookups, deps.msgids

    def upload(self, meta: RequestMeta, kind: UploadKind, lines: Sequence[SalesUpload]) -> tuple[int, int]:
        """Store the lines not stored before (a retried upload is accepted again and stores nothing);
        returns (stored, already stored)."""
        numbers = [u.medins_prod_sel_no for u in lines]
        if len(set(numbers)) != len(numbers):
            raise BadSalesUpload(detail="同一次上传中商品销售流水号 medins_prod_sel_no 重复")
        with self.store.write() as tx:
            self.lookups.institution(tx, meta.fixmedins_code)
            self.msgids.claim(tx, meta)
            for setl_id in sorted({u.setl_id for u in lines if u.setl_id}):
                row = tx.settlements.get(setl_id)
                if row is None or row.fixmedins_code != meta.fixmedins_code:
                    raise BadSalesUpload(detail=f"结算ID {setl_id} 不是本机构的结算")
                if kind == "return" and row.status == "settled":
                    raise BadSalesUpload(detail=f"结算 {setl_id} 未撤销，不能上传退货（3506）")
            repo = tx.sales_uploads
            seen = repo.known(meta.fixmedins_code, kind, numbers)
            fresh = [u for u in lines if u.medins_prod_sel_no not in seen]
            repo.add(fresh)
        return len(fresh), len(lines) - len(fresh)

    def reconcile(self, fixmedins_code: str) -> dict[str, Any]:
        """Every settlement of the institution against its uploads: a sale not uploaded, a revoked sale
        whose return is not uploaded, an upload that names no settlement of it. A reversed settlement (2601)
        never happened for the till, so it owes no upload."""
        with self.store.read() as tx:
            uploads = tx.sales_uploads.of_institution(fixmedins_code)
            settled = tx.inspect.settlement_list(fixmedins_code)
        sold = {u.setl_id for u in uploads if u.kind == "sale"}
        returned = {u.setl_id for u in uploads if u.kind == "return"}
        known = {str(s["setl_id"]) for s in settled}
        return {
            "uploads": [{"kind": u.kind, "medins_prod_sel_no": u.medins_prod_sel_no, "setl_id": u.setl_id,
                         "med_list_codg": u.med_list_codg, "sel_retn_cnt": str(u.sel_retn_cnt),
                         "trace_codes": list(u.trace_codes)} for u in uploads],
            "sales_not_uploaded": sorted(str(s["setl_id"]) for s in settled
                                         if s["status"] in ("settled", "revoked") and s["setl_id"] not in sold),
            "returns_not_uploaded": sorted(str(s["setl_id"]) for s in settled
                                           if s["status"] == "revoked" and s["setl_id"] not in returned),
            "unknown_settlements": sorted((sold | returned) - known - {""}),
        }
