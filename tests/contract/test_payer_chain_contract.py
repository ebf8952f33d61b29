"""Contract: the plugin's payer chain and the simulator's agree leg for leg on random worlds.

The two programs write the chain of docs/domain.md §2.4–2.5 twice on purpose, so that a bug cannot
agree with itself; end-to-end scenarios compare them on a handful of worlds, this test on a thousand.
One world is generated (a patient with or without an own account, 0–2 funders or a family pool, a
wallet, the consents, `account_pays_ownpay`, the burden) and handed to each program through a small
adapter: the plugin gets what 1101 and the pre-settlement would tell it (balances, `usable` flags, the
burden figures); the simulator gets its own records (persons, bindings with states and dates, pool,
wallet, policy, institution) and fee lines whose split yields that burden. No app, no database.

Tests may import both programs; the programs never import each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import event, given, settings
from hypothesis import strategies as st

from pos_plugin.domain import payer_chain as plugin
from simulator.platform import chain as sim_chain
from simulator.platform import models as sim
from simulator.platform.plan import plan_settlement
from simulator.platform.policy import Policy

TODAY = date(2026, 6, 15)
ZERO = Decimal("0.00")
PATIENT_AREA = "610102"  # Xi'an; the institution is in the same pooling region
SAME_PROVINCE = "610402"
OTHER_PROVINCE = "440105"
AREAS = {"same_region": PATIENT_AREA, "same_province": SAME_PROVINCE, "other_province": OTHER_PROVINCE}
#: Which funder areas each mutual-aid scope accepts (docs/domain.md §2.5), stated here, not imported.
SCOPE_ACCEPTS = {
    "pooling_region": {"same_region"},
    "province": {"same_region", "same_province"},
    "national": {"same_region", "same_province", "other_province"},
}
#: Why a binding might not pay; only "none" leaves it in force.
BINDING_FAULTS = ("none", "pending", "ended", "rejected", "not_yet_started", "expired",
                  "funder_resident", "funder_suspended")

fen = st.integers(min_value=0, max_value=300_000).map(lambda f: Decimal(f).scaleb(-2))
# Small values collide often (a balance equal to what remains, a zero balance): the edges of `min`.
money = st.one_of(fen, st.sampled_from([Decimal(v) for v in ("0.00", "0.01", "1.00", "10.00", "25.50")]))
#: A balance: usually smaller than the bill, so the chain goes on to the next source.
balance = st.one_of(money, st.integers(min_value=1, max_value=20_000).map(lambda f: Decimal(f).scaleb(-2)))
likely = st.sampled_from([True, True, True, False])
mostly_a_balance = st.tuples(likely, balance).map(lambda held: held[1] if held[0] else None)  # None: no account
some_fen = st.integers(min_value=1, max_value=300_000).map(lambda f: Decimal(f).scaleb(-2))


@dataclass(frozen=True)
class FunderFacts:
    rank: int
    balance: Decimal
    area: str
    fault: str


@dataclass(frozen=True)
class World:
    """Everything both chains look at, in the domain's own words."""

    model: str  # drawdown | family_pool
    scope: str
    account_pays_ownpay: bool
    own_balance: Decimal | None  # None: not an employee (390), no personal account
    funders: tuple[FunderFacts, ...]
    pool_balance: Decimal | None  # None: not a pool member
    pool_area: str
    wallet_balance: Decimal | None  # None: no wallet
    wallet_active: bool
    region_wallet: bool
    institution_wallet: bool
    use_account: bool
    use_wallet: bool
    fulamt: Decimal
    overlmt: Decimal
    rest: Decimal  # the rest of the personal burden (in scope, no pooled fund at a pharmacy)

    @property
    def psn_part(self) -> Decimal:
        return self.fulamt + self.overlmt + self.rest


@st.composite
def worlds(draw: st.DrawFn) -> World:
    count = draw(st.integers(min_value=0, max_value=2))
    ranks = draw(st.permutations([1, 2, 3]))[:count]  # distinct ranks, in any order, gaps allowed
    funders = tuple(
        FunderFacts(rank, draw(balance), draw(st.sampled_from(sorted(AREAS))),
                    draw(st.sampled_from(BINDING_FAULTS[:1] * 8 + BINDING_FAULTS[1:])))
        for rank in ranks  # generated in any rank order
    )
    wallet_fault = draw(st.sampled_from(["none"] * 5 + ["frozen", "region_off", "institution_off"]))
    consent = draw(st.sampled_from([(True, True)] * 4 + [(False, True), (True, False), (False, False)]))
    return World(
        model=draw(st.sampled_from(["drawdown", "family_pool"])),
        scope=draw(st.sampled_from(sorted(SCOPE_ACCEPTS))),
        account_pays_ownpay=draw(st.booleans()),
        own_balance=draw(mostly_a_balance),
        funders=funders,
        pool_balance=draw(mostly_a_balance),
        pool_area=draw(st.sampled_from(sorted(AREAS))),
        wallet_balance=draw(mostly_a_balance),
        wallet_active=wallet_fault != "frozen",
        region_wallet=wallet_fault != "region_off",
        institution_wallet=wallet_fault != "institution_off",
        use_account=consent[0],
        use_wallet=consent[1],
        fulamt=draw(money),
        overlmt=draw(money),
        rest=draw(st.one_of(money, some_fen, some_fen)),
    )


