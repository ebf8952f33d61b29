"""The soak's world (tools/soak/__main__.py): one institution, six insured people with made-up but valid ID
numbers, the goods it sells and the fee items of its ward, all in the platform's catalogue (the platform splits
each line by its own catalogue, never by the class the till claims)."""

from __future__ import annotations

import re
from typing import Any

PEOPLE = 6
FULL_ID = re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9])")
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
# a community hospital: a dispensary counter that sells (2101/2102, 3505/3506) and a ward that admits (2401…2305)
INSTITUTION = {"code": "H61010300021", "name": "西安康平社区卫生服务中心", "kind": "hospital", "admdvs": "610103",
               "level": "1", "wallet_enabled": True}
CATALOGUE: tuple[dict[str, Any], ...] = ({"code": "D4001", "name": "二甲双胍缓释片", "class": "A", "price": "28.40"},
             {"code": "D4002", "name": "血糖试纸", "class": "B", "selfpay_prop": "0.15", "price": "99.00"},
             {"code": "G001", "name": "维生素软糖", "insurable": False, "price": "59.00"})
WARD_ITEMS: tuple[dict[str, Any], ...] = (
    {"code": "S0201", "name": "床位费", "class": "A", "price": "45.00"},
    {"code": "S0301", "name": "静脉输液", "class": "A", "price": "12.50"},
    {"code": "S0401", "name": "Ⅱ级护理", "class": "A", "price": "28.00"},
    {"code": "D5001", "name": "头孢曲松钠注射液", "class": "B", "selfpay_prop": "0.10", "price": "36.80"},
    {"code": "S0501", "name": "胸部CT平扫", "class": "B", "selfpay_prop": "0.20", "price": "260.00"},
    {"code": "S0901", "name": "单人病房差价", "class": "C", "price": "80.00"})


def id_number(serial: int) -> str:
    first17 = f"61010319{70 + serial % 20:02d}0101{serial % 1000:03d}"
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def full_ids(text: str) -> int:
    """How often one of the world's people's ID numbers appears in full in `text`. Only theirs count: a digit run
    that merely looks like one (the head of a 22-digit settlement number left in a free page of a SQLite file)
    is no one's ID number."""
    theirs = {person["certno"] for person in world()["people"]}
    return sum(1 for found in FULL_ID.findall(text) if found.upper() in theirs)


def world() -> dict[str, Any]:
    people = [{"id": f"p{i}", "name": f"测试{'甲乙丙丁戊己庚辛'[i]}", "certno": id_number(i + 1), "gender": "1",
               "birthday": f"19{70 + (i + 1) % 20:02d}-01-01", "insutype": "310", "psn_type": "1101",
               "insuplc": "610103", "status": "1", "account": "3000.00",
               "ytd": {"deductible_used": "0.00", "fund_paid": "0.00"}} for i in range(PEOPLE)]
    return {"format": "yibao-scenario/1", "name": "soak", "today": "2026-04-20T09:00:00", "policy": "national-default",
            "institution": INSTITUTION, "people": people, "bindings": [],
            # the rest of the platform's catalogue (the checkout line below puts D4001 in it)
            "catalogue": [{k: item[k] for k in ("code", "name", "class", "selfpay_prop") if k in item}
                          for item in CATALOGUE[1:] + WARD_ITEMS if item.get("insurable", True)],
            "checkout": {"patient": "p0", "flow": "pharmacy", "lines": [dict(CATALOGUE[0], qty="1")]}}
