"""A settled sale as a receipt: the one adapter from the checkout's Sale to pos_plugin.receipt's Receipt.

It lives in checkout/ so that the receipt module (layout, masking) knows nothing of the checkout and the
two never import each other (tests/test_layers.py).
"""

from __future__ import annotations

from pos_plugin.checkout.sale import Sale
from pos_plugin.receipt import Receipt, SettlementFigures


def receipt_for_sale(sale: Sale, institution: str, *, title: str = "医保结算凭条", sale_id: str = "") -> Receipt:
    """The receipt of a settled sale (or of a cash-only sale with nothing insurable, under its local id)."""
    quote = sale.quote
    figures = SettlementFigures(
        medfee_sumamt=sale.figure("medfee_sumamt"), fund_pay_sumamt=sale.figure("fund_pay_sumamt"),
        psn_part_amt=sale.figure("psn_part_amt"), acct_pay=sale.figure("acct_pay"),
        acct_mulaid_pay=sale.figure("acct_mulaid_pay"), wallet_pay=sale.figure("wallet_pay"),
        psn_cash_pay=sale.figure("psn_cash_pay"),
        balc=sale.figure("balc") if sale.settlement and quote.patient.funds.own_usable else None)
    setl_time = str(sale.settlement.setlinfo.get("setl_time", "")) if sale.settlement else ""
    return Receipt(
        institution=institution,
        time=setl_time, patient_name=quote.patient.name, certno=quote.patient.certno, setl_id=sale.setl_id or sale_id,
        lines=quote.order.lines, figures=figures, legs=sale.legs, outside_settlement=sale.outside_settlement,
        title=title,
    )
