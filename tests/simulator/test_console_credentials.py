"""Doors that hold under a probe (issue 15 item 7): the console's journal, which anyone may read without
the admin token, never hands out a live ecToken (a 30-minute bearer credential for 1101 and settlements) or
an e-voucher code. Before, a decode reply and every 1101 request showed the token in full."""

from __future__ import annotations

import json

from sim_flows import Sim

from tools.worlds import PHARMACY, world


def test_the_journal_shows_no_live_ec_token_and_no_evoucher_code(sim: Sim) -> None:
    handles = sim.load(world())["handles"]
    pc = sim.client(PHARMACY)
    code = sim.evoucher(handles["pat"])
    token = pc.decode(code).body["data"]["ecToken"]
    assert pc.person_info("01", token).ok  # the token is live: it identifies the patient
    shown = json.dumps(sim.t.get(f"/console/api/journal?institution={PHARMACY}").body, ensure_ascii=False)
    assert shown.count("1101") >= 1 and "ec****" in shown  # the exchanges are there, the token masked
    assert token not in shown and token[8:] not in shown
    assert code not in shown and code[6:-4] not in shown
    everyone = json.dumps(sim.t.get("/console/api/journal").body, ensure_ascii=False)
    assert token[8:] not in everyone and code[6:-4] not in everyone