# ---- adapter: the world as the plugin sees it (1101 mulaidinfo / pool / wallet, pre-settlement figures)

def funder_in_force(world: World, funder: FunderFacts) -> bool:
    return world.model == "drawdown" and funder.fault == "none" and funder.area in SCOPE_ACCEPTS[world.scope]


def plugin_inputs(world: World) -> tuple[plugin.PatientFunds, plugin.Burden, plugin.Choices]:
    pool = None
    if world.model == "family_pool" and world.pool_balance is not None:
        pool = plugin.FamilyPool("FP1", world.pool_balance, world.pool_area in SCOPE_ACCEPTS[world.scope])
    funds = plugin.PatientFunds(
        psn_no="P1",
        own_balance=world.own_balance if world.own_balance is not None else ZERO,
        own_usable=world.own_balance is not None,
        funders=tuple(plugin.Funder(f.rank, f"F{f.rank}", f.balance, funder_in_force(world, f))
                      for f in world.funders),
        pool=pool,
        wallet_balance=world.wallet_balance if world.wallet_balance is not None else ZERO,
        wallet_usable=(world.wallet_balance is not None and world.wallet_active
                       and world.region_wallet and world.institution_wallet),
    )
    burden = plugin.Burden(world.psn_part, world.fulamt, world.overlmt)
    return funds, burden, plugin.Choices(world.use_account, world.use_wallet)


# ---- adapter: the world as the simulator's records

def person(pid: int, psn_no: str, area: str, balance: Decimal | None, *, status: str = "1") -> sim.Person:
    """An employee (310) with a personal account, or a resident (390, `balance` None) without one."""
    return sim.Person(
        id=pid, psn_no=psn_no, name=f"人{pid}", certno=f"61010219800101{pid:04d}", gender="1",
        birthday=date(1980, 1, 1), insutype="310" if balance is not None else "390",
        psn_type="1101" if balance is not None else "1500", insuplc=area, status=status, balance=balance,
        ytd_deductible_used=ZERO, ytd_fund_paid=ZERO, card_sn="",
    )


def binding(pid: int, funder: FunderFacts) -> sim.Binding:
    state = funder.fault if funder.fault in ("pending", "ended", "rejected") else "active"
    start = TODAY + timedelta(days=1) if funder.fault == "not_yet_started" else TODAY - timedelta(days=30)
    end = TODAY - timedelta(days=1) if funder.fault == "expired" else None
    return sim.Binding(id=pid, funder_id=pid, beneficiary_id=1, rank=funder.rank, relation="spouse",
                       start=start, end=end, state=state)


def sim_context(world: World) -> sim_chain.PayerContext:
    patient = person(1, "P1", PATIENT_AREA, world.own_balance)
    links = []
    for funder in world.funders:
        pid = 10 + funder.rank
        balance = None if funder.fault == "funder_resident" else funder.balance
        record = person(pid, f"F{funder.rank}", AREAS[funder.area], balance,
                        status="2" if funder.fault == "funder_suspended" else "1")
        links.append(sim_chain.FunderLink(binding(pid, funder), record))
    links.sort(key=lambda link: link.binding.rank)  # the store reads bindings by rank (platform/context.py)
    pool = creator = None
    if world.pool_balance is not None:
        creator = person(20, "C20", AREAS[world.pool_area], Decimal("0.00"))
        pool = sim.Pool(id=7, pool_id="FP1", creator_id=20, balance=world.pool_balance)
    wallet = None
    if world.wallet_balance is not None:
        wallet = sim.Wallet(id=3, wallet_id="W1", owner_id=1, balance=world.wallet_balance,
                            status="active" if world.wallet_active else "frozen")
    policy = Policy(name="contract", province=None, model=world.model, scope=world.scope, relations=("spouse",),
                    max_funders=2, exclusive=False, review_required=False, face_check_age=16, max_family_size=7,
                    dates="optional", account_pays_ownpay=world.account_pays_ownpay,
                    wallet_enabled=world.region_wallet, fund=())
    institution = sim.Institution(code="P61010200001", name="药房", kind="pharmacy", admdvs=PATIENT_AREA,
                                  level="1", wallet_enabled=world.institution_wallet, policy="contract")
    return sim_chain.PayerContext(patient, institution, policy, tuple(links), pool, creator, wallet)


