"""The sales upload (进销存 3505 商品销售 / 3506 商品销售退货): one record per uploaded line. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

UploadKind = Literal["sale", "return"]
KIND_OF_INFNO: dict[str, UploadKind] = {"3505": "sale", "3506": "return"}


@dataclass(frozen=True)
class SalesUpload:
    """One `selinfo` line as stored; `medins_prod_sel_no` (商品销售流水号) identifies it per institution and kind."""

    fixmedins_code: str
    kind: UploadKind
    medins_prod_sel_no: str
    setl_id: str
    med_list_codg: str
    fixmedins_hilist_id: str
    sel_retn_cnt: Decimal
    trace_codes: tuple[str, ...]
    sel_retn_time: str
    uploaded_at: str
