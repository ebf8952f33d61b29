"""The benchmark's world: one pharmacy and one hospital of Xi'an, and insured employees with money."""

from __future__ import annotations

from typing import Any

from simulator.seed import certno

PHARMACY, HOSPITAL, AREA = "P61010300017", "H61010300001", "610103"
WORLD_INDEX = 20_000_000  # ID numbers of world people start here, above any seeded person's


def bench_world(people: int) -> dict[str, Any]:
    """A yibao-world/1 body with `people` employees (account 100,000 yuan each, so no sale runs dry)."""
    return {
        "format": "yibao-world/1", "policies": ["shaanxi"],
        "institutions": [
            {"code": PHARMACY, "name": "西安康平大药房", "kind": "pharmacy", "admdvs": AREA, "level": "1",
             "wallet_enabled": True, "policy": "shaanxi"},
            {"code": HOSPITAL, "name": "西安市示范第二医院", "kind": "hospital", "admdvs": AREA, "level": "2",
             "wallet_enabled": True, "policy": "shaanxi"},
        ],
        "catalogue": [{"code": "A001", "name": "阿莫西林胶囊", "class": "A"}],
        "people": [{"id": f"p{i}", "name": f"压测{i}", "certno": certno(AREA, WORLD_INDEX + i), "gender": "1",
                    "birthday": "1980-01-01", "insutype": "310", "psn_type": "1101", "insuplc": AREA,
                    "status": "1", "account": "100000.00"} for i in range(people)],
    }


def persons_of(world: dict[str, Any], loaded: dict[str, Any]) -> list[list[str]]:
    """[psn_no, certno] of every person of a loaded world."""
    return [[loaded["handles"][p["id"]], p["certno"]] for p in world["people"]]
