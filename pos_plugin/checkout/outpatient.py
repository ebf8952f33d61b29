"""The outpatient visit's steps on the platform before the money (docs/domain.md §2.8):
register with the desk's department, doctor, category and diagnoses (2201 + 2203), upload a batch of fee lines
(2204, the platform's split of each line back), delete a batch (2205), cancel the registration (2202).

One code path: the one-call checkout (`Counter.quote`) and the visit desk (checkout/visit.py) both take these
steps; the money (2206 pre-settle, 2207 settle under the journal, 2208 revoke) is the Counter's, for both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pos_plugin.checkout import requests_build as build
from pos_plugin.checkout.identify import Patient
from pos_plugin.domain.cart import CartLine
from pos_plugin.errors import PosError
from pos_plugin.platform import PlatformClient

ALL_BATCHES = "0000"  # 2205 / 2206 / 2207 `chrg_bchno`: every unsettled line of the visit


@dataclass(frozen=True)
class Registered:
    """An outpatient visit open on the platform: its mdtrt_id and the 门诊号 (ipt_otp_no) it was registered under."""

    mdtrt_id: str
    visit_no: str


def register(platform: PlatformClient, patient: Patient, details: build.VisitDetails, med_type: str,
             now: datetime) -> Registered:
    """2201 with the desk's department, doctor and category, then 2203 with the visit's diagnoses; a visit whose
    2203 is refused is cancelled again (best effort) and the refusal raised."""
    visit_no = now.strftime("%Y%m%d%H%M%S%f")
    reg = platform.register(build.registration(patient, now, visit_no=visit_no, details=details),
                            insuplc=patient.insuplc)
    try:
        mdtrtinfo, diseinfo = build.visit(patient, reg.mdtrt_id, med_type, now, details)
        platform.upload_visit(mdtrtinfo, diseinfo, insuplc=patient.insuplc)
    except PosError:
        close(platform, mdtrt_id=reg.mdtrt_id, psn_no=patient.psn_no, insuplc=patient.insuplc, visit_no=visit_no)
        raise
    return Registered(reg.mdtrt_id, visit_no)


def upload(platform: PlatformClient, *, mdtrt_id: str, psn_no: str, insuplc: str, lines: Sequence[CartLine],
           now: datetime, details: build.VisitDetails, batch: str = ALL_BATCHES, first: int = 1) -> list[dict[str, Any]]:
    """2204: one batch of fee lines (`chrg_bchno` = `batch`, numbered from `first`); the platform's split of each."""
    rows = build.outpatient_fees(psn_no, mdtrt_id, lines, now, details, batch=batch, first=first)
    return platform.upload_fees(rows, insuplc=insuplc)


def delete(platform: PlatformClient, *, mdtrt_id: str, psn_no: str, insuplc: str, batch: str = ALL_BATCHES) -> int:
    """2205: the unsettled lines of a batch (`0000`: all of them); how many went."""
    return platform.delete_fees(mdtrt_id=mdtrt_id, psn_no=psn_no, insuplc=insuplc, chrg_bchno=batch)


def cancel(platform: PlatformClient, *, mdtrt_id: str, psn_no: str, insuplc: str, visit_no: str) -> None:
    """2205 every unsettled line, then 2202: the registration is cancelled (refused while a settlement stands)."""
    delete(platform, mdtrt_id=mdtrt_id, psn_no=psn_no, insuplc=insuplc)
    platform.cancel_registration(psn_no=psn_no, mdtrt_id=mdtrt_id, ipt_otp_no=visit_no, insuplc=insuplc)


def close(platform: PlatformClient, *, mdtrt_id: str, psn_no: str, insuplc: str, visit_no: str) -> bool:
    """`cancel`, best effort: an open unsettled visit moves no money and the platform closes it at day end.
    True when the platform cancelled it."""
    try:
        cancel(platform, mdtrt_id=mdtrt_id, psn_no=psn_no, insuplc=insuplc, visit_no=visit_no)
    except PosError:
        return False
    return True
