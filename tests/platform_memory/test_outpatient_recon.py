"""Outpatient visits (2201–2208) and reconciliation (3201, 9101, 3202, 9102) on the memory store."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from desk import HOSPITAL, PHARMACY, Desk, account, conserved

from simulator.domain.models import FeeLine
from simulator.domain.recon import Period, Totals
from simulator.domain.refusals import (
    AlreadySettled,
    DuplicateFeeLine,
    FileUnknown,
    VisitCancelled,
    VisitHasSettlement,
    VisitMismatch,
)
from simulator.platform.service import Platform


@pytest.fixture
def clinic(platform: Platform) -> Desk:
    return Desk(platform, HOSPITAL)


def visit(clinic: Desk, handle: str = "pat") -> str:
    return clinic.platform.visits.register(clinic.meta("2201"), clinic.psn(handle), "310", "", "", "", "", "OTP1")


def batch(*items: tuple[str, str, str, str]) -> list[FeeLine]:
    return [FeeLine(sn, code, code, Decimal(qty), Decimal(price), Decimal(qty) * Decimal(price), "B1")
            for sn, code, qty, price in items]


def test_a_visit_settles_its_uploaded_lines_once_and_a_revoke_frees_them(platform: Platform, clinic: Desk) -> None:
    mdtrt_id = visit(clinic)
    pat = clinic.psn("pat")
    splits, found = platform.visits.upload(clinic.meta("2204"), mdtrt_id, pat,
                                              batch(("1", "A001", "1", "30.00"), ("2", "C001", "1", "10.00")))
    assert [s.line.code for s in splits] == ["A001", "C001"] and found.warnings == ()
    inp = clinic.settle_input("pat", (), med_type="11", medfee=Decimal("40.00"), mdtrt_id=mdtrt_id)
    quote = platform.settlement.outpatient(clinic.meta("2206"), inp, False)
    view = platform.settlement.outpatient(clinic.meta("2207"), inp, True)
    assert quote.amounts == view.amounts and view.amounts["medfee_sumamt"] == Decimal("40.00")
    with pytest.raises(AlreadySettled):
        platform.settlement.outpatient(clinic.meta("2207"), inp, True)
    with pytest.raises(VisitHasSettlement):
        platform.visits.cancel(clinic.meta("2202"), mdtrt_id, pat)
    desk_revoke = clinic.revoke(view, infno="2208")
    assert desk_revoke.status == "revoked" and account(platform, "pat") == "20.00"
    again = platform.settlement.outpatient(clinic.meta("2207"), inp, True)  # the lines are free again
    assert again.amounts == view.amounts and conserved(platform)


def test_fee_lines_duplicates_deletes_and_a_cancelled_visit(platform: Platform, clinic: Desk) -> None:
    mdtrt_id, pat = visit(clinic), clinic.psn("pat")
    platform.visits.upload(clinic.meta("2204"), mdtrt_id, pat, batch(("1", "A001", "1", "30.00")))
    with pytest.raises(DuplicateFeeLine):
        platform.visits.upload(clinic.meta("2204"), mdtrt_id, pat, batch(("1", "A001", "1", "30.00")))
    splits, found = platform.visits.upload(clinic.meta("2204"), mdtrt_id, pat, batch(("3", "ZZZ9", "1", "4.00")))
    assert splits[0].lv == "03" and splits[0].fulamt == Decimal("4.00") and len(found.warnings) == 1 and "ZZZ9" in found.warnings[0]  # unknown: 丙, warned
    platform.visits.diagnose(clinic.meta("2203"), mdtrt_id, pat, "14", [{"diag_code": "I10"}])
    assert platform.visits.delete_lines(clinic.meta("2205"), mdtrt_id, pat, "0000") == 2
    platform.visits.cancel(clinic.meta("2202"), mdtrt_id, pat)
    with pytest.raises(VisitCancelled):
        platform.visits.upload(clinic.meta("2204"), mdtrt_id, pat, batch(("2", "A001", "1", "1.00")))
    with pytest.raises(VisitMismatch):
        platform.visits.cancel(clinic.meta("2202"), visit(clinic, "sis"), pat)


def period(refd: str = "0") -> Period:
    return Period(date(2026, 5, 10), date(2026, 5, 10), "41", "610103", refd)


def test_day_end_totals_balance_or_name_every_difference(platform: Platform, desk: Desk) -> None:
    desk.pharmacy("pat", ("A001", "2", "28.40"))
    revoked = desk.pharmacy("sis", ("A001", "1", "10.00"))
    desk.revoke(revoked)
    ok = Totals(Decimal("56.80"), Decimal("0.00"), Decimal("56.80"), Decimal("0.00"), 1)
    assert platform.reconciliation.reconcile_totals(desk.meta("3201"), period(), ok) == ("0", "对账平衡")
    both = Totals(Decimal("56.80"), Decimal("0.00"), Decimal("56.80"), Decimal("0.00"), 3)  # + the pair
    assert platform.reconciliation.reconcile_totals(desk.meta("3201"), period("1"), both)[0] == "0"
    result, text = platform.reconciliation.reconcile_totals(desk.meta("3201"), period(), both)
    assert result == "1" and "结算笔数 平台 1 / 机构 3" in text


def test_the_detail_file_is_compared_line_by_line(platform: Platform, desk: Desk) -> None:
    view = desk.pharmacy("pat", ("A001", "2", "28.40"))
    line = f"{view.setl_id}\t{view.mdtrt_id}\t{view.patient.psn_no}\t56.80\t0.00\t50.00\t0\n"
    number = platform.reconciliation.upload_file(desk.meta("9101"), "detail.txt", line.encode())
    declared = Totals(Decimal("56.80"), Decimal("0.00"), Decimal("50.00"), Decimal("6.80"), 1)
    result_no, filename, _deadline, counts = platform.reconciliation.reconcile_detail(
        desk.meta("3202"), period(), number, declared)
    assert counts == {"0": 0, "1": 0, "2": 0, "3": 1}  # the account paid 56.80, the file says 50.00
    name, content = platform.reconciliation.download_file(desk.meta("9102"), result_no)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert archive.read("result.txt").decode().split("\t")[-1] == "数据不一致\n"
    assert name == filename
    with pytest.raises(FileUnknown):
        platform.reconciliation.download_file(Desk(platform, PHARMACY[:-1] + "9").meta("9102"), result_no)
