"""`exp_content.payplan` (docs/protocol.md §4) of `simulator/platform/payplan.py`: settle only on an
exact match of the non-zero legs; `rank`/`psn_no`/`pool_id` are compared only when the POS gave them."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rule_oracle import money

from simulator.platform.chain import Leg
from simulator.platform.errors import PlatformError, RequestRejected, RuleRefused
from simulator.platform.payplan import PlannedLeg, check_payplan, parse_exp_content

SOURCES = ("own", "funder", "pool", "wallet")


@st.composite
def platform_legs(draw: st.DrawFn) -> tuple[Leg, ...]:
    count = draw(st.integers(min_value=0, max_value=4))
    return tuple(Leg(draw(st.sampled_from(SOURCES)), draw(st.none() | st.integers(1, 3)),
                     draw(st.sampled_from(["P1", "F1", "F2"])), "名", draw(money.filter(lambda m: m > 0)),
                     pool_id=draw(st.none() | st.just("FP1")))
                 for _ in range(count))


def as_planned(leg: Leg, *, rank: bool, psn_no: bool, pool_id: bool) -> PlannedLeg:
    return PlannedLeg(leg.source, leg.amount, leg.rank if rank else None, leg.psn_no if psn_no else None,
                      leg.pool_id if pool_id else None)


@given(platform_legs(), st.booleans(), st.booleans(), st.booleans(), st.lists(st.integers(0, 4), max_size=3))
def test_the_same_legs_settle_with_zero_legs_anywhere(legs: tuple[Leg, ...], rank: bool, psn_no: bool,
                                                      pool_id: bool, zeros_at: list[int]) -> None:
    planned = [as_planned(leg, rank=rank, psn_no=psn_no, pool_id=pool_id) for leg in legs]
    for at in zeros_at:  # a zero leg in the plan is no leg
        planned.insert(min(at, len(planned)), PlannedLeg("wallet", Decimal("0.00")))
    check_payplan(tuple(planned), legs)  # no refusal


CHANGES = ("amount", "source", "rank", "psn_no", "pool_id", "drop", "extra")


@given(platform_legs().filter(bool), st.data())
def test_any_difference_is_refused_naming_the_first_differing_leg(legs: tuple[Leg, ...], data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(legs) - 1))
    change = data.draw(st.sampled_from(CHANGES))
    planned = [as_planned(leg, rank=True, psn_no=True, pool_id=True) for leg in legs]
    leg = planned[index]
    if change == "amount":
        planned[index] = PlannedLeg(leg.source, leg.amount + Decimal("0.01"), leg.rank, leg.psn_no, leg.pool_id)
    elif change == "source":
        other = data.draw(st.sampled_from([s for s in SOURCES if s != leg.source]))
        planned[index] = PlannedLeg(other, leg.amount, leg.rank, leg.psn_no, leg.pool_id)
    elif change == "rank":
        planned[index] = PlannedLeg(leg.source, leg.amount, (leg.rank or 0) + 1, leg.psn_no, leg.pool_id)
    elif change == "psn_no":
        planned[index] = PlannedLeg(leg.source, leg.amount, leg.rank, "X9", leg.pool_id)
    elif change == "pool_id":
        planned[index] = PlannedLeg(leg.source, leg.amount, leg.rank, leg.psn_no, "FP9")
    elif change == "drop":
        del planned[index]
    else:
        planned.insert(index, PlannedLeg("wallet", Decimal("0.01")))
    with pytest.raises(RuleRefused) as refused:
        check_payplan(tuple(planned), legs)
    assert refused.value.code == "ERR_PAYPLAN_MISMATCH"
    assert f"第 {first_difference(planned, legs) + 1} 段" in refused.value.message


def first_difference(planned: list[PlannedLeg], legs: tuple[Leg, ...]) -> int:
    """Where the plan and the platform's legs first part ways (a field the POS left out always agrees)."""
    def same(mine: PlannedLeg, theirs: Leg) -> bool:
        return (mine.source, mine.amount) == (theirs.source, theirs.amount) and all(
            given is None or given == actual
            for given, actual in ((mine.rank, theirs.rank), (mine.psn_no, theirs.psn_no),
                                  (mine.pool_id, theirs.pool_id)))
    index = 0
    while index < min(len(planned), len(legs)) and same(planned[index], legs[index]):
        index += 1
    return index


@given(platform_legs(), st.booleans())
def test_exp_content_round_trips_through_json(legs: tuple[Leg, ...], use_wallet: bool) -> None:
    wire = {"use_wallet": "1" if use_wallet else "0",
            "payplan": [{"source": leg.source, "amount": f"{leg.amount:f}", "rank": leg.rank,
                         "psn_no": leg.psn_no, "pool_id": leg.pool_id} for leg in legs]}
    for raw in (wire, json.dumps(wire)):
        content = parse_exp_content(raw)
        assert content.use_wallet is use_wallet
        assert content.payplan == tuple(as_planned(leg, rank=True, psn_no=True, pool_id=True) for leg in legs)


@pytest.mark.parametrize("raw, code", [
    ("{not json", "ERR_BAD_EXP_CONTENT"), ("[1]", "ERR_BAD_EXP_CONTENT"), ({"use_wallet": "2"}, "ERR_BAD_EXP_CONTENT"),
    ({"payplan": {}}, "ERR_BAD_PAYPLAN"), ({"payplan": [{"source": "cash", "amount": "1"}]}, "ERR_BAD_PAYPLAN"),
    ({"payplan": [{"source": "own"}]}, "ERR_BAD_PAYPLAN"),
    ({"payplan": [{"source": "funder", "amount": "1", "rank": True}]}, "ERR_BAD_PAYPLAN"),
    ({"payplan": [{"source": "funder", "amount": "1", "rank": "-1"}]}, "ERR_BAD_PAYPLAN"),
    ({"payplan": [{"source": "own", "amount": 1.5}]}, "ERR_BAD_NUMBER"),
    ({"payplan": [{"source": "own", "amount": "1.005"}]}, "ERR_BAD_NUMBER"),
])
def test_malformed_exp_content_is_rejected(raw: object, code: str) -> None:
    with pytest.raises(RequestRejected) as rejected:
        parse_exp_content(raw)
    assert rejected.value.code == code


def test_absent_exp_content_means_no_plan_and_wallet_allowed() -> None:
    for raw in (None, ""):
        content = parse_exp_content(raw)
        assert (content.payplan, content.use_wallet) == (None, True)
    assert issubclass(RuleRefused, PlatformError)
