"""x-tif and msgid doors (issue 12): a paasid acts only for its institutions, nonces are shared by every
process on one database, the timestamp is plain Unix seconds, msgid ownership is the exact code."""

from __future__ import annotations

import hashlib
import itertools
import time
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sim_client import DECODE, SERVICE, FlaskTransport, ProtocolClient
from sim_flows import Sim, pharmacy_shop

from tools.worlds import HOSPITAL, PHARMACY, world

_nonces = itertools.count(1)


def tif(token: str, paasid: str = "his01", nonce: str | None = None, stamp: str | None = None) -> dict[str, str]:
    ts = str(int(time.time())) if stamp is None else stamp
    nonce = nonce or f"n{time.time_ns()}-{next(_nonces)}"
    sig = hashlib.sha256(f"{ts}{token}{nonce}{ts}".encode()).hexdigest()
    return {"x-tif-paasid": paasid, "x-tif-timestamp": ts, "x-tif-nonce": nonce, "x-tif-signature": sig}


class SignedTransport(FlaskTransport):
    """Flask test client that signs every request with a fresh nonce."""

    def __init__(self, client: Any, token: str, paasid: str = "his01") -> None:
        super().__init__(client)
        self.token, self.paasid = token, paasid

    def post(self, path: str, body: Any, headers: dict[str, str] | None = None) -> Any:
        return super().post(path, body, {**tif(self.token, self.paasid), **(headers or {})})


def test_a_paasid_acts_only_for_its_institutions(make_app: Callable[..., Flask]) -> None:
    app = make_app(auth="tif", tif_credentials={"his01": f"s3cret:{PHARMACY}", "his02": f"other:{HOSPITAL}"})
    sim = Sim(SignedTransport(app.test_client(), "s3cret"))
    shop = pharmacy_shop(sim, "1", "10.00")  # his01 signs in as the pharmacy: allowed
    settled = shop["pc"].call("2102", shop["buy"]).output["setlinfo"]
    before = sim.snapshot()
    as_hospital = ProtocolClient(sim.t, HOSPITAL)
    reply = as_hospital.call("9001", {"signIn": {"opter_no": "T001"}})
    assert reply.status == 401 and reply.code == "ERR_TIF_INSTITUTION"
    # holder B (his02) cannot revoke A's settlement, whatever sign_no it carries
    b = ProtocolClient(SignedTransport(app.test_client(), "other", "his02"), PHARMACY)
    b.sign_no, b.insuplc = shop["pc"].sign_no, "610103"
    revoke = b.call("2103", {"data": {"setl_id": settled["setl_id"], "mdtrt_id": settled["mdtrt_id"],
                                      "psn_no": shop["pat"]}})
    assert revoke.status == 401 and revoke.code == "ERR_TIF_INSTITUTION"
    decode = b.t.post(DECODE, {"data": {"orgId": PHARMACY, "businessType": "01101", "ecQrCode": "x"}})
    assert decode.status == 401 and decode.body["err_code"] == "ERR_TIF_INSTITUTION"
    assert sim.snapshot() == before


def test_nonces_are_shared_by_processes_on_one_database(make_app: Callable[..., Flask]) -> None:
    one = make_app(auth="tif", tif_credentials={"his01": "s3cret"})
    two = make_app(auth="tif", tif_credentials={"his01": "s3cret"})  # a second process on the same database
    env = ProtocolClient(None, PHARMACY).envelope("9001", {"signIn": {"opter_no": "1"}})
    headers = tif("s3cret", nonce="replayed-once")
    first = FlaskTransport(one.test_client()).post(SERVICE, env, headers)
    assert first.status == 200 and first.body["err_code"] == "ERR_INSTITUTION_UNKNOWN"  # past the gateway
    replay = FlaskTransport(two.test_client()).post(SERVICE, env, headers)
    assert replay.status == 401 and replay.body["err_code"] == "ERR_TIF_NONCE"


@pytest.mark.parametrize("stamp", ["²", "1" * 400, "-5", " 1767225600", "1.5e9", "１７６７２２５６００"])
def test_x_tif_timestamps_must_be_plain_unix_seconds(make_app: Callable[..., Flask], stamp: str) -> None:
    app = make_app(auth="tif", tif_credentials={"his01": "s3cret"})
    env = ProtocolClient(None, PHARMACY).envelope("9001", {"signIn": {"opter_no": "1"}})
    # as a real HTTP server hands them over: header bytes read as latin-1 ("²" is one latin-1 byte, 0xB2)
    headers = {k: v if max(map(ord, v)) < 256 else v.encode("utf-8").decode("latin-1")
               for k, v in tif("s3cret", stamp=stamp).items()}
    reply = FlaskTransport(app.test_client()).post(SERVICE, env, headers)
    assert reply.status == 401 and reply.body["err_code"] == "ERR_TIF_STALE", reply.body


def test_msgid_ownership_is_the_exact_institution_code(sim: Sim) -> None:
    """"P6101030001" is a prefix of "P61010300017": it must not kill the other's future msgids with 2601."""
    prefix = PHARMACY[:-1]
    institutions = world()["institutions"] + [dict(world()["institutions"][0], code=prefix, name="前缀药房")]
    shop = pharmacy_shop(sim, "1", "10.00")
    sim.load(world(institutions=institutions, people=[], bindings=[], wallets=[]))
    attacker = sim.client(prefix)
    attacker.insuplc = "610103"
    victim_msgid = shop["pc"].next_msgid()
    assert victim_msgid.startswith(prefix)
    kill = attacker.call("2601", {"data": {"psn_no": shop["pat"], "omsgid": victim_msgid, "oinfno": "2102"}})
    assert kill.code == "ERR_ORIGINAL_UNKNOWN"
    assert shop["pc"].call("2102", shop["buy"], msgid=victim_msgid).ok
