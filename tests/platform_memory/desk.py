"""A till that calls the platform's use cases directly (no Flask, no HTTP, no database: the memory store,
simulator/memory.py), and the small worlds the fast tests load."""

from __future__ import annotations

import copy
import itertools
from decimal import Decimal
from typing import Any

from simulator.domain.models import FeeLine, Person
from simulator.domain.payplan import ExpContent, PlannedLeg
from simulator.domain.requests import RequestMeta
from simulator.domain.views import SettlementView
from simulator.platform.service import Platform
from simulator.platform.settlement.settle import SettleInput

PHARMACY, HOSPITAL, GANSU_SHOP = "P61010300017", "H61010300001", "P62290100003"

SHAANXI: dict[str, Any] = {
    "format": "yibao-world/1",
    "today": "2026-05-10T10:00:00",
    "policies": ["shaanxi", "gansu"],
    "institutions": [
        {"code": PHARMACY, "name": "西安康平大药房", "kind": "pharmacy", "admdvs": "610103", "level": "1",
         "wallet_enabled": True, "policy": "shaanxi"},
        {"code": HOSPITAL, "name": "西安市示范第二医院", "kind": "hospital", "admdvs": "610103", "level": "2",
         "wallet_enabled": True, "policy": "shaanxi"},
        {"code": GANSU_SHOP, "name": "临夏便民药店", "kind": "pharmacy", "admdvs": "622901", "level": "1",
         "wallet_enabled": True, "policy": "gansu"},
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
        {"id": "sis", "name": "周妹", "certno": "610103199901015555", "gender": "2", "birthday": "1999-01-01",
         "insutype": "310", "psn_type": "1101", "insuplc": "610103", "status": "1", "account": "300.00"},
        {"id": "gs", "name": "马建", "certno": "622901198001016666", "gender": "1", "birthday": "1980-01-01",
         "insutype": "310", "psn_type": "1101", "insuplc": "622901", "status": "1", "account": "800.00"},
        {"id": "gskid", "name": "马小", "certno": "622901201801017777", "gender": "1", "birthday": "2018-01-01",
         "insutype": "390", "psn_type": "1403", "insuplc": "622901", "status": "1"},
    ],
    "bindings": [
        {"funder": "f1", "beneficiary": "pat", "rank": 1, "relation": "child", "start": "2026-01-01",
         "end": "2026-12-31", "state": "active"},
        {"funder": "f2", "beneficiary": "pat", "rank": 2, "relation": "child", "start": "2026-01-01",
         "end": None, "state": "active"},
    ],
    "wallets": [{"owner": "kid", "balance": "40.00", "status": "active"}],
    "catalogue": [
        {"code": "A001", "name": "阿莫西林胶囊", "class": "A"},
        {"code": "B001", "name": "复方甘草片", "class": "B", "selfpay_prop": "0.10"},
        {"code": "C001", "name": "进口维生素", "class": "C"},
    ],
}


def world(**changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(SHAANXI)
    body.update(changes)
    return body


class Desk:
    """One institution's till: unique msgids, and the use cases with the request shapes the wire gives."""

    def __init__(self, platform: Platform, code: str = PHARMACY) -> None:
        self.platform, self.code = platform, code
        self._seq = itertools.count(1)

    def meta(self, infno: str, insuplc: str = "") -> RequestMeta:
        return RequestMeta(infno, f"{self.code}20260510100000{next(self._seq):04d}", self.code, "op1", insuplc)

    def person(self, handle: str) -> Person:
        return self.platform.patient_now(self.platform.admin.handles()["handles"][handle])

    def psn(self, handle: str) -> str:
        return str(self.platform.admin.handles()["handles"][handle])

    @staticmethod
    def lines(*items: tuple[str, str, str]) -> tuple[FeeLine, ...]:
        return tuple(FeeLine(f"{n}", code, code, Decimal(qty), Decimal(price), Decimal(qty) * Decimal(price))
                     for n, (code, qty, price) in enumerate(items, start=1))

    def settle_input(self, handle: str, lines: tuple[FeeLine, ...], med_type: str = "41",
                     payplan: tuple[PlannedLeg, ...] | None = None, use_account: bool = True,
                     use_wallet: bool = True, medfee: Decimal | None = None, **extra: Any) -> SettleInput:
        who = self.person(handle)
        total = sum((line.amt for line in lines), Decimal("0")) if medfee is None else medfee
        return SettleInput(psn_no=who.psn_no, cert_type="02", cert_no=who.certno, med_type=med_type,
                           insutype=who.insutype, medfee_sumamt=total, use_account=use_account,
                           exp=ExpContent(payplan, use_wallet), lines=lines, **extra)

    def pharmacy(self, handle: str, *items: tuple[str, str, str], commit: bool = True,
                 **options: Any) -> SettlementView:
        inp = self.settle_input(handle, self.lines(*items), **options)
        return self.platform.settlement.pharmacy(self.meta("2102" if commit else "2101"), inp, commit)

    def revoke(self, view: SettlementView, infno: str = "2103") -> SettlementView:
        assert view.setl_id is not None
        return self.platform.revocation.revoke(self.meta(infno), view.setl_id, view.mdtrt_id, view.patient.psn_no)


def balances(platform: Platform) -> dict[str, dict[str, str]]:
    return platform.admin.balances()


def conserved(platform: Platform) -> bool:
    return platform.admin.conservation()["ok"] is True


def legs(view: SettlementView) -> list[tuple[str, int | None, str]]:
    return [(leg.source, leg.rank, str(leg.amount)) for leg in view.legs]


def account(platform: Platform, handle: str) -> str:
    """The personal-account balance of the person loaded as `handle`."""
    return platform.admin.balances()["accounts"][platform.admin.handles()["handles"][handle]]


def meta_for(desk: Desk, infno: str) -> RequestMeta:
    return desk.meta(infno)
