"""Small hand-made worlds (yibao-world/1) for focused simulator tests."""

from __future__ import annotations

import copy
from typing import Any

PHARMACY, HOSPITAL = "P61010300017", "H61010300001"

_WORLD: dict[str, Any] = {
    "format": "yibao-world/1",
    "today": "2026-05-10T10:00:00",
    "policies": ["shaanxi"],
    "institutions": [
        {"code": PHARMACY, "name": "西安康平大药房", "kind": "pharmacy", "admdvs": "610103", "level": "1",
         "wallet_enabled": True, "policy": "shaanxi"},
        {"code": HOSPITAL, "name": "西安市示范第二医院", "kind": "hospital", "admdvs": "610103", "level": "2",
         "wallet_enabled": True, "policy": "shaanxi"},
    ],
    "people": [
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
    ],
    "bindings": [
        {"funder": "f1", "beneficiary": "pat", "rank": 1, "relation": "child", "start": "2026-01-01",
         "end": "2026-12-31", "state": "active"},
        {"funder": "f2", "beneficiary": "pat", "rank": 2, "relation": "child", "start": "2026-01-01",
         "end": None, "state": "active"},
        {"funder": "f2", "beneficiary": "kid", "rank": 1, "relation": "parent", "start": None, "end": None,
         "state": "active"},
    ],
    "wallets": [{"owner": "kid", "balance": "40.00", "status": "active"}],
    "catalogue": [
        {"code": "A001", "name": "阿莫西林胶囊", "class": "A"},
        {"code": "B001", "name": "复方甘草片", "class": "B", "selfpay_prop": "0.10"},
        {"code": "C001", "name": "进口维生素", "class": "C"},
        {"code": "CAP1", "name": "敷料包", "class": "A", "price_cap": "38.00"},
    ],
}


def world(**changes: Any) -> dict[str, Any]:
    """A fresh copy of the test world, with top-level keys replaced."""
    body = copy.deepcopy(_WORLD)
    body.update(changes)
    return body


def item(code: str, qty: str, price: str) -> dict[str, str]:
    return {"code": code, "qty": qty, "price": price, "name": code}