def sim_bill(world: World) -> tuple[list[sim.FeeLine], dict[str, sim.CatalogueItem]]:
    """Fee lines whose §2.2 split is exactly the world's burden: a class C line and a capped class A line."""
    lines, catalogue = [], {}
    if world.fulamt > 0:
        lines.append(sim.FeeLine("1", "C1", "丙类", Decimal("1"), world.fulamt, world.fulamt))
        catalogue["C1"] = sim.CatalogueItem("C1", "丙类", "03", Decimal("1"), None)
    if world.rest + world.overlmt > 0:
        price = world.rest + world.overlmt
        lines.append(sim.FeeLine("2", "A1", "甲类", Decimal("1"), price, price))
        catalogue["A1"] = sim.CatalogueItem("A1", "甲类", "01", ZERO, world.rest if world.overlmt > 0 else None)
    return lines, catalogue


# ---- the contract

def plugin_legs(plan: plugin.PayerPlan) -> list[tuple[object, ...]]:
    return [(leg.source, leg.rank, leg.psn_no, leg.pool_id, leg.amount) for leg in plan.legs]


def sim_legs(legs: tuple[sim_chain.Leg, ...]) -> list[tuple[object, ...]]:
    """The simulator's legs in the plugin's terms: a pool leg is named by its pool alone (the payplan
    the plugin sends carries no rank or person for it, docs/protocol.md §4)."""
    out: list[tuple[object, ...]] = []
    for leg in legs:
        if leg.source == "pool":
            out.append((leg.source, None, None, leg.pool_id, leg.amount))
        else:
            out.append((leg.source, leg.rank, leg.psn_no, None, leg.amount))
    return out


@settings(max_examples=1000)
@given(worlds())
def test_both_chains_agree_leg_for_leg(world: World) -> None:
    sources = check_contract(world)
    event("legs: " + ("+".join(sources) or "cash only"))


def check_contract(world: World) -> list[str]:
    """Plan one world with both programs; every leg and every total must be the same."""
    funds, burden, choices = plugin_inputs(world)
    mine = plugin.plan_payer_chain(funds, burden, account_pays_ownpay=world.account_pays_ownpay, choices=choices)

    ctx = sim_context(world)
    lines, catalogue = sim_bill(world)
    theirs = plan_settlement(ctx, lines, catalogue, "41", world.use_account, world.use_wallet, TODAY)

    # The simulator's bill split gives the burden the plugin was told (else the adapters disagree).
    assert (theirs.psn_part_amt, theirs.totals.fulamt, theirs.totals.overlmt) == (
        burden.psn_part_amt, burden.fulamt_ownpay_amt, burden.overlmt_selfpay)
    assert plugin.eligible_amount(burden, account_pays_ownpay=world.account_pays_ownpay) == \
        sim_chain.eligible_amount(ctx.policy, theirs.psn_part_amt, theirs.totals.fulamt, theirs.totals.overlmt)

    assert plugin_legs(mine) == sim_legs(theirs.legs)
    assert (mine.acct_pay, mine.acct_mulaid_pay, mine.wallet_pay, mine.psn_cash_pay) == (
        theirs.acct_pay, theirs.acct_mulaid_pay, theirs.wallet_pay, theirs.psn_cash_pay)
    return [leg.source for leg in mine.legs]


def test_the_generator_reaches_every_kind_of_leg() -> None:
    """Guard against a vacuous contract: worlds that drain own, two funders, a pool and the wallet exist
    and both programs produce those legs (a generator that only made cash-only worlds would pass above)."""
    rich = Decimal("5.00")
    base = dict(scope="national", account_pays_ownpay=True, own_balance=rich, pool_balance=rich,
                pool_area="other_province", wallet_balance=rich, wallet_active=True, region_wallet=True,
                institution_wallet=True, use_account=True, use_wallet=True, fulamt=Decimal("1.00"),
                overlmt=Decimal("2.00"), rest=Decimal("100.00"))
    drawdown = World(model="drawdown", funders=(FunderFacts(2, rich, "same_province", "none"),
                                                 FunderFacts(1, rich, "same_region", "none")), **base)
    pooled = World(model="family_pool", funders=(), **base)
    check_contract(drawdown)
    check_contract(pooled)
    funds, burden, choices = plugin_inputs(drawdown)
    plan = plugin.plan_payer_chain(funds, burden, account_pays_ownpay=True, choices=choices)
    assert [(leg.source, leg.rank) for leg in plan.legs] == [
        ("own", None), ("funder", 1), ("funder", 2), ("wallet", None)]
    funds, burden, choices = plugin_inputs(pooled)
    plan = plugin.plan_payer_chain(funds, burden, account_pays_ownpay=True, choices=choices)
    assert [leg.source for leg in plan.legs] == ["own", "pool", "wallet"]
