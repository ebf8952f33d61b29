"""A till that calls the platform's use cases directly (no Flask, no HTTP, no database: the memory store,
simulator/memory.py); the world the fast tests load is tools/worlds.py's `two_province_world`."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from simulator.domain.models import FeeLine, Person
from simulator.domain.payplan import ExpContent, PlannedLeg
from simulator.domain.requests import RequestMeta
from simulator.domain.views import SettlementView
from simulator.platform.service import Platform
from simulator.platform.settlement.settle import SettleInput
from tools.worlds import GANSU_SHOP, HOSPITAL, PHARMACY, two_province_world

__all__ = ["GANSU_SHOP", "HOSPITAL", "PHARMACY", "Desk", "world"]

# The fast tests' small world is tools/worlds.py's (one module of hand-made worlds for every suite).
world = two_province_world


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
