"""Numbers and texts at the edges: refused as infcode -1 (HTTP 200) naming the field, never HTTP 500, nothing changes.

Huge numbers once overflowed Decimal's context or 64-bit fen (HTTP 500); Decimal() also reads "1_000" and
Arabic-Indic digits; over-long or NUL-carrying texts broke PostgreSQL inserts. The number and time parsing itself
is tested without an app or a database (tests/simulator_rules/test_input_parsing.py); here, on SQLite, that
its refusals reach the wire and change nothing. Texts stay on both databases (PostgreSQL refuses NUL).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from sim_client import fee_line
from sim_flows import PATIENT_CERT, Sim, druginfo, pharmacy_shop

from tools.worlds import HOSPITAL, PHARMACY, item

CERT = PATIENT_CERT


@pytest.fixture
def shop(sim: Sim) -> dict[str, Any]:
    return pharmacy_shop(sim, "3", "20.00")


def refused(sim: Sim, reply: Any, before: dict[str, Any], code: str, words: str) -> None:
    assert reply.status == 200 and reply.body["infcode"] == -1, reply.body
    assert reply.code == code and words in reply.err, reply.body
    assert sim.snapshot() == before


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # parsing: tests/simulator_rules/test_input_parsing.py
@pytest.mark.parametrize(("raw", "words"), [
    ("1e30", "格式错误"), ("1_000", "格式错误"), ("\u0661\u0662", "格式错误"), ("+60", "格式错误"),
    ("99999999999999999999999999.99", "超出范围"), ("10000000000", "超出范围"), ("60.001", "最多 2 位小数"),
    ("-60.00", "不能为负数"), ([60], "格式错误"), (True, "格式错误"),
])
def test_bad_medfee_sumamt(sim: Sim, shop: dict[str, Any], raw: Any, words: str) -> None:
    before = sim.snapshot()
    buy = shop["buy"]
    buy["druginfo"]["medfee_sumamt"] = raw
    for infno in ("2101", "2102"):
        refused(sim, shop["pc"].call(infno, buy), before, "ERR_BAD_NUMBER", "medfee_sumamt")
        refused(sim, shop["pc"].call(infno, buy), before, "ERR_BAD_NUMBER", words)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # parsing: tests/simulator_rules/test_input_parsing.py
@pytest.mark.parametrize(("field", "raw", "words"), [
    ("pric", "1e25", "格式错误"), ("pric", "99999999999999999999", "超出范围"), ("pric", "1.0000001", "最多 6 位"),
    ("cnt", "0", "大于 0"), ("cnt", "1.00001", "最多 4 位"), ("cnt", "9999999999999", "超出范围"),
    ("det_item_fee_sumamt", "99999999999999999999", "超出范围"),
])
def test_bad_fee_line_numbers(sim: Sim, shop: dict[str, Any], field: str, raw: str, words: str) -> None:
    before = sim.snapshot()
    line = fee_line("1", item("A001", "1", "1.00"))
    line[field] = raw
    reply = shop["pc"].call("2102", druginfo(shop["pat"], CERT, [line], "310", medfee_sumamt="1.00"))
    refused(sim, reply, before, "ERR_BAD_NUMBER", field)
    assert words in reply.err


def test_the_largest_accepted_amount_settles_exactly(sim: Sim, shop: dict[str, Any]) -> None:
    line = fee_line("1", item("C001", "1", "9999999999.99"))
    reply = shop["pc"].call("2102", druginfo(shop["pat"], CERT, [line], "310"))
    # own 20.00, rank 1 50.00, rank 2 1,000.00, the rest in cash
    assert reply.output["setlinfo"]["psn_cash_pay"] == "9999998929.99"
    assert sim.conservation()["ok"]


@pytest.mark.parametrize(("infno", "data", "field"), [
    ("2601", {"psn_no": "6" * 60, "oinfno": "2102"}, "psn_no"),
    ("2601", {"psn_no": "610103\x0000001", "oinfno": "2102"}, "psn_no"),
    ("2601", {"psn_no": "PAT", "omsgid": PHARMACY + "2" * 40, "oinfno": "2102"}, "omsgid"),
    ("2103", {"psn_no": "人" * 40, "setl_id": "1", "mdtrt_id": "2"}, "psn_no"),
    ("5203", {"psn_no": "PAT", "setl_id": "\x00", "mdtrt_id": "2"}, "setl_id"),
])
def test_long_or_control_texts_are_refused(sim: Sim, shop: dict[str, Any], infno: str, data: dict[str, Any],
                                           field: str) -> None:
    pc = shop["pc"]
    data = {"omsgid": pc.next_msgid(), **data}
    data = {k: (shop["pat"] if v == "PAT" else v) for k, v in data.items()}
    before = sim.snapshot()
    refused(sim, pc.call(infno, {"data": data}), before, "ERR_BAD_FIELD", field)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # parsing: tests/simulator_rules/test_input_parsing.py
@pytest.mark.parametrize("begntime", ["2026-01-01 09:00:00.123456", "yesterday", "2026-13-01 09:00:00"])
def test_a_malformed_begntime_is_refused(sim: Sim, shop: dict[str, Any], begntime: str) -> None:
    before = sim.snapshot()
    buy = shop["buy"]
    buy["druginfo"]["begntime"] = begntime
    refused(sim, shop["pc"].call("2102", buy), before, "ERR_BAD_FIELD", "begntime")
    hospital = sim.client(HOSPITAL)
    hospital.insuplc = "610103"
    reply = hospital.call("2201", {"data": {"psn_no": shop["pat"], "insutype": "310", "begntime": begntime,
                                            "mdtrt_cert_type": CERT[0], "mdtrt_cert_no": CERT[1],
                                            "ipt_otp_no": "OP1"}})
    refused(sim, reply, sim.snapshot(), "ERR_BAD_FIELD", "begntime")
    assert sim.snapshot()["balances"] == before["balances"]


def test_an_over_long_operator_is_refused_at_the_envelope(sim: Sim, shop: dict[str, Any]) -> None:
    before = sim.snapshot()
    reply = shop["pc"].call("9001", {"signIn": {"opter_no": "1"}}, opter="收" * 51)
    refused(sim, reply, before, "ERR_BAD_FIELD", "opter")


def test_exp_content_as_a_json_string_with_numeric_amounts(sim: Sim, shop: dict[str, Any]) -> None:
    """A JSON-string exp_content is read like the envelope: numbers as Decimal, so 20.00 is fine."""
    buy = shop["buy"]
    plan = {"payplan": [{"source": "own", "amount": Decimal("20.00")}, {"source": "funder", "rank": 1,
                                                                         "amount": Decimal("40.00")}]}
    buy["druginfo"]["exp_content"] = json.dumps(plan, default=str).replace('"20.00"', "20.00").replace(
        '"40.00"', "40.00")
    assert '"amount": 20.00' in buy["druginfo"]["exp_content"]
    reply = shop["pc"].call("2102", buy)
    assert [(leg["source"], leg["amount"]) for leg in reply.output["payleg"]] == [("own", "20.00"),
                                                                                  ("funder", "40.00")]
