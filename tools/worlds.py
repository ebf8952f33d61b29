"""Small hand-made worlds (yibao-world/1) for focused tests: `world()` for the simulator tests over Flask or
HTTP and the fuzzer, `two_province_world()` for the fast memory-store tests (tests/platform_memory/), both
built from the same institutions, people, bindings and catalogue entries below."""

from __future__ import annotations

import copy
from typing import Any

PHARMACY, HOSPITAL, GANSU_SHOP = "P61010300017", "H61010300001", "P62290100003"

INSTITUTIONS: dict[str, dict[str, Any]] = {
    PHARMACY: {"code": PHARMACY, "name": "西安康平大药房", "kind": "pharmacy", "admdvs": "610103", "level": "1",
               "wallet_enabled": True, "policy": "shaanxi"},
    HOSPITAL: {"code": HOSPITAL, "name": "西安市示范第二医院", "kind": "hospital", "admdvs": "610103", "level": "2",
               "wallet_enabled": True, "policy": "shaanxi"},
    GANSU_SHOP: {"code": GANSU_SHOP, "name": "临夏便民药店", "kind": "pharmacy", "admdvs": "622901", "level": "1",
                 "wallet_enabled": True, "policy": "gansu"},
}

_PEOPLE: tuple[dict[str, Any], ...] = (
    {"id": "pat", "name": "周平", "certno": "610103197001011111", "gender": "1", "birthday": "1970-01-01",
     "insutype": "310", "psn_type": "1101", "insuplc": "610103", "status": "1", "account": "20.00",
     "ytd": {"deductible_used": "650.00", "fund_paid": "0.00"}},
    {"id": "f1", "name": "周一", "certno": "610103199501012222", "gender": "2", "birthday": "1995-01-01",
     "insutype": "310", "psn_type": "1101", "insuplc": "610103", "status": "1", "account": "50.00"},
    {"id": "f2", "name": "周二", "certno": "610103199701013333", "gender": "1", "birthday": "1997-01-01",
     "insutype": "310", "psn_type": "1101", "insuplc": "610103", "status": "1", "account": "1000.00"},
    {"id": "kid", "name": "周小", "certno": "610103201501014444", "gender": "1", "birthday": "2015-01-01",
     "insutype": "390", "psn_type": "1403", "insuplc": "610103", "status": "1"},
    {"id": "paused", "name": "吴停", "certno": "610103196001015555", "gender": "1", "birthday": "1960-01-01",
     "insutype": "310", "psn_type": "1201", "insuplc": "610103", "status": "2", "account": "300.00"},
    {"id": "sis", "name": "周妹", "certno": "610103199901015555", "gender": "2", "birthday": "1999-01-01",
     "insutype": "310", "psn_type": "1101", "insuplc": "610103", "status": "1", "account": "300.00"},
    {"id": "gs", "name": "马建", "certno": "622901198001016666", "gender": "1", "birthday": "1980-01-01",
     "insutype": "310", "psn_type": "1101", "insuplc": "622901", "status": "1", "account": "800.00"},
    {"id": "gskid", "name": "马小", "certno": "622901201801017777", "gender": "1", "birthday": "2018-01-01",
     "insutype": "390", "psn_type": "1403", "insuplc": "622901", "status": "1"},
)
PEOPLE: dict[str, dict[str, Any]] = {str(p["id"]): p for p in _PEOPLE}

BINDINGS: dict[str, dict[str, Any]] = {
    "f1>pat": {"funder": "f1", "beneficiary": "pat", "rank": 1, "relation": "child", "start": "2026-01-01",
               "end": "2026-12-31", "state": "active"},
    "f2>pat": {"funder": "f2", "beneficiary": "pat", "rank": 2, "relation": "child", "start": "2026-01-01",
               "end": None, "state": "active"},
    "f2>kid": {"funder": "f2", "beneficiary": "kid", "rank": 1, "relation": "parent", "start": None, "end": None,
               "state": "active"},
}

_CATALOGUE: tuple[dict[str, Any], ...] = (
    {"code": "A001", "name": "阿莫西林胶囊", "class": "A"},
    {"code": "B001", "name": "复方甘草片", "class": "B", "selfpay_prop": "0.10"},
    {"code": "C001", "name": "进口维生素", "class": "C"},
    {"code": "CAP1", "name": "敷料包", "class": "A", "price_cap": "38.00"},
)
CATALOGUE: dict[str, dict[str, Any]] = {str(e["code"]): e for e in _CATALOGUE}


def compose(policies: list[str], institutions: list[str], people: list[str], bindings: list[str],
            catalogue: list[str]) -> dict[str, Any]:
    """A world of the named pieces (in that order: people's ids follow it), the kid's wallet and today."""
    return copy.deepcopy({
        "format": "yibao-world/1", "today": "2026-05-10T10:00:00", "policies": policies,
        "institutions": [INSTITUTIONS[code] for code in institutions], "people": [PEOPLE[h] for h in people],
        "bindings": [BINDINGS[b] for b in bindings], "wallets": [{"owner": "kid", "balance": "40.00", "status": "active"}],
        "catalogue": [CATALOGUE[c] for c in catalogue]})


_WORLD = compose(["shaanxi"], [PHARMACY, HOSPITAL], ["pat", "f1", "f2", "kid", "paused"],
                 ["f1>pat", "f2>pat", "f2>kid"], ["A001", "B001", "C001", "CAP1"])
_TWO_PROVINCES = compose(["shaanxi", "gansu"], [PHARMACY, HOSPITAL, GANSU_SHOP],
                         ["pat", "f1", "f2", "kid", "sis", "gs", "gskid"], ["f1>pat", "f2>pat"],
                         ["A001", "B001", "C001"])


def world(**changes: Any) -> dict[str, Any]:
    """A fresh copy of the test world, with top-level keys replaced."""
    body = copy.deepcopy(_WORLD)
    body.update(changes)
    return body


def two_province_world(**changes: Any) -> dict[str, Any]:
    """The memory tests' world: Shaanxi and a Gansu pharmacy and family (no paused person, no kid binding)."""
    body = copy.deepcopy(_TWO_PROVINCES)
    body.update(changes)
    return body


def item(code: str, qty: str, price: str) -> dict[str, str]:
    return {"code": code, "qty": qty, "price": price, "name": code}
