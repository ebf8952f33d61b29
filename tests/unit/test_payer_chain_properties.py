"""Property tests: the §2.5 invariants hold for random chains, amounts, policies and choices."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from pos_plugin.domain.payer_chain import Burden, Choices, FamilyPool, Funder, PatientFunds, plan_payer_chain

money = st.integers(min_value=0, max_value=5_000_000).map(lambda fen: Decimal(fen).scaleb(-2))


@st.composite
def funders(draw):
    count = draw(st.integers(min_value=0, max_value=3))
    ranks = draw(st.permutations(range(1, count + 1)))
    return tuple(Funder(rank, f"f{rank}", draw(money), draw(st.booleans())) for rank in ranks)


@st.composite
def worlds(draw):
    pool = draw(st.none() | st.builds(FamilyPool, st.just("pool"), money, st.booleans()))
    funds = PatientFunds(
        "p", draw(money), draw(st.booleans()), () if pool else draw(funders()), pool, draw(money), draw(st.booleans()))
    part = draw(money)
    ownpay = draw(money.filter(lambda m: m <= part) if part else st.just(Decimal("0.00")))
    overlmt = draw(st.sampled_from([Decimal("0.00"), min(part - ownpay, draw(money))]))
    burden = Burden(part, ownpay, overlmt)
    return funds, burden, draw(st.booleans()), Choices(draw(st.booleans()), draw(st.booleans()))


def chain_sources(funds, choices):
    """An independent restatement of the chain order, for the test oracle."""
    out = []
    if choices.use_account:
        if funds.own_usable:
            out.append(("own", None, funds.own_balance))
        if funds.pool is not None:
            if funds.pool.usable:
                out.append(("pool", None, funds.pool.balance))
        else:
            out += [("funder", f.rank, f.available) for f in sorted(funds.funders, key=lambda f: f.rank) if f.usable]
    if choices.use_wallet and funds.wallet_usable:
        out.append(("wallet", None, funds.wallet_balance))
    return out


@settings(max_examples=400, deadline=None)
@given(worlds())
def test_sums_are_exact_and_no_leg_is_negative_or_overdrawn(world):
    funds, burden, pays_ownpay, choices = world
    plan = plan_payer_chain(funds, burden, account_pays_ownpay=pays_ownpay, choices=choices)
    assert plan.acct_pay + plan.wallet_pay + plan.psn_cash_pay == burden.psn_part_amt
    assert all(leg.amount > 0 for leg in plan.legs)
    assert plan.psn_cash_pay >= 0
    assert 0 <= plan.acct_mulaid_pay <= plan.acct_pay
    for leg in plan.legs:
        assert all(leg.amount <= avail for src, rank, avail in chain_sources(funds, choices)
                   if (src, rank) == (leg.source, leg.rank))
    for value in (plan.acct_pay, plan.wallet_pay, plan.psn_cash_pay, *[leg.amount for leg in plan.legs]):
        assert value == value.quantize(Decimal("0.01"))


@settings(max_examples=400, deadline=None)
@given(worlds())
def test_chain_pays_as_much_as_it_can_in_order(world):
    funds, burden, pays_ownpay, choices = world
    plan = plan_payer_chain(funds, burden, account_pays_ownpay=pays_ownpay, choices=choices)
    eligible = burden.psn_part_amt if pays_ownpay else max(
        Decimal(0), burden.psn_part_amt - burden.fulamt_ownpay_amt - burden.overlmt_selfpay)
    sources = chain_sources(funds, choices)
    expected, remaining = [], eligible
    for src, rank, avail in sources:
        take = min(avail, remaining)
        if take:
            expected.append((src, rank, take))
        remaining -= take
    assert [(leg.source, leg.rank, leg.amount) for leg in plan.legs] == expected
    assert plan.psn_cash_pay == burden.psn_part_amt - (eligible - remaining)


@settings(max_examples=200, deadline=None)
@given(worlds())
def test_declining_the_account_moves_no_account_or_family_money(world):
    funds, burden, pays_ownpay, _ = world
    plan = plan_payer_chain(funds, burden, account_pays_ownpay=pays_ownpay, choices=Choices(False, True))
    assert plan.acct_pay == 0
    assert all(leg.source == "wallet" for leg in plan.legs)
