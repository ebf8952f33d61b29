"""The billing desk's inpatient stay through the plugin (checkout/stay.py) against the real simulator over HTTP:
admit, two days of fee batches across till restarts, discharge, the confirmed split and chain, settle, the
出院结算单, revoke; a lost 2304 reversed like a lost 2102; a crash after the 2304 reply booked by `recover`;
day-end reconciliation of clr_type 21; and the same stay by hand with the CLI."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from e2e_world import scenario

from pos_plugin import dayend
from pos_plugin.checkout.identify import Credential, identify
from pos_plugin.checkout.sale import Order
from pos_plugin.checkout.stay import StayQuote, Ward
from pos_plugin.cli import main
from pos_plugin.domain.cart import cart_line_from_mapping
from pos_plugin.errors import AlreadySettled, InputError, NotSettled

ROOT = Path(__file__).resolve().parents[2]
STAY = json.loads((ROOT / "fixtures/scenarios/shaanxi-retiree-first-stay.json").read_text(encoding="utf-8"))
CHECKOUT = STAY["checkout"]
ADMISSION = CHECKOUT["admission"]
WARD = Ward(ADMISSION["ipt_no"], ADMISSION["dept_code"], ADMISSION["dept_name"], ADMISSION["bed"],
            ADMISSION["doctor_code"], ADMISSION["doctor_name"], ADMISSION["diagnosis_code"], ADMISSION["diagnosis_name"])
WANG = STAY["people"][0]["certno"]


def at(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S")


def batch(index: int) -> tuple[date, tuple[Any, ...]]:
    raw = CHECKOUT["batches"][index]
    return date.fromisoformat(raw["day"]), tuple(cart_line_from_mapping(line) for line in raw["lines"])


@pytest.fixture
def ward(admin, make_terminal):
    loaded = admin.load_world(STAY)
    return loaded, make_terminal


def patient_of(terminal):
    return identify(terminal.client, Credential("id_card", WANG), business_type="01101")


def admitted_and_billed(make_terminal) -> str:
    """Admit and upload day 1 on one till, close it; day 2 on a fresh till (the stay is in the stay book)."""
    first = make_terminal(STAY)
    stay = first.desk.admit(patient_of(first), WARD, begntime=at(ADMISSION["begntime"]))
    day, lines = batch(0)
    fees = first.desk.add_fees(stay.mdtrt_id, lines, day=day)
    assert [(f.feedetl_sn, f.split["preselfpay_amt"], f.split["inscp_scp_amt"]) for f in fees] == \
        [("00001", "0.00", "180.00"), ("00002", "70.00", "630.00"), ("00003", "0.00", "0.00")]
    first.close()
    second = make_terminal(STAY, name="T1")
    day, lines = batch(1)
    fees = second.desk.add_fees(stay.mdtrt_id, lines, day=day)
    assert [(f.feedetl_sn, f.split["overlmt_amt"]) for f in fees] == [("00004", "100.00"), ("00005", "0.00")]
    second.desk.discharge(stay.mdtrt_id, endtime=at(CHECKOUT["discharge"]["endtime"]))
    return stay.mdtrt_id


def test_a_stay_admitted_billed_over_two_days_discharged_settled_and_revoked(ward, admin):
    loaded, make_terminal = ward
    mdtrt_id = admitted_and_billed(make_terminal)
    till = make_terminal(STAY, name="T1")
    seen: list[StayQuote] = []
    done = till.desk.checkout(mdtrt_id, patient_of(till), lambda quote: seen.append(quote) or True)
    expect = STAY["expect"]["setlinfo"]
    assert {name: f"{done.settlement.amount(name):f}" for name in expect} == expect
    assert [(leg.source, leg.rank, f"{leg.amount:f}") for leg in seen[0].plan.legs] == \
        [("own", None, "800.00"), ("funder", 1, "443.70")]
    for words in ("出院结算单", "入院: 2026-03-02 09:00:00", "出院: 2026-03-06 10:00:00", "住院 4 天",
                  "2026-03-02 费用", "1280.00", "统筹基金支付", "1756.30", "共济账户(第一顺位 王*)", "443.70"):
        assert words in done.receipt, words
    accounts = admin.balances()["accounts"]
    assert [accounts[loaded["handles"][who]] for who in ("wang", "daughter")] == [Decimal("0.00"), Decimal("556.30")]
    assert till.desk.receipt(mdtrt_id) == done.receipt
    with pytest.raises(InputError):
        till.desk.add_fees(mdtrt_id, batch(0)[1], day=date(2026, 3, 5))  # settled: the desk says so first
    revoked = till.desk.revoke(mdtrt_id)
    assert f"{revoked.amount('fund_pay_sumamt'):f}" == "-1756.30"
    accounts = admin.balances()["accounts"]
    assert [accounts[loaded["handles"][who]] for who in ("wang", "daughter")] == [Decimal("800.00"), Decimal("1000.00")]
    assert "已撤销" in till.desk.receipt(mdtrt_id)
    again = till.desk.checkout(mdtrt_id, patient_of(till), lambda quote: True)  # settled anew after the revoke
    assert f"{again.settlement.amount('hifp_pay'):f}" == "1756.30"


def test_a_lost_2304_is_reversed_and_the_stay_settles_again(ward, admin):
    loaded, make_terminal = ward
    mdtrt_id = admitted_and_billed(make_terminal)
    till = make_terminal(STAY, name="T1")
    before = admin.balances()
    admin.arm_fault("2304", "drop_after_commit")
    with pytest.raises(NotSettled):
        till.desk.checkout(mdtrt_id, patient_of(till), lambda quote: True)
    assert admin.balances() == before and till.stays.get(mdtrt_id).state == "discharged"
    done = till.desk.checkout(mdtrt_id, patient_of(till), lambda quote: True)
    assert f"{done.settlement.amount('acct_pay'):f}" == "1243.70"


def test_a_balance_that_moved_after_identify_is_planned_not_refused(ward, admin):
    """The patient identified before the discharge, her own account topped up since: the 2303 reads the new
    balance, so the desk plans again from a fresh 1101 (as a sale's quote does) instead of ERR_PLAN_MISMATCH."""
    loaded, make_terminal = ward
    mdtrt_id = admitted_and_billed(make_terminal)
    till = make_terminal(STAY, name="T1")
    patient = patient_of(till)  # own account 800.00 at this moment
    admin._call("POST", "/admin/topup", {"target": "account", "psn_no": loaded["handles"]["wang"], "amount": "100.00"})
    done = till.desk.checkout(mdtrt_id, patient, lambda quote: True)
    assert [(leg.source, leg.rank, f"{leg.amount:f}") for leg in done.legs] == \
        [("own", None, "900.00"), ("funder", 1, "343.70")]


def test_a_crash_after_the_2304_reply_is_booked_by_recover(ward, admin, tmp_path):
    loaded, make_terminal = ward
    mdtrt_id = admitted_and_billed(make_terminal)
    till = make_terminal(STAY, name="T1")
    quote = till.desk.quote(mdtrt_id, patient_of(till))
    data = till.desk._settle_data(quote.stay, quote.patient, quote.choices)
    till.client.inpatient_settle(data, insuplc=quote.stay.insuplc, presettle=quote.presettle,
                                 payplan=quote.plan.legs)  # answered and journaled; the till "dies" before booking
    till.close()
    after = make_terminal(STAY, name="T1")
    assert after.stays.get(mdtrt_id).state == "discharged"
    booked = after.desk.book_from_journal()
    assert [record.mdtrt_id for record in booked] == [mdtrt_id]
    assert after.stays.get(mdtrt_id).state == "settled" and "1243.70" in after.desk.receipt(mdtrt_id)
    assert after.desk.book_from_journal() == []  # booked once


@pytest.mark.parametrize("step", ["settle", "cancel_discharge"])
def test_a_crash_after_the_2304_reply_is_booked_by_the_next_step_not_settled_again(ward, admin, step):
    """kill -9 after the 2304 reply was journaled, before the stay book heard, and no `recover` since (the soak's
    reply_recorded): the next settle or cancelled discharge of the stay books the journal's settlement with its
    出院结算单 and is refused before anything is sent — the platform holds the stay settled once."""
    loaded, make_terminal = ward
    mdtrt_id = admitted_and_billed(make_terminal)
    till = make_terminal(STAY, name="T1")
    quote = till.desk.quote(mdtrt_id, patient_of(till))
    data = till.desk._settle_data(quote.stay, quote.patient, quote.choices)
    settled = till.client.inpatient_settle(data, insuplc=quote.stay.insuplc, presettle=quote.presettle,
                                           payplan=quote.plan.legs)  # the till "dies" before booking
    till.close()
    after = make_terminal(STAY, name="T1")
    before = admin.balances()
    with pytest.raises(AlreadySettled) as refused:
        if step == "settle":
            after.desk.checkout(mdtrt_id, patient_of(after), lambda quote: True)
        else:
            after.desk.cancel_discharge(mdtrt_id)
    assert settled.setl_id in refused.value.message
    assert admin.balances() == before
    stay = after.stays.get(mdtrt_id)
    assert (stay.state, stay.setl_id) == ("settled", settled.setl_id) and "1243.70" in after.desk.receipt(mdtrt_id)
    assert after.desk.book_from_journal() == []  # booked once


def test_a_crash_after_the_2305_reply_is_unsettled_by_recover(ward, admin):
    """kill -9 after the stay revoke's reply was journaled, before the stay book heard (the soak's reply_recorded):
    recover discharges and unsettles the stay again, as a revoke does, so it can be settled anew."""
    loaded, make_terminal = ward
    mdtrt_id = admitted_and_billed(make_terminal)
    till = make_terminal(STAY, name="T1")
    done = till.desk.checkout(mdtrt_id, patient_of(till), lambda quote: True)
    stay = till.stays.get(mdtrt_id)
    till.client.inpatient_revoke(setl_id=done.settlement.setl_id, mdtrt_id=mdtrt_id, psn_no=stay.psn_no,
                                 insuplc=stay.insuplc)  # answered and journaled; the till "dies" before booking
    till.close()
    after = make_terminal(STAY, name="T1")
    assert after.stays.get(mdtrt_id).state == "settled"
    assert after.desk.book_from_journal() == []
    assert after.stays.get(mdtrt_id).state == "discharged" and after.stays.get(mdtrt_id).setl_id is None
    again = after.desk.checkout(mdtrt_id, patient_of(after), lambda quote: True)
    assert f"{again.settlement.amount('acct_pay'):f}" == "1243.70"


def test_day_end_reconciles_the_stay_as_clr_type_21(ward, admin):
    loaded, make_terminal = ward
    mdtrt_id = admitted_and_billed(make_terminal)
    till = make_terminal(STAY, name="T1")
    till.desk.checkout(mdtrt_id, patient_of(till), lambda quote: True)
    report = dayend.reconcile(till.client, till.journal, date(2026, 3, 6), date(2026, 3, 6), refd_setl_flag="0")
    assert report.balanced and "21" in dayend.render_report(report)


def test_a_stay_by_hand_with_the_cli(ward, admin, sim_url, tmp_path):
    loaded, _ = ward
    inst = STAY["institution"]
    env = {"YIBAO_PLATFORM": sim_url, "YIBAO_INSTITUTION": inst["code"], "YIBAO_INSTITUTION_NAME": inst["name"],
           "YIBAO_ADMDVS": inst["admdvs"], "YIBAO_POLICY": STAY["policy"], "YIBAO_STATE_DIR": str(tmp_path / "var")}

    def run(*args: str) -> Any:
        result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    admitted = json.loads(run("stay", "admit", "--code", WANG, "--ipt-no", ADMISSION["ipt_no"], "--dept-code",
                              ADMISSION["dept_code"], "--dept-name", ADMISSION["dept_name"], "--bed", "15",
                              "--begntime", ADMISSION["begntime"], "--json"))
    mdtrt_id = admitted["mdtrt_id"]
    for index, raw in enumerate(CHECKOUT["batches"]):
        path = tmp_path / f"day{index + 1}.json"
        path.write_text(json.dumps({"lines": raw["lines"]}, ensure_ascii=False), encoding="utf-8")
        assert "已上传" in run("stay", "fees", mdtrt_id, "--file", str(path), "--day", raw["day"])
    run("stay", "discharge", mdtrt_id, "--endtime", CHECKOUT["discharge"]["endtime"])
    settled = json.loads(run("stay", "settle", mdtrt_id, "--code", WANG, "--yes", "--json"))
    assert settled["setlinfo"]["hifp_pay"] == "1756.30" and settled["cash_due"] == "0.00"
    assert "出院结算单" in run("stay", "receipt", mdtrt_id)
    assert "已撤销住院结算" in run("stay", "revoke", mdtrt_id)
    listed = json.loads(run("stay", "list", "--json"))
    assert [(s["mdtrt_id"], s["state"]) for s in listed] == [(mdtrt_id, "discharged")]
    refused = CliRunner().invoke(main, ["stay", "fees", mdtrt_id, "--file", str(tmp_path / "day1.json")], env=env)
    assert refused.exit_code == 2 and "ERR_INPUT" in refused.output


def pharmacy_sale(admin, make_terminal):
    """A pharmacy's sale on a freshly loaded pharmacy world: its till and the sale."""
    shop = scenario("own-account-covers-everything")
    admin.load_world(shop)
    pharmacy = make_terminal(shop)
    buyer = identify(pharmacy.client, Credential("id_card", shop["people"][0]["certno"]))
    sale = pharmacy.till.checkout(buyer, Order(tuple(cart_line_from_mapping(line) for line in shop["checkout"]["lines"])),
                                  confirm=lambda quote: True)
    return pharmacy, sale


def test_a_setl_id_the_platform_gives_again_is_revoked_and_an_answered_revoke_still_stops_a_second(admin,
                                                                                                   make_terminal):
    """One state directory holds the journals of every institution the machine's tills settle for, and a reset
    simulator hands out a setl_id again. A pharmacy's revoked sale under the same id used to stop the hospital's
    stay revoke (400 ERR_INPUT 结算 … 已撤销, the README's curl stay in the suite); only this institution's revoke
    sent after the settlement counts."""
    pharmacy, sale = pharmacy_sale(admin, make_terminal)
    pharmacy.till.revoke(sale.sale_id)
    admin.reset()  # the platform starts its ids again
    admin.load_world(STAY)
    mdtrt_id = admitted_and_billed(make_terminal)
    till = make_terminal(STAY, name="T1")
    done = till.desk.checkout(mdtrt_id, patient_of(till), lambda quote: True)
    assert done.settlement.setl_id == sale.sale_id  # the same id as the pharmacy's revoked sale
    assert f"{till.desk.revoke(mdtrt_id).amount('fund_pay_sumamt'):f}" == "-1756.30"
    # The stay book lost the revoke (a crash before booking it): the journal's answered 2305 stops a second one.
    till.stays.set_state(mdtrt_id, "settled", endtime=done.stay.endtime, setl_id=done.settlement.setl_id)
    with pytest.raises(InputError, match="已撤销"):
        till.desk.revoke(mdtrt_id)
    assert till.stays.get(mdtrt_id).state == "discharged"


def test_a_sale_under_a_setl_id_a_revoked_stay_had_is_revoked(admin, make_terminal):
    """The same rule on the sale's side: a hospital's revoked stay under a setl_id the reset platform gives again
    to a pharmacy's sale does not stop the sale's revoke (Till.revoke asks the journal for this institution's
    revokes only)."""
    admin.load_world(STAY)
    mdtrt_id = admitted_and_billed(make_terminal)
    till = make_terminal(STAY, name="T1")
    done = till.desk.checkout(mdtrt_id, patient_of(till), lambda quote: True)
    till.desk.revoke(mdtrt_id)
    admin.reset()  # the platform starts its ids again
    pharmacy, sale = pharmacy_sale(admin, make_terminal)
    assert sale.sale_id == done.settlement.setl_id  # the same id as the hospital's revoked stay
    assert pharmacy.till.revoke(sale.sale_id) is not None
    with pytest.raises(InputError, match="已撤销"):  # this institution's answered revoke still stops a second
        pharmacy.till.revoke(sale.sale_id)
