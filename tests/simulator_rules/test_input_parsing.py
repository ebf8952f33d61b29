"""The simulator's input parsing on its own (simulator/protocol/inputs.py, the payplan parser): every
malformed number, text, time and body the HTTP tests send, checked without an app or a database. The HTTP
tests (tests/simulator/test_sim_input_limits.py, test_sim_edges.py) show the same refusals reach the wire
and change nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from simulator.domain.payplan import parse_exp_content
from simulator.domain.refusals import (
    BadExpContent,
    BadField,
    BadJson,
    BadNumber,
    BadPayplan,
    LineAmount,
    MissingField,
)
from simulator.protocol import inputs


@pytest.mark.parametrize(("raw", "words"), [
    ("1e30", "格式错误"), ("1_000", "格式错误"), ("\u0661\u0662", "格式错误"), ("+60", "格式错误"),
    ("99999999999999999999999999.99", "超出范围"), ("10000000000", "超出范围"), ("60.001", "最多 2 位小数"),
    ("-60.00", "不能为负数"), ([60], "格式错误"), (True, "格式错误"),
])
def test_a_bad_amount_is_refused_naming_the_field(raw: Any, words: str) -> None:
    with pytest.raises(BadNumber) as refused:
        inputs.amount({"medfee_sumamt": raw}, "medfee_sumamt", "druginfo")
    assert "druginfo.medfee_sumamt" in refused.value.message and words in refused.value.message


def test_amounts_that_are_fine() -> None:
    assert inputs.amount({"a": "9999999999.99"}, "a", "x") == Decimal("9999999999.99")
    assert inputs.amount({"a": Decimal("20.00")}, "a", "x") == Decimal("20.00")
    with pytest.raises(MissingField):
        inputs.amount({"a": ""}, "a", "x")


def line(**changes: str) -> dict[str, str]:
    return {"feedetl_sn": "1", "med_list_codg": "A001", "det_item_fee_sumamt": "2.00", "cnt": "2", "pric": "1.00",
            **changes}


@pytest.mark.parametrize(("field", "raw", "words"), [
    ("pric", "1e25", "格式错误"), ("pric", "99999999999999999999", "超出范围"), ("pric", "1.0000001", "最多 6 位"),
    ("cnt", "0", "大于 0"), ("cnt", "1.00001", "最多 4 位"), ("cnt", "9999999999999", "超出范围"),
    ("det_item_fee_sumamt", "99999999999999999999", "超出范围"),
])
def test_a_bad_fee_line_number_is_refused_naming_the_field(field: str, raw: str, words: str) -> None:
    with pytest.raises(BadNumber) as refused:
        inputs.fee_lines([line(**{field: raw})], "drugdetail")
    assert field in refused.value.message and words in refused.value.message


def test_a_fee_line_must_add_up_and_a_batch_needs_its_number() -> None:
    with pytest.raises(LineAmount):
        inputs.fee_lines([line(det_item_fee_sumamt="2.01")], "drugdetail")
    with pytest.raises(MissingField):
        inputs.fee_lines([line()], "feedetail", batch=True)
    parsed = inputs.fee_lines([line(cnt="3", pric="0.333333", det_item_fee_sumamt="1.00")], "drugdetail")[0]
    assert (parsed.cnt, parsed.pric, parsed.amt, parsed.name) == (Decimal("3"), Decimal("0.333333"),
                                                                 Decimal("1.00"), "A001")


@pytest.mark.parametrize(("key", "value"), [("psn_no", "6" * 33), ("psn_no", "610103\x0000001"),
                                            ("omsgid", "P" + "2" * 40), ("setl_id", "\x00"), ("name", "x" * 51),
                                            ("name", "药\ud83d"), ("name", ["x"]), ("name", True)])
def test_a_long_controlled_or_non_text_field_is_refused(key: str, value: Any) -> None:
    with pytest.raises(BadField) as refused:
        inputs.text({key: value}, key, "data")
    assert f"data.{key}" in refused.value.message


def test_texts_that_are_fine() -> None:
    assert inputs.text({"psn_no": " 6" * 16}, "psn_no", "data") == ("6 " * 16).strip()
    assert inputs.text({"n": 12}, "n", "data") == "12" and inputs.text({}, "n", "data", required=False) == ""


@pytest.mark.parametrize("begntime", ["2026-01-01 09:00:00.123456", "yesterday", "2026-13-01 09:00:00"])
def test_a_malformed_begntime_is_refused(begntime: str) -> None:
    with pytest.raises(BadField) as refused:
        inputs.stamp({"begntime": begntime}, "begntime", "druginfo")
    assert "begntime" in refused.value.message
    assert inputs.stamp({"begntime": "2026-01-01 09:00:00"}, "begntime", "x") == "2026-01-01 09:00:00"


@pytest.mark.parametrize("depth", [33, 100_000])
def test_deep_nesting_is_refused_without_exhausting_the_stack(depth: int) -> None:
    deep: Any = []
    for _ in range(depth - 1):
        deep = [deep]
    with pytest.raises(BadJson):
        inputs.check_tree({"input": deep})
    shallow: Any = []
    for _ in range(30):
        shallow = [shallow]
    inputs.check_tree({"input": shallow})


def test_a_lone_surrogate_in_a_key_or_a_string_is_refused() -> None:
    with pytest.raises(BadField, match="medins_list_name"):
        inputs.check_tree({"input": {"drugdetail": [{"medins_list_name": "药\ud83d"}]}})
    with pytest.raises(BadField):
        inputs.check_tree({"\udfff": 1})


def test_exp_content_as_an_object_a_json_string_or_nothing() -> None:
    assert parse_exp_content(None).payplan is None and parse_exp_content("").use_wallet
    parsed = parse_exp_content('{"use_wallet": "0", "payplan": [{"source": "own", "amount": 20.00}]}')
    assert not parsed.use_wallet and parsed.payplan is not None and parsed.payplan[0].amount == Decimal("20.00")
    for bad in ("{", "[]", {"use_wallet": "2"}):
        with pytest.raises(BadExpContent):
            parse_exp_content(bad)
    with pytest.raises(BadPayplan):
        parse_exp_content({"payplan": {}})
