"""9001 / 9002 sign in and out, 1101 person info."""

from __future__ import annotations

from typing import Any

from simulator.platform.service import Platform
from simulator.protocol import inputs, wire
from simulator.protocol.envelope import Envelope


def sign_in(platform: Platform, env: Envelope) -> dict[str, Any]:
    data = inputs.node(env.input, "signIn")
    opter_no = inputs.text(data, "opter_no", "signIn")
    sign_no, sign_time = platform.identity.sign_in(env.meta(), opter_no)
    return {"signinoutb": {"sign_no": sign_no, "sign_time": sign_time}}


def sign_out(platform: Platform, env: Envelope) -> dict[str, Any]:
    data = inputs.node(env.input, "signOut")
    sign_no = inputs.text(data, "sign_no", "signOut")
    sign_no, sign_time = platform.identity.sign_out(env.meta(), sign_no)
    return {"signinoutb": {"sign_no": sign_no, "sign_time": sign_time}}


def person_info(platform: Platform, env: Envelope) -> dict[str, Any]:
    data = inputs.node(env.input, "data")
    cert_type = inputs.choice(data, "mdtrt_cert_type", "data", ("01", "02", "03"))
    cert_no = inputs.text(data, "mdtrt_cert_no", "data", required=False)
    card_sn = inputs.text(data, "card_sn", "data", required=False)
    certno = inputs.text(data, "certno", "data", required=False)
    if not (cert_no or card_sn or certno):
        inputs.require(data, ("mdtrt_cert_no",), "data")
    info = platform.identity.person_info(env.meta(), cert_type, cert_no, card_sn, certno,
                                inputs.text(data, "psn_name", "data", required=False))
    return wire.person_info(info, platform.today())


HANDLERS = {"9001": sign_in, "9002": sign_out, "1101": person_info}
