"""Contract through the wire (issue 15 item 4): the plugin's plan built from the simulator's own serialized
1101 and pre-settlement replies agrees with the legs the simulator plans, on generated worlds.

test_payer_chain_contract.py compares the two chains on shared inputs; it could not see a seam in what the
replies carry. Here each generated world (a patient of every province with a profile and of provinces
without one; 0–2 funders in force or not; a family pool, usable or not, beside them; a wallet) is loaded
into the real simulator process, the till identifies the patient over HTTP (1101) and pre-settles the cart
(2101): the plugin plans from what it parsed and the platform lists its own legs (⊕ payleg). Any difference
is ERR_PLAN_MISMATCH. Both seams of issue 15 failed here before: an unusable pool row beside a usable
funder (the plugin ignored every funder) and a province without a profile (the plugin used the till's own
profile, the platform `national-default`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from pos_plugin.checkout.identify import Credential, identify
from pos_plugin.checkout.sale import Order
from pos_plugin.config import TerminalSettings, open_terminal
from pos_plugin.domain.cart import cart_line_from_mapping
from pos_plugin.domain.region import RegionPolicies, RegionPolicy

# Insured places: Shaanxi (the till's own profile), Gansu (family pool), Guangdong, and two provinces that
# have no profile of their own (Beijing, Shanghai: national-default).
AREAS = {"shaanxi": "610103", "gansu": "622901", "guangdong": "440105", "beijing": "110105", "shanghai": "310101"}
# The tills: a Xi'an pharmacy (its own profile shaanxi: accounts pay own-pay items, as national-default does)
# and a Guangzhou one (guangdong: they do not), so a patient planned with the till's own profile shows.
SHOPS = {"shaanxi": {"code": "P61010300017", "name": "西安康平大药房", "kind": "pharmacy", "admdvs": "610103",
                     "level": "1", "wallet_enabled": True},
         "guangdong": {"code": "P44010600021", "name": "广州越秀康民大药房", "kind": "pharmacy", "admdvs": "440106",
                       "level": "1", "wallet_enabled": True}}
CART = [{"code": "D4001", "name": "二甲双胍缓释片", "class": "A", "qty": "2", "price": "28.40"},
        {"code": "D1002", "name": "苯磺酸氨氯地平片", "class": "B", "selfpay_prop": "0.10", "qty": "1", "price": "86.00"},
        {"code": "M3001", "name": "无菌敷料包", "class": "C", "qty": "1", "price": "45.00"}]

money = st.sampled_from(["0.00", "0.01", "12.34", "40.00", "80.00", "500.00"])


def certno(area: str, serial: int) -> str:
    """A valid 18-digit ID number (ISO 7064 check digit) of the area, born 1960-01-01."""
    body = f"{area}19600101{serial:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


def person(pid: str, region: str, serial: int, account: str | None) -> dict[str, Any]:
    return {"id": pid, "name": f"测{serial}", "certno": certno(AREAS[region], serial), "gender": "1",
            "birthday": "1960-01-01", "insutype": "310" if account is not None else "390",
            "psn_type": "1101" if account is not None else "1500", "insuplc": AREAS[region], "status": "1",
            **({"account": account} if account is not None else {}),
            "ytd": {"deductible_used": "0.00", "fund_paid": "0.00"}}


@st.composite
def worlds(draw: st.DrawFn) -> dict[str, Any]:
    shop = draw(st.sampled_from(sorted(SHOPS)))
    region = draw(st.sampled_from(sorted(AREAS)))
    own = draw(st.one_of(st.none(), money))
    people = [person("patient", region, 1, own)]
    bindings = []
    for rank in range(1, draw(st.integers(0, 2)) + 1):
        funder_region = draw(st.sampled_from([region, region, "shaanxi"]))
        people.append(person(f"funder{rank}", funder_region, 1 + rank, draw(money)))
        bindings.append({"funder": f"funder{rank}", "beneficiary": "patient", "rank": rank, "relation": "child",
                         "start": "2025-01-01", "end": None,
                         "state": draw(st.sampled_from(["active", "active", "active", "pending", "ended"]))})
    pools = []
    if draw(st.booleans()):  # a family pool, whatever the region's model: in a drawdown region its row is unusable
        creator_region = draw(st.sampled_from([region, "gansu"]))
        people.append(person("creator", creator_region, 9, "300.00"))
        pools.append({"id": "family", "creator": "creator", "balance": draw(money), "members": ["patient"]})
    wallets = [{"owner": "patient", "balance": draw(money), "status": draw(st.sampled_from(["active", "frozen"]))}] \
        if draw(st.booleans()) else []
    return world(shop, region, people, bindings, pools, wallets,
                 use_account=draw(st.sampled_from([True, True, True, False])),
                 use_wallet=draw(st.sampled_from([True, True, False])))


def world(shop: str, region: str, people: list[dict[str, Any]], bindings: list[dict[str, Any]],
          pools: list[dict[str, Any]], wallets: list[dict[str, Any]], *, use_account: bool = True,
          use_wallet: bool = True) -> dict[str, Any]:
    return {"format": "yibao-scenario/1", "name": "serialized-contract", "today": "2026-06-15T10:00:00",
            "policy": shop, "institution": SHOPS[shop], "people": people, "bindings": bindings, "pools": pools,
            "wallets": wallets, "use_account": use_account, "use_wallet": use_wallet, "region": region,
            "shop": shop}


@pytest.fixture(scope="module")
def tills(sim_url: str, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One terminal per shop, configured with its own region's profile (`--policy`)."""
    opened = {name: open_terminal(TerminalSettings(sim_url, shop["code"], shop["name"], shop["admdvs"], name,
                                                   Path(tmp_path_factory.mktemp(f"till-{name}"))))
              for name, shop in SHOPS.items()}
    yield opened
    for terminal in opened.values():
        terminal.close()


