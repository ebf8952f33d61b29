"""The counter's use cases against the real simulator over HTTP: scan, identify, confirm, settle, re-plan,
stop on differences, revoke, partial refund, lost replies."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest
from e2e_world import scenario

from pos_plugin.checkout.identify import Credential, Expected, credential_from_text, identify
from pos_plugin.checkout.sale import Order, SaleCancelled
from pos_plugin.checkout.sale_receipt import receipt_for_sale
from pos_plugin.cli.counter import confirmation_text
from pos_plugin.domain.cart import cart_line_from_mapping
from pos_plugin.domain.payer_chain import Choices
from pos_plugin.errors import (
    CodeExpired,
    CodeUsed,
    IdentityMismatch,
    NotAnInsuranceCode,
    NotInsured,
    NotSettled,
    PlanMismatch,
)
from pos_plugin.qr import decode_image
from pos_plugin.receipt import render_receipt


def load(admin, name, mutate=None):
    scen = scenario(name)
    if mutate:
        mutate(scen)
    return scen, admin.load_world(scen)


def order_of(scen, flow=None, **choices):
    checkout = scen["checkout"]
    flow = flow or checkout["flow"]
    return Order(tuple(cart_line_from_mapping(line) for line in checkout["lines"]), flow, checkout["med_type"],
                 Choices(**{"use_account": checkout["use_account"], "use_wallet": checkout["use_wallet"], **choices}))


def scanned_credential(admin, psn_no: str, tmp_path: Path) -> Credential:
    _, png = admin.evoucher(psn_no)
    image = tmp_path / "code.png"
    image.write_bytes(png)
    return credential_from_text(decode_image(image)[0])


def accounts(admin, loaded):
    names = {psn: handle for handle, psn in loaded["handles"].items()}
    return {names[psn]: str(amount) for psn, amount in admin.balances()["accounts"].items()}


def test_worked_example_from_a_qr_image_with_cashier_confirmation(admin, make_terminal, tmp_path):
    scen, loaded = load(admin, "shaanxi-retiree-two-funders")
    terminal = make_terminal(scen)
    credential = scanned_credential(admin, loaded["handles"]["wang"], tmp_path)
    assert credential.kind == "ecode"
    patient = identify(terminal.client, credential, expected=Expected(name="王建国"), business_type="01301")
    shown: list[str] = []
    sale = terminal.counter.checkout(patient, order_of(scen), lambda quote: shown.append(confirmation_text(quote)) or True)
    assert [(leg.source, leg.rank, leg.amount) for leg in sale.legs] == [
        ("own", None, D("35.20")), ("funder", 1, D("180.00")), ("funder", 2, D("73.06"))]
    assert sale.figure("hifp_pay") == D("243.74") and sale.figure("psn_cash_pay") == D("0.00")
    assert "王*" in shown[0] and "王建国" not in shown[0] and "王丽" not in shown[0]
    text = render_receipt(receipt_for_sale(sale, "西安市示范第二医院"))
    for label in ("本人账户", "共济账户(第一顺位 王* 尾号", "共济账户(第二顺位 王* 尾号", "现金"):  # namesakes told apart
        assert label in text
    assert "王建国" not in text and "610103195801010753" not in text
    assert accounts(admin, loaded) == {"wang": "0.00", "daughter": "0.00", "son": "1926.94"}


def test_identity_mismatch_stops_before_any_money_moves(admin, make_terminal, tmp_path):
    scen, loaded = load(admin, "shaanxi-retiree-two-funders")
    terminal = make_terminal(scen)
    before = admin.balances()
    credential = scanned_credential(admin, loaded["handles"]["daughter"], tmp_path)  # the daughter's own code
    with pytest.raises(IdentityMismatch) as info:
        identify(terminal.client, credential, expected=Expected(name="王建国"))
    assert info.value.short_code == "identity_mismatch"
    with pytest.raises(IdentityMismatch):
        identify(terminal.client, Credential("id_card", scen["people"][1]["certno"]),
                 expected=Expected(certno=scen["people"][0]["certno"]))
    assert admin.balances() == before
    # what the cashier typed with stray spaces (half or full width) still matches the right person
    match = identify(terminal.client, Credential("id_card", scen["people"][0]["certno"]),
                     expected=Expected(name=" 王 建国\u3000", certno=scen["people"][0]["certno"].lower()))
    assert match.psn_no == loaded["handles"]["wang"]


def test_patient_whose_insurance_is_not_normal_is_refused(admin, make_terminal):
    def pause(scen):
        scen["people"][0]["status"] = "2"
    scen, _ = load(admin, "own-account-covers-everything", pause)
    terminal = make_terminal(scen)
    before = admin.balances()
    with pytest.raises(NotInsured) as info:
        identify(terminal.client, Credential("id_card", scen["people"][0]["certno"]))
    assert info.value.short_code == "not_insured"
    assert admin.balances() == before


def test_codes_that_are_not_insurance_codes_expired_or_used(admin, make_terminal, tmp_path):
    scen, loaded = load(admin, "own-account-covers-everything")
    terminal = make_terminal(scen)
    with pytest.raises(NotAnInsuranceCode):
        credential_from_text("134567890123456789")  # a WeChat payment code: never sent to the platform
    with pytest.raises(NotAnInsuranceCode):
        credential_from_text("6901234567892")  # a product barcode
    code, _ = admin.evoucher(loaded["handles"]["zhao"])
    identify(terminal.client, Credential("ecode", code))
    with pytest.raises(CodeUsed):
        identify(terminal.client, Credential("ecode", code))
    stale, _ = admin.evoucher(loaded["handles"]["zhao"])
    admin.advance_clock(61)
    with pytest.raises(CodeExpired):
        identify(terminal.client, Credential("ecode", stale))


def test_balance_moved_between_presettle_and_settle_is_replanned_and_reconfirmed(admin, make_terminal, tmp_path):
    scen, loaded = load(admin, "shaanxi-retiree-two-funders")
    till, other_till = make_terminal(scen, "T1"), make_terminal(scen, "T2")
    patient = identify(till.client, Credential("id_card", scen["people"][0]["certno"]))
    daughter_cert = scen["people"][1]["certno"]
    plans = []

    def confirm(quote):
        plans.append([(leg.source, leg.rank, leg.amount) for leg in quote.plan.legs])
        if len(plans) == 1:  # meanwhile the daughter pays for her own medicine at another till
            daughter = identify(other_till.client, Credential("id_card", daughter_cert))
            own_buy = Order((cart_line_from_mapping({"code": "F0001", "class": "A", "qty": "1", "price": "120.00"}),))
            other_till.counter.checkout(daughter, own_buy, lambda q: True)
        return True

    sale = till.counter.checkout(patient, order_of(scen), confirm)
    assert plans == [
        [("own", None, D("35.20")), ("funder", 1, D("180.00")), ("funder", 2, D("73.06"))],
        [("own", None, D("35.20")), ("funder", 1, D("60.00")), ("funder", 2, D("193.06"))],
    ]
    assert [(leg.source, leg.rank, leg.amount) for leg in sale.legs] == plans[1]
    assert accounts(admin, loaded) == {"wang": "0.00", "daughter": "0.00", "son": "1806.94"}


@pytest.mark.parametrize("flow", ["outpatient", "pharmacy"])
def test_platform_legs_that_differ_from_the_plan_stop_the_sale(admin, make_terminal, flow):
    scen, loaded = load(admin, "guangdong-pooling-region-scope")
    # Configured with a wrong policy for Guangdong (its own province: it wins over the shipped profile), the
    # till plans own-pay items onto the account.
    terminal = make_terminal(scen, policy={"name": "wrong", "province": "44", "account_pays_ownpay": True})
    before = admin.balances()
    patient = identify(terminal.client, Credential("id_card", scen["people"][0]["certno"]))
    if flow == "outpatient":
        scen["checkout"]["med_type"] = "11"
    with pytest.raises(PlanMismatch) as info:
        terminal.counter.checkout(patient, order_of(scen, flow), lambda quote: True)
    assert "平台" in info.value.message
    assert admin.balances() == before


def test_cashier_declines_and_nothing_moves(admin, make_terminal):
    scen, _ = load(admin, "shaanxi-retiree-two-funders")
    terminal = make_terminal(scen)
    before = admin.balances()
    patient = identify(terminal.client, Credential("id_card", scen["people"][0]["certno"]))
    with pytest.raises(SaleCancelled):
        terminal.counter.checkout(patient, order_of(scen), lambda quote: False)
    assert admin.balances() == before


def test_cart_without_insurable_lines_makes_no_settlement(admin, make_terminal):
    scen, _ = load(admin, "linxia-child-pool-wallet")
    scen["checkout"]["lines"] = [line for line in scen["checkout"]["lines"] if line.get("insurable") is False]
    terminal = make_terminal(scen)
    before = admin.balances()
    patient = identify(terminal.client, Credential("id_card", scen["people"][0]["certno"]))
    sale = terminal.counter.checkout(patient, order_of(scen), lambda quote: True)
    assert sale.settlement is None and sale.legs == ()
    assert sale.cash_total == D("59.00")
    assert admin.balances() == before


def test_revoke_puts_every_leg_back(admin, make_terminal):
    scen, loaded = load(admin, "linxia-child-pool-wallet")
    terminal = make_terminal(scen)
    before = admin.balances()
    patient = identify(terminal.client, Credential("id_card", scen["people"][0]["certno"]))
    sale = terminal.counter.checkout(patient, order_of(scen), lambda quote: True)
    assert admin.balances() != before
    revoked = terminal.counter.revoke(sale)
    assert revoked.amount("medfee_sumamt") == -sale.figure("medfee_sumamt")
    assert admin.balances() == before


def test_partial_refund_revokes_and_resettles_the_kept_lines(admin, make_terminal):
    scen, loaded = load(admin, "shaanxi-retiree-two-funders")
    terminal = make_terminal(scen)
    patient = identify(terminal.client, Credential("id_card", scen["people"][0]["certno"]))
    sale = terminal.counter.checkout(patient, order_of(scen), lambda quote: True)
    revoked, new = terminal.counter.refund(sale, ["D9004"], lambda quote: True)  # the 64.00 class-C drug
    assert revoked.amount("medfee_sumamt") == D("-532.00")
    assert new.figure("medfee_sumamt") == D("468.00")
    assert new.figure("fulamt_ownpay_amt") == D("0.00")
    assert sum(leg.amount for leg in new.legs) == new.figure("acct_pay") + new.figure("wallet_pay")
    # own 35.20 and the daughter's 180.00 are drained again; the son pays less than before
    assert [(leg.source, leg.rank, leg.amount) for leg in new.legs] == [
        ("own", None, D("35.20")), ("funder", 1, D("180.00")), ("funder", 2, D("9.06"))]
    assert accounts(admin, loaded) == {"wang": "0.00", "daughter": "0.00", "son": "1990.94"}


def test_reply_lost_after_commit_is_reversed_and_the_sale_can_be_retried(admin, make_terminal):
    scen, loaded = load(admin, "shaanxi-retiree-two-funders")
    terminal = make_terminal(scen)
    before = admin.balances()
    patient = identify(terminal.client, Credential("id_card", scen["people"][0]["certno"]))
    admin.arm_fault("2207", "drop_after_commit")
    with pytest.raises(NotSettled):
        terminal.counter.checkout(patient, order_of(scen), lambda quote: True)
    assert admin.balances() == before  # committed, then reversed: exactly as before, never twice
    sale = terminal.counter.checkout(patient, order_of(scen), lambda quote: True)
    assert sale.figure("acct_pay") == D("288.26")
    assert accounts(admin, loaded) == {"wang": "0.00", "daughter": "0.00", "son": "1926.94"}


def test_pharmacy_purchase_as_an_outpatient_visit_with_med_type_41(admin, make_terminal):
    """Where a region runs pharmacy purchases through 2201-2207 (med_type 41), the legs are the same."""
    scen, loaded = load(admin, "expired-rank1-moves-to-rank2")
    terminal = make_terminal(scen)
    patient = identify(terminal.client, Credential("id_card", scen["people"][0]["certno"]))
    sale = terminal.counter.checkout(patient, order_of(scen, "outpatient"), lambda quote: True)
    assert sale.quote.mdtrt_id and sale.setl_id
    assert [(leg.source, leg.rank, leg.amount) for leg in sale.legs] == [("funder", 2, D("114.60"))]
    assert accounts(admin, loaded) == {"mom": "500.00", "grandpa": "4085.40"}


def test_social_security_card_identifies_the_holder(admin, make_terminal):
    scen, loaded = load(admin, "own-account-covers-everything")
    terminal = make_terminal(scen)
    card = Credential("ss_card", loaded["card_sn"]["zhao"], scen["people"][0]["certno"])
    patient = identify(terminal.client, card)
    assert patient.psn_no == loaded["handles"]["zhao"] and patient.mdtrt_cert_type == "03"
    sale = terminal.counter.checkout(patient, order_of(scen), lambda quote: True)
    assert [(leg.source, leg.amount) for leg in sale.legs] == [("own", D("155.80"))]
