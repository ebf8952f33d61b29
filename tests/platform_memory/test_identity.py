"""Sign-in (9001/9002), 1101 person info and the e-voucher (issue, decode to an ecToken, certificate 01)
on the memory store."""

from __future__ import annotations

from datetime import datetime

import pytest
from desk import HOSPITAL, Desk

from simulator.domain.refusals import (
    CodeExpired,
    CodeUsed,
    IdentityMismatch,
    SignedOut,
    SigninExpired,
    SignNoUnknown,
    TokenExpired,
)
from simulator.platform.service import Platform


def test_one_sign_in_per_operator_and_day_and_a_sign_out_ends_it(platform: Platform, desk: Desk) -> None:
    sign_no, _time = platform.identity.sign_in(desk.meta("9001"), "op1")
    assert platform.identity.sign_in(desk.meta("9001"), "op1")[0] == sign_no
    platform.identity.check_sign_no(sign_no, desk.code)
    with pytest.raises(SignNoUnknown):
        platform.identity.check_sign_no(sign_no, HOSPITAL)
    platform.identity.sign_out(desk.meta("9002"), sign_no)
    with pytest.raises(SignedOut):
        platform.identity.check_sign_no(sign_no, desk.code)
    assert platform.identity.sign_in(desk.meta("9001"), "op1")[0] == sign_no  # signed in again, same day
    platform.identity.check_sign_no(sign_no, desk.code)
    platform.clock.set(datetime(2026, 5, 11, 8, 0, 0), frozen=True)
    with pytest.raises(SigninExpired):
        platform.identity.check_sign_no(sign_no, desk.code)


def test_person_info_lists_each_funder_and_whether_they_can_pay_today(platform: Platform, desk: Desk) -> None:
    pat = desk.person("pat")
    info = platform.identity.person_info(desk.meta("1101"), "02", pat.certno, "", "", pat.name)
    assert [(a.rank, a.funder.psn_no, str(a.avail), a.usable) for a in info.aid] == [
        (1, desk.psn("f1"), "50.00", True), (2, desk.psn("f2"), "1000.00", True)]
    with pytest.raises(IdentityMismatch):
        platform.identity.person_info(desk.meta("1101"), "02", pat.certno, "", "", "王五")
    kid = platform.identity.person_info(desk.meta("1101"), "03", "", desk.person("kid").card_sn, "", "")
    assert kid.wallet is not None and kid.wallet.usable and str(kid.wallet.wallet.balance) == "40.00"


def test_an_e_voucher_decodes_once_to_a_token_that_names_the_patient(platform: Platform, desk: Desk) -> None:
    code, expires = platform.identity.issue_evoucher(desk.psn("pat"))
    assert len(code) == 28 and code.endswith("610103") and (expires - platform.now()).total_seconds() == 60
    decoded = platform.identity.decode_evoucher(desk.code, "01101", code)
    assert decoded.person.psn_no == desk.psn("pat")
    with pytest.raises(CodeUsed):
        platform.identity.decode_evoucher(desk.code, "01101", code)
    info = platform.identity.person_info(desk.meta("1101"), "01", decoded.token, "", "", "")
    assert info.person.psn_no == desk.psn("pat")
    view = desk.pharmacy("pat", ("A001", "1", "5.00"))
    assert view.patient.psn_no == desk.psn("pat")
    platform.clock.set(datetime(2026, 5, 10, 11, 0, 0), frozen=True)  # the token lives 30 minutes
    with pytest.raises(TokenExpired):
        platform.identity.person_info(desk.meta("1101"), "01", decoded.token, "", "", "")


def test_an_expired_e_voucher_is_refused(platform: Platform, desk: Desk) -> None:
    code, _expires = platform.identity.issue_evoucher(desk.psn("pat"))
    platform.clock.set(datetime(2026, 5, 10, 10, 1, 1), frozen=True)
    with pytest.raises(CodeExpired):
        platform.identity.decode_evoucher(desk.code, "01101", code)
