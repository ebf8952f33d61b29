"""The billing desk's outpatient visit step by step through the plugin (checkout/visit.py) against the real
simulator over HTTP: register with the desk's department, doctor and diagnoses, two fee batches across a till
restart, delete a batch, pre-settle, settle the confirmed quote (the pre-settlement is the settlement), revoke,
cancel; every refusal from the visit book with the platform's code, changing nothing; a lost 2207 reversed as in
the one-call checkout; a crash after the 2207 reply booked by recovery; a settlement whose automatic revoke failed
standing in the book; a refused 2203 or 2206 closing the visit; the one-call checkout on these steps."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
import requests
from click.testing import CliRunner
from e2e_world import scenario
from test_counter_failure_paths import LegsAltered, Spy, counter_over, visit_is_open

from pos_plugin.checkout.identify import Credential, identify
from pos_plugin.checkout.requests_build import Diagnosis, VisitDetails
from pos_plugin.checkout.sale import Order, Quote, SaleCancelled
from pos_plugin.cli import main
from pos_plugin.domain.cart import cart_line_from_mapping
from pos_plugin.errors import (
    AlreadySettled,
    BusinessError,
    IdentityMismatch,
    InputError,
    NoFeeLines,
    NotSettled,
    PlanMismatch,
    SettlementUnknown,
    VisitCancelled,
    VisitHasSettlement,
    VisitUnknown,
)

SCEN = scenario("shaanxi-retiree-two-funders")
LINES = tuple(cart_line_from_mapping(line) for line in SCEN["checkout"]["lines"])
WANG, DAUGHTER = SCEN["people"][0]["certno"], SCEN["people"][1]["certno"]
DESK = VisitDetails("A03.01", "心血管内科", "D021", "李主任", "A03", (Diagnosis("I10", "原发性高血压"),))
EXTRA_LINE = {"code": "F0001", "name": "复诊诊查费", "class": "A", "qty": "1", "price": "20.00"}
EXTRA = (cart_line_from_mapping(EXTRA_LINE),)


@pytest.fixture
def desk(admin, make_terminal):
    loaded = admin.load_world(SCEN)
    return loaded, make_terminal


def patient_of(terminal, certno: str = WANG):
    return identify(terminal.client, Credential("id_card", certno), business_type="01101")


def accounts(admin, loaded) -> dict[str, Decimal]:
    held = admin.balances()["accounts"]
    return {who: held[loaded["handles"][who]] for who in ("wang", "daughter", "son")}


def registered_and_billed(make_terminal) -> str:
    """Register and upload batch 1 on one till, close it; batch 2 on a fresh till (the visit is in the book)."""
    first = make_terminal(SCEN)
    visit = first.visit_desk.register(patient_of(first), DESK)
    fees = first.visit_desk.add_fees(visit.mdtrt_id, LINES[:2])
    assert [(f.batch, f.feedetl_sn, f.split["inscp_scp_amt"]) for f in fees] == \
        [("0001", "0001", "120.00"), ("0001", "0002", "232.20")]
    first.close()
    second = make_terminal(SCEN)
    fees = second.visit_desk.add_fees(visit.mdtrt_id, LINES[2:])
    assert [(f.batch, f.feedetl_sn, f.split["overlmt_amt"]) for f in fees] == \
        [("0002", "0003", "14.00"), ("0002", "0004", "0.00")]
    return visit.mdtrt_id


def test_a_visit_step_by_step_across_a_restart_presettled_settled_revoked_and_cancelled(desk, admin, sim_url):
    loaded, make_terminal = desk
    mdtrt_id = registered_and_billed(make_terminal)
    till = make_terminal(SCEN)
    extra = till.visit_desk.add_fees(mdtrt_id, EXTRA)  # a third batch ordered in error, deleted again
    assert extra[0].batch == "0003" and till.visit_desk.delete_fees(mdtrt_id, "0003") == 1
    assert [f.batch for f in till.visit_desk.fees(mdtrt_id, with_deleted=True) if f.deleted] == ["0003"]
    quote = till.visit_desk.quote(mdtrt_id, patient_of(till))
    expect = SCEN["expect"]["setlinfo"]
    assert {name: f"{quote.figure(name):f}" for name in expect} == expect
    seen: list[Quote] = []
    booked = till.visit_desk.checkout(mdtrt_id, patient_of(till), lambda q: seen.append(q) or True)
    assert {name: f"{booked.sale.figure(name):f}" for name in expect} == expect  # the pre-settlement, settled
    assert [(leg.source, leg.rank, f"{leg.amount:f}") for leg in seen[0].plan.legs] == \
        [("own", None, "35.20"), ("funder", 1, "180.00"), ("funder", 2, "73.06")]
    assert accounts(admin, loaded) == {"wang": Decimal("0.00"), "daughter": Decimal("0.00"), "son": Decimal("1926.94")}
    assert till.visit_desk.current(mdtrt_id).setl_id == booked.sale_id and booked.sale_id in till.till.receipt(booked.sale_id)
    registered = [e["request"]["input"]["data"] for e in _journal(sim_url) if e["infno"] == "2201"]
    assert [(r["dept_code"], r["atddr_no"], r["dr_name"], r["caty"]) for r in registered] == \
        [("A03.01", "D021", "李主任", "A03")]
    revoked = till.visit_desk.revoke(mdtrt_id)
    assert revoked.sale_id == booked.sale_id and till.visit_desk.current(mdtrt_id).state == "registered"
    assert accounts(admin, loaded) == {"wang": Decimal("35.20"), "daughter": Decimal("180.00"),
                                       "son": Decimal("2000.00")}
    with pytest.raises(SettlementUnknown):
        till.visit_desk.revoke(mdtrt_id)
    assert till.visit_desk.cancel(mdtrt_id).state == "cancelled"
    assert till.visit_desk.fees(mdtrt_id) == []
    for refused in (lambda: till.visit_desk.add_fees(mdtrt_id, EXTRA), lambda: till.visit_desk.cancel(mdtrt_id),
                    lambda: till.visit_desk.quote(mdtrt_id, patient_of(till)),
                    lambda: till.visit_desk.revoke(mdtrt_id)):
        with pytest.raises(VisitCancelled):
            refused()


def test_a_settled_visit_refuses_fees_deletes_a_cancel_and_a_second_settlement(desk, admin, sim_url):
    loaded, make_terminal = desk
    mdtrt_id = registered_and_billed(make_terminal)
    till = make_terminal(SCEN)
    till.visit_desk.checkout(mdtrt_id, patient_of(till), lambda q: True)
    before, sent = admin.balances(), _visit_requests(sim_url)
    for step, error in ((lambda: till.visit_desk.add_fees(mdtrt_id, EXTRA), VisitHasSettlement),
                        (lambda: till.visit_desk.delete_fees(mdtrt_id, "0001"), VisitHasSettlement),
                        (lambda: till.visit_desk.cancel(mdtrt_id), VisitHasSettlement),
                        (lambda: till.visit_desk.quote(mdtrt_id, patient_of(till)), AlreadySettled),
                        (lambda: till.visit_desk.checkout(mdtrt_id, patient_of(till), lambda q: True), AlreadySettled)):
        with pytest.raises(error) as info:
            step()
        assert info.value.code == error.code and mdtrt_id in info.value.message
    assert admin.balances() == before
    assert _visit_requests(sim_url) == sent  # refused from the visit book: no 22xx request was sent
    assert [f.batch for f in till.visit_desk.fees(mdtrt_id)] == ["0001", "0001", "0002", "0002"]


def test_refusals_of_an_open_visit_change_nothing(desk, admin):
    loaded, make_terminal = desk
    till = make_terminal(SCEN)
    with pytest.raises(VisitUnknown) as unknown:
        till.visit_desk.add_fees("NOSUCH", EXTRA)
    assert unknown.value.code == "ERR_VISIT_UNKNOWN"
    visit = till.visit_desk.register(patient_of(till), DESK)
    with pytest.raises(NoFeeLines):
        till.visit_desk.quote(visit.mdtrt_id, patient_of(till))
    with pytest.raises(IdentityMismatch):
        till.visit_desk.quote(visit.mdtrt_id, patient_of(till, DAUGHTER))
    goods = cart_line_from_mapping({"code": "G1", "name": "保温杯", "price": "30.00", "insurable": False})
    for bad in ((), (goods,)):
        with pytest.raises(InputError):
            till.visit_desk.add_fees(visit.mdtrt_id, bad)
    with pytest.raises(InputError, match="0009"):
        till.visit_desk.delete_fees(visit.mdtrt_id, "0009")
    with pytest.raises(SettlementUnknown):
        till.visit_desk.revoke(visit.mdtrt_id)
    with pytest.raises(SaleCancelled):
        till.visit_desk.add_fees(visit.mdtrt_id, LINES)
        till.visit_desk.checkout(visit.mdtrt_id, patient_of(till), lambda q: False)
    assert till.visit_desk.current(visit.mdtrt_id).state == "registered"  # declined: still open, nothing moved
    assert accounts(admin, loaded) == {"wang": Decimal("35.20"), "daughter": Decimal("180.00"),
                                       "son": Decimal("2000.00")}


def test_a_lost_2207_is_reversed_and_the_visit_settles_again(desk, admin):
    loaded, make_terminal = desk
    mdtrt_id = registered_and_billed(make_terminal)
    till = make_terminal(SCEN)
    before = admin.balances()
    admin.arm_fault("2207", "drop_after_commit")
    with pytest.raises(NotSettled):
        till.visit_desk.checkout(mdtrt_id, patient_of(till), lambda q: True)
    assert admin.balances() == before and till.visit_desk.current(mdtrt_id).state == "registered"
    booked = till.visit_desk.checkout(mdtrt_id, patient_of(till), lambda q: True)
    assert f"{booked.sale.figure('acct_pay'):f}" == "288.26"


def test_a_crash_after_the_2207_reply_is_booked_by_recover_and_the_visit_is_settled(desk, admin):
    loaded, make_terminal = desk
    mdtrt_id = registered_and_billed(make_terminal)
    till = make_terminal(SCEN)
    quote = till.visit_desk.quote(mdtrt_id, patient_of(till))
    till.counter.settle(quote)  # answered and journaled; the till "dies" before booking
    till.close()
    after = make_terminal(SCEN)
    recovered = after.till.recover()
    assert [record.mdtrt_id for record in recovered.booked] == [mdtrt_id]
    visit = after.visit_desk.current(mdtrt_id)
    assert visit.state == "settled" and visit.setl_id == recovered.booked[0].setl_id
    with pytest.raises(AlreadySettled):
        after.visit_desk.quote(mdtrt_id, patient_of(after))


def test_the_one_call_checkout_is_the_steps_in_one_call(desk, admin):
    loaded, make_terminal = desk
    till = make_terminal(SCEN)
    order = Order(LINES, "outpatient", "11", visit=DESK)
    with pytest.raises(SaleCancelled):
        till.till.checkout(patient_of(till), order, lambda q: False)
    booked = till.till.checkout(patient_of(till), order, lambda q: True)
    assert f"{booked.sale.figure('acct_mulaid_pay'):f}" == "253.06"
    assert [(v.state, v.setl_id) for v in till.visit_desk.all()] == [("cancelled", None), ("settled", booked.sale_id)]
    assert [f.batch for f in till.visit_desk.fees(booked.sale.quote.mdtrt_id)] == ["0001"] * 4
    till.till.revoke(booked.sale_id)  # revoked by its setl_id: the visit book follows
    assert till.visit_desk.current(booked.sale.quote.mdtrt_id).state == "registered"


def _visit_requests(sim_url: str) -> int:
    return sum(e["infno"].startswith("22") for e in _journal(sim_url))


def _journal(sim_url: str) -> list[dict]:
    return requests.get(f"{sim_url}/console/api/journal", params={"institution": SCEN["institution"]["code"]},
                        timeout=10).json()["entries"]


def test_a_visit_by_hand_with_the_cli(desk, admin, sim_url, tmp_path):
    loaded, _ = desk
    inst = SCEN["institution"]
    env = {"YIBAO_PLATFORM": sim_url, "YIBAO_INSTITUTION": inst["code"], "YIBAO_INSTITUTION_NAME": inst["name"],
           "YIBAO_ADMDVS": inst["admdvs"], "YIBAO_POLICY": SCEN["policy"], "YIBAO_STATE_DIR": str(tmp_path / "var")}

    def run(*args: str, code: int = 0) -> str:
        result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result.output

    registered = json.loads(run("visit", "register", "--code", WANG, "--dept-code", "A03.01", "--dept-name", "心血管内科",
                                "--doctor-code", "D021", "--doctor-name", "李主任", "--caty", "A03", "--diagnosis",
                                "I10=原发性高血压", "--json"))
    mdtrt_id = registered["mdtrt_id"]
    assert (registered["state"], registered["diagnoses"]) == ("registered", [{"code": "I10", "name": "原发性高血压"}])
    for index, part in enumerate((SCEN["checkout"]["lines"][:2], SCEN["checkout"]["lines"][2:], [EXTRA_LINE])):
        path = tmp_path / f"batch{index + 1}.json"
        path.write_text(json.dumps({"lines": part}, ensure_ascii=False), encoding="utf-8")
        added = json.loads(run("visit", "fees", mdtrt_id, "--file", str(path), "--json"))
        assert added["batch"] == f"{index + 1:04d}" and len(added["fees"]) == len(part)
    assert "已删除 1 条费用" in run("visit", "delete", mdtrt_id, "0003")
    quoted = json.loads(run("visit", "presettle", mdtrt_id, "--code", WANG, "--json"))
    assert "统筹基金支付" in run("visit", "presettle", mdtrt_id, "--code", WANG)
    settled = json.loads(run("visit", "settle", mdtrt_id, "--code", WANG, "--yes", "--json"))
    assert settled["setlinfo"] == quoted["figures"] and settled["setlinfo"]["hifp_pay"] == "243.74"
    assert [leg["amount"] for leg in settled["legs"]] == [leg["amount"] for leg in quoted["legs"]]
    refused = CliRunner().invoke(main, ["visit", "fees", mdtrt_id, "--file", str(tmp_path / "batch3.json")], env=env)
    assert refused.exit_code == 2 and "ERR_VISIT_HAS_SETTLEMENT" in refused.output
    assert "ERR_ALREADY_SETTLED" in run("visit", "settle", mdtrt_id, "--code", WANG, "--yes", code=2)
    assert "ERR_VISIT_HAS_SETTLEMENT" in run("visit", "cancel", mdtrt_id, code=2)
    assert f"已撤销门诊结算 {settled['setl_id']}" in run("visit", "revoke", mdtrt_id)
    assert accounts(admin, loaded) == {"wang": Decimal("35.20"), "daughter": Decimal("180.00"),
                                       "son": Decimal("2000.00")}
    shown = json.loads(run("visit", "show", mdtrt_id, "--json"))
    assert (shown["state"], [f["deleted"] for f in shown["fees"]]) == ("registered", [False] * 4 + [True])
    assert "已撤销挂号" in run("visit", "cancel", mdtrt_id)
    listed = json.loads(run("visit", "list", "--json"))
    assert [(v["mdtrt_id"], v["state"]) for v in listed] == [(mdtrt_id, "cancelled")]
    assert "ERR_VISIT_UNKNOWN" in run("visit", "show", "NOSUCH", code=2)


def test_a_settlement_whose_automatic_revoke_failed_stands_in_the_visit_book_and_is_revoked_from_it(desk, admin):
    loaded, make_terminal = desk
    mdtrt_id = registered_and_billed(make_terminal)
    till = make_terminal(SCEN)
    before = admin.balances()
    altered = LegsAltered(till.client, on_settled=lambda: admin.arm_fault("2208", "error", message="撤销服务暂停"))
    till.till.counter = counter_over(till, altered)  # the platform reports other legs than it settled
    with pytest.raises(PlanMismatch) as info:
        till.visit_desk.checkout(mdtrt_id, patient_of(till), lambda q: True)
    standing = info.value.details["sale"].setl_id
    assert till.visit_desk.current(mdtrt_id).setl_id == standing and "仍然有效" in info.value.message
    with pytest.raises(VisitHasSettlement):
        till.visit_desk.add_fees(mdtrt_id, EXTRA)
    admin.clear_faults()
    assert till.visit_desk.revoke(mdtrt_id).sale_id == standing
    assert admin.balances() == before


def test_a_refused_2203_cancels_the_registration_and_books_nothing(desk, admin):
    loaded, make_terminal = desk
    till = make_terminal(SCEN)
    spy = Spy(till.client)
    till.till.counter = counter_over(till, spy)
    admin.arm_fault("2203", "error", message="诊断服务暂停（测试）")
    with pytest.raises(BusinessError, match="诊断服务暂停"):
        till.visit_desk.register(patient_of(till), DESK)
    assert till.visit_desk.all() == []
    assert not visit_is_open(till, spy.visits[0].psn_no, SCEN["people"][0]["insuplc"], spy.visits[0].mdtrt_id)


def test_a_one_call_checkout_whose_presettlement_is_refused_cancels_its_visit(desk, admin):
    loaded, make_terminal = desk
    till = make_terminal(SCEN)
    admin.arm_fault("2206", "error", message="预结算服务繁忙（测试）")
    with pytest.raises(BusinessError, match="预结算服务繁忙"):
        till.till.checkout(patient_of(till), Order(LINES, "outpatient", "11", visit=DESK), lambda q: True)
    [visit] = till.visit_desk.all()
    assert visit.state == "cancelled" and till.visit_desk.fees(visit.mdtrt_id) == []
    assert not visit_is_open(till, visit.psn_no, visit.insuplc, visit.mdtrt_id)
