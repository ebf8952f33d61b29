"""Small hand-made worlds for the family tests: people in Shaanxi, Gansu, Guangdong and Henan (national
default rules), one wallet-enabled pharmacy per region, a few catalogue items."""

from __future__ import annotations

from typing import Any

TODAY = "2026-03-02T10:15:00"
PHARMACY = {"shaanxi": "P61010300001", "gansu": "P62010200001", "guangdong": "P44010600001",
            "national": "P41010500001"}
_INSTITUTIONS = [
    {"code": PHARMACY["shaanxi"], "name": "西安康平大药房", "kind": "pharmacy", "admdvs": "610103", "level": "1",
     "wallet_enabled": True, "policy": "shaanxi"},
    {"code": PHARMACY["gansu"], "name": "兰州惠民大药房", "kind": "pharmacy", "admdvs": "620102", "level": "1",
     "wallet_enabled": True, "policy": "gansu"},
    {"code": PHARMACY["guangdong"], "name": "广州越秀大药房", "kind": "pharmacy", "admdvs": "440106", "level": "1",
     "wallet_enabled": False, "policy": "guangdong"},
    {"code": PHARMACY["national"], "name": "郑州金水大药房", "kind": "pharmacy", "admdvs": "410105", "level": "1",
     "wallet_enabled": True, "policy": "national-default"},
]
CATALOGUE = [
    {"code": "A001", "name": "阿莫西林胶囊", "class": "A"},
    {"code": "B001", "name": "复方甘草片", "class": "B", "selfpay_prop": "0.10"},
]
# A typical insured place per region (and a second one in the same province, another pooling region).
AREA = {"shaanxi": "610103", "shaanxi2": "610302", "gansu": "620102", "gansu2": "622901",
        "guangdong": "440106", "guangdong2": "440305", "national": "410105", "national2": "410302",
        "sichuan": "510104"}


def person(pid: str, area: str, *, insutype: str = "310", psn_type: str = "1101", birthday: str = "1980-05-01",
           account: str | None = "500.00", status: str = "1", name: str | None = None) -> dict[str, Any]:
    """A person insured at AREA[area] (or a literal 6-digit code)."""
    insuplc = AREA.get(area, area)
    body = {"id": pid, "name": name or f"测{pid}", "gender": "1", "birthday": birthday, "insutype": insutype,
            "psn_type": psn_type, "insuplc": insuplc, "status": status,
            "pin": "123456"}  # a world may name app credentials (password, pin, face); the rest are defaults
    if insutype == "310":
        body["account"] = account or "0.00"
    return body


def child(pid: str, area: str, birthday: str = "2016-06-01", **kw: Any) -> dict[str, Any]:
    """A resident-insured (390) student: no personal account."""
    return person(pid, area, insutype="390", psn_type="1403", birthday=birthday, account=None, **kw)


def world(*people: dict[str, Any], bindings: list[dict[str, Any]] | None = None,
          pools: list[dict[str, Any]] | None = None, wallets: list[dict[str, Any]] | None = None,
          today: str = TODAY) -> dict[str, Any]:
    """A yibao-world/1 body; certnos are made unique from the insured place, birthday and position."""
    listed = []
    for index, p in enumerate(people, start=1):
        listed.append(p | {"certno": f"{p['insuplc']}{p['birthday'].replace('-', '')}{index:03d}X"})
    return {"format": "yibao-world/1", "today": today,
            "policies": ["shaanxi", "gansu", "guangdong", "national-default"], "institutions": _INSTITUTIONS,
            "catalogue": CATALOGUE, "people": listed, "bindings": bindings or [], "pools": pools or [],
            "wallets": wallets or []}
