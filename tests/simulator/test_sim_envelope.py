"""Envelope validation and sign-in: every rejection is infcode -1 with a precise message, nothing changes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sim_client import SERVICE, FlaskTransport
from sim_flows import Sim

from tools.worlds import PHARMACY, world

PERSON_QUERY = {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": "610103197001011111"}}


@pytest.fixture
def loaded(sim: Sim) -> Sim:
    sim.load(world())
    return sim


def test_a_good_envelope_is_answered(loaded: Sim) -> None:
    pc = loaded.client(PHARMACY)
    reply = pc.call("1101", PERSON_QUERY)
    body = reply.body
    assert body["infcode"] == 0 and body["err_msg"] is None
    assert len(body["inf_refmsgid"]) == 30 and body["inf_refmsgid"].startswith("610103")
    assert len(body["respond_time"]) == 17


@pytest.mark.parametrize(("change", "code", "words"), [
    ({"msgid": None}, "ERR_MISSING_FIELD", "msgid"),
    ({"opter": ""}, "ERR_MISSING_FIELD", "opter"),
    ({"fixmedins_name": None}, "ERR_MISSING_FIELD", "fixmedins_name"),
    ({"msgid": "P610103000172026051010000"}, "ERR_BAD_MSGID", "msgid"),
    ({"msgid": "X61010300017202605101000000001"}, "ERR_BAD_MSGID", "msgid"),
    ({"msgid": "P61010300017202613101000000001"}, "ERR_BAD_MSGID", "msgid"),
    ({"inf_time": "2026/05/10 10:00:00"}, "ERR_BAD_INF_TIME", "inf_time"),
    ({"input": "not an object"}, "ERR_MISSING_FIELD", "input"),
    ({"infno": "9999"}, "ERR_UNKNOWN_INFNO", "9999"),
    ({"infno": ["1101"]}, "ERR_BAD_ENVELOPE", "infno"),
    ({"sign_no": ""}, "ERR_NOT_SIGNED_IN", "9001"),
    ({"sign_no": "12345"}, "ERR_SIGN_NO_UNKNOWN", "重新签到"),
    ({"fixmedins_code": "H61010300001", "msgid": "H61010300001202605101000000001"}, "ERR_SIGN_NO_UNKNOWN", "不属于"),
    ({"input": {"data": {"mdtrt_cert_type": "09", "mdtrt_cert_no": "x"}}}, "ERR_BAD_FIELD", "mdtrt_cert_type"),
    ({"input": {"nodata": {}}}, "ERR_MISSING_NODE", "data"),
    ({"input": {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": "000000000000000000"}}}, "ERR_PERSON_UNKNOWN", ""),
])
def test_envelope_rejections_change_nothing(loaded: Sim, change: dict[str, Any], code: str, words: str) -> None:
    pc = loaded.client(PHARMACY)
    before = loaded.snapshot()
    env = pc.envelope("1101", PERSON_QUERY)
    env.update(change)
    env = {k: v for k, v in env.items() if v is not None}
    reply = pc.t.post(SERVICE, env)
    assert reply.status == 200 and reply.body["infcode"] == -1 and reply.body["output"] is None
    assert reply.body["err_code"] == code and words in reply.body["err_msg"]
    assert loaded.snapshot() == before


def test_insuplc_is_required_when_a_psn_no_is_named(loaded: Sim) -> None:
    pc = loaded.client(PHARMACY)
    reply = pc.call("5203", {"data": {"psn_no": "61010300000000000001", "setl_id": "x"}})
    assert reply.code == "ERR_MISSING_FIELD" and "insuplc_admdvs" in reply.err
    pc.insuplc = "440106"
    h = loaded.admin("get", "/handles")["handles"]
    mismatch = pc.call("2201", {"data": {"psn_no": h["pat"], "insutype": "310", "begntime": "2026-05-10 09:00:00",
                                         "mdtrt_cert_type": "02", "mdtrt_cert_no": "610103197001011111",
                                         "ipt_otp_no": "1"}})
    assert mismatch.code == "ERR_INSUPLC_MISMATCH"


def test_garbage_bodies_are_refused(loaded: Sim, app: Any) -> None:
    client = app.test_client()
    for raw in (b"not json", b"\xff\xfe", b"[1, 2]"):
        resp = client.post(SERVICE, data=raw, content_type="application/json")
        assert resp.status_code == 200 and resp.get_json()["infcode"] == -1
    assert client.post(SERVICE, data=b"[]").get_json()["err_code"] == "ERR_BAD_ENVELOPE"


def test_unknown_institution_is_refused(sim: Sim) -> None:
    reply = sim.client("P00000000000", sign_in=False).call("9001", {"signIn": {"opter_no": "1"}})
    assert reply.code == "ERR_INSTITUTION_UNKNOWN"


def test_a_reused_msgid_is_refused_for_any_transaction(loaded: Sim) -> None:
    pc = loaded.client(PHARMACY)
    assert pc.call("1101", PERSON_QUERY).ok
    assert pc.call("1101", PERSON_QUERY, msgid=pc.last_msgid).code == "ERR_MSGID_REUSED"


def test_sign_in_is_once_per_operator_per_day_and_expires_at_midnight(loaded: Sim) -> None:
    pc = loaded.client(PHARMACY)
    first = pc.sign_no
    assert pc.sign_in() == first
    loaded.set_clock("2026-05-11T08:00:00")
    reply = pc.call("1101", PERSON_QUERY)
    assert reply.code == "ERR_SIGNIN_EXPIRED" and "9001" in reply.err
    assert pc.sign_in() != first
    assert pc.call("1101", PERSON_QUERY).ok


def test_sign_out_ends_the_sign_no(loaded: Sim) -> None:
    pc = loaded.client(PHARMACY)
    out = pc.call("9002", {"signOut": {"sign_no": pc.sign_no, "opter_no": "T001"}})
    assert out.output["signinoutb"]["sign_no"] == pc.sign_no
    assert pc.call("1101", PERSON_QUERY).code == "ERR_SIGNED_OUT"
    assert pc.call("9002", {"signOut": {"sign_no": pc.sign_no, "opter_no": "T001"}}).code == "ERR_SIGNED_OUT"
    pc.sign_in()
    assert pc.call("1101", PERSON_QUERY).ok
    assert pc.call("9002", {"signOut": {"sign_no": "nope", "opter_no": "T001"}}).code == "ERR_SIGN_NO_UNKNOWN"


def test_x_tif_gateway_when_auth_is_tif(make_app: Any) -> None:
    import hashlib
    import time

    from sim_client import ProtocolClient

    app = make_app(auth="tif", tif_credentials={"his01": "s3cret"})
    t = FlaskTransport(app.test_client())
    pc = ProtocolClient(t, PHARMACY)
    env = pc.envelope("9001", {"signIn": {"opter_no": "1"}})

    def headers(token: str, nonce: str, stamp: int | None = None) -> dict[str, str]:
        ts = str(int(time.time()) if stamp is None else stamp)
        sig = hashlib.sha256(f"{ts}{token}{nonce}{ts}".encode()).hexdigest()
        return {"x-tif-paasid": "his01", "x-tif-timestamp": ts, "x-tif-nonce": nonce, "x-tif-signature": sig}

    assert t.post(SERVICE, env).body["err_code"] == "ERR_TIF_MISSING"
    assert t.post(SERVICE, env, headers("wrong", "n1")).body["err_code"] == "ERR_TIF_SIGNATURE"
    stale = t.post(SERVICE, env, headers("s3cret", "n2", int(time.time()) - 301))
    assert stale.status == 401 and stale.body["err_code"] == "ERR_TIF_STALE"
    good = t.post(SERVICE, env, headers("s3cret", "n3"))
    assert good.status == 200 and good.body["err_code"] == "ERR_INSTITUTION_UNKNOWN"  # past the gateway
    assert t.post(SERVICE, env, headers("s3cret", "n3")).body["err_code"] == "ERR_TIF_NONCE"
    other = dict(headers("s3cret", "n4"), **{"x-tif-paasid": "nobody"})
    assert t.post(SERVICE, env, other).body["err_code"] == "ERR_TIF_PAASID"


def test_a_rejected_requests_msgid_is_not_consumed(loaded: Sim) -> None:
    """Documented choice (Msgids.claim, platform/msgids.py): a refusal changes nothing, not even the msgid record."""
    from sim_client import fee_line
    from sim_flows import druginfo

    from tools.worlds import item

    h = loaded.admin("get", "/handles")["handles"]
    pc = loaded.client(PHARMACY)
    pc.insuplc = "610103"
    buy = druginfo(h["pat"], ("02", "610103197001011111"), [fee_line("1", item("A001", "1", "10.00"))], "310")
    before = loaded.snapshot()
    wrong = dict(buy, druginfo=dict(buy["druginfo"], medfee_sumamt="11.00"))
    assert pc.call("2102", wrong).code == "ERR_MEDFEE_MISMATCH"
    msgid = pc.last_msgid
    assert loaded.snapshot() == before
    assert pc.call("2102", buy, msgid=msgid).ok
    assert pc.call("2102", buy, msgid=msgid).code == "ERR_MSGID_REUSED"
    assert loaded.account(h["pat"]) == Decimal("10.00")  # 20.00 - 10.00, debited once