def settle_quote(admin: Any, tills: dict[str, Any], world: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Load the world, identify (1101), pre-settle (2101): the plugin's legs (equal to the platform's, or the
    quote raised ERR_PLAN_MISMATCH)."""
    terminal = tills[world["shop"]]
    admin.reset()
    loadable = {k: v for k, v in world.items() if k not in ("use_account", "use_wallet", "region", "shop")}
    admin.load_world(loadable)
    patient = identify(terminal.client, Credential("id_card", world["people"][0]["certno"]))
    order = Order(tuple(cart_line_from_mapping(line) for line in CART))
    order = Order(order.lines, choices=type(order.choices)(world["use_account"], world["use_wallet"]))
    quote = terminal.counter.quote(patient, order)
    assert quote.presettle is not None and quote.presettle.payleg_reported  # the platform listed its legs
    reported = [(leg.source, leg.rank if leg.source == "funder" else None, leg.amount)
                for leg in quote.presettle.payleg if leg.amount != 0]
    mine = [(leg.source, leg.rank if leg.source == "funder" else None, leg.amount) for leg in quote.plan.legs]
    assert mine == reported
    return mine


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(world=worlds())
def test_the_plugin_plans_from_the_serialized_replies_what_the_platform_plans(admin, tills, world) -> None:
    legs = settle_quote(admin, tills, world)
    event(f"patient of {world['region']} at a {world['shop']} till")
    event("legs: " + ("+".join(sorted({source for source, _, _ in legs})) or "cash only"))


def test_an_unusable_pool_row_beside_a_usable_funder(admin, tills) -> None:
    """Seam (a): a Shaanxi patient (drawdown) who is also a member of a family pool: 1101 lists the pool row,
    unusable, beside her usable funder; the funder must still pay."""
    people = [person("patient", "shaanxi", 1, "10.00"), person("funder1", "shaanxi", 2, "500.00"),
              person("creator", "shaanxi", 9, "300.00")]
    bindings = [{"funder": "funder1", "beneficiary": "patient", "rank": 1, "relation": "child",
                 "start": "2025-01-01", "end": None, "state": "active"}]
    pools = [{"id": "family", "creator": "creator", "balance": "80.00", "members": ["patient"]}]
    legs = settle_quote(admin, tills, world("shaanxi", "shaanxi", people, bindings, pools, []))
    assert [source for source, _, _ in legs] == ["own", "funder"]


@pytest.mark.parametrize("region", ["beijing", "shanghai"])
def test_a_province_without_a_profile_is_planned_with_national_default(admin, tills, region) -> None:
    """Seam (b): at a Guangzhou till (guangdong: own-pay items never on the account) a patient from a
    province with no profile is planned with national-default, whose account pays them, as the platform does."""
    legs = settle_quote(admin, tills, world("guangdong", region, [person("patient", region, 1, "1000.00")], [], [],
                                            []))
    assert [source for source, _, _ in legs] == ["own"] and legs[0][2] > 0
    policies = RegionPolicies(RegionPolicy("guangdong", "44", account_pays_ownpay=False),
                              (RegionPolicy("national-default"),))
    assert policies.for_insuplc(AREAS[region]).name == "national-default"
