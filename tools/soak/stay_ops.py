"""The inpatient stays of one soak till process (tools/soak/till.py): each operation takes the next step of one
patient's stay — admit (2401), a batch of the day's fees (2301), discharge (2402), settle (2303 + 2304 through the
journal), revoke (2305), cancel the discharge (2405) — through the terminal's `StayDesk`, on the stay its own stay
book holds: a stay whose till was killed between two batches is continued, after the restart, from the book.

Each patient's stays follow one calendar, kept in the stay book: a stay is admitted the day after the
patient's last stay ended, a batch's fees arise at noon of the day after the stay's last batch (the first on
the admission day), the discharge is at 18:00 of the last batch's day."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from pos_plugin.checkout.identify import Credential, Patient, identify
from pos_plugin.checkout.stay import TIME, Ward
from pos_plugin.config import Terminal
from pos_plugin.domain.cart import cart_line_from_mapping
from pos_plugin.errors import PosError
from pos_plugin.journal.stays import StayRecord
from tools.soak.world import WARD_ITEMS

KINDS = ("stay",)
MONEY_POINTS = ("before_send", "reply_unrecorded", "reply_recorded", "stay_booked")
# where a kill -9 may strike each step (tools/soak/till.py): between two batches, or around a money request
KILL_POINTS = {"admit": ("stay_booked",), "fees": ("fees_booked",), "discharge": ("stay_booked",),
               "cancel_discharge": ("stay_booked",), "settle": MONEY_POINTS, "revoke": MONEY_POINTS}
FIRST_DAY = date(2026, 1, 5)  # the soak's first admission
INPATIENT = "01101"  # the business type a stay's identification is for


def run(op: dict[str, Any], terminal: Terminal, rng: random.Random, arm: Callable[[str], None]) -> dict[str, Any]:
    """The next step of the patient's stay in this till's stay book: admit a patient with none open (or whose
    last stay is settled and kept), else fees or the discharge of an admitted stay, the settlement (or now and
    then the cancelled discharge) of a discharged one, the revoke of a settled one now and then."""
    patient = identify(terminal.client, Credential("id_card", op["certno"]), business_type=INPATIENT)
    mine = [s for s in terminal.stays.all() if s.psn_no == patient.psn_no and s.state != "cancelled"]
    stay = mine[-1] if mine else None
    step = _step(terminal, stay, rng)
    if op.get("kill"):
        arm(rng.choice(KILL_POINTS[step]))
    try:
        return {"ok": True, "step": step} | _do(step, terminal, patient, stay, op, rng)
    except PosError as exc:
        return {"ok": False, "step": step, "error": exc.code}


def _step(terminal: Terminal, stay: StayRecord | None, rng: random.Random) -> str:
    if stay is None or (stay.state == "settled" and rng.random() < 0.7):
        return "admit"
    if stay.state == "admitted":
        fees = terminal.stays.count_fees(stay.mdtrt_id)
        return "fees" if fees == 0 or rng.random() < 0.6 else "discharge"
    if stay.state == "discharged":
        return "settle" if rng.random() < 0.85 else "cancel_discharge"
    return "revoke"


def _do(step: str, terminal: Terminal, patient: Patient, stay: StayRecord | None, op: dict[str, Any],
        rng: random.Random) -> dict[str, Any]:
    desk = terminal.desk
    if step == "admit":
        ward = Ward(f"ZY{op['seed']}", "A03.01", "内科", str(rng.randint(1, 60)), "D101", "王医生", "J18.900", "肺炎")
        begin = datetime.combine(_next_free_day(terminal, patient.psn_no), datetime.min.time()).replace(hour=10)
        return {"mdtrt_id": desk.admit(patient, ward, begntime=begin).mdtrt_id}
    assert stay is not None
    if step == "fees":
        lines = tuple(cart_line_from_mapping({**item, "qty": str(rng.randint(1, 3))})
                      for item in rng.sample(WARD_ITEMS, rng.randint(1, 3)))
        desk.add_fees(stay.mdtrt_id, lines, day=_next_batch_day(terminal, stay))
    elif step == "discharge":
        desk.discharge(stay.mdtrt_id, endtime=datetime.combine(_last_fee_day(terminal, stay),
                                                              datetime.min.time()).replace(hour=18))
    elif step == "settle":
        return {"mdtrt_id": stay.mdtrt_id,
                "setl_id": desk.checkout(stay.mdtrt_id, patient, lambda quote: True).settlement.setl_id}
    elif step == "revoke":
        desk.revoke(stay.mdtrt_id)
    else:
        desk.cancel_discharge(stay.mdtrt_id)
    return {"mdtrt_id": stay.mdtrt_id}


def _fee_days(terminal: Terminal, stay: StayRecord) -> list[date]:
    return [datetime.strptime(fee.fee_ocur_time, TIME).date() for fee in terminal.stays.fees(stay.mdtrt_id)]


def _last_fee_day(terminal: Terminal, stay: StayRecord) -> date:
    return max(_fee_days(terminal, stay), default=datetime.strptime(stay.begntime, TIME).date())


def _next_batch_day(terminal: Terminal, stay: StayRecord) -> date:
    days = _fee_days(terminal, stay)
    return max(days) + timedelta(days=1) if days else datetime.strptime(stay.begntime, TIME).date()


def _next_free_day(terminal: Terminal, psn_no: str) -> date:
    """The day after the patient's last stay in this book ended (its discharge, or its last fees)."""
    ends = [max(datetime.strptime(s.endtime or s.begntime, TIME).date(), _last_fee_day(terminal, s))
            for s in terminal.stays.all() if s.psn_no == psn_no]
    return max(ends) + timedelta(days=1) if ends else FIRST_DAY
