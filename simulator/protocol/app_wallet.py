"""The family app API (JSON under /app): wallets, wallet transfers and the guardian's 亲情账户.

Every route acts for the logged-in person (app_auth): their own wallet, transfers they send or
receive, the minors in their own 亲情账户; anyone else's answers as if it did not exist.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from simulator.domain.refusals import FaceCheckFailed, PinWrong, TransferUnknown
from simulator.platform.family.wallet import SOURCES, TransferRequest
from simulator.protocol.app_auth import (
    app_json,
    as_me,
    counterparty,
    face_secret,
    me,
    not_found_person,
    own,
    pin_field,
    verified,
)
from simulator.protocol.app_common import amount, body, choice, family, text

app_wallet = Blueprint("app_wallet", __name__, url_prefix="/app")


def _mine_or_ward(psn_no: str) -> str:
    """The actor themselves, or a minor in the actor's 亲情账户."""
    mine = me()
    if psn_no != mine and all(m["psn_no"] != psn_no for m in family().guardians.minors_of(mine)["minors"]):
        raise not_found_person(psn_no)
    return psn_no


def _transfer(transfer_id: str) -> dict[str, Any]:
    view = family().wallet.transfer_detail(transfer_id)
    if me() not in (view["sender"]["psn_no"], view["receiver"]["psn_no"]):
        raise TransferUnknown(transfer_id=transfer_id)
    return view


@app_wallet.post("/wallets")
def open_wallet() -> Response:
    return app_json(family().wallet.open_wallet(as_me(body(), "psn_no")))


@app_wallet.get("/persons/<psn_no>/wallet")
def wallet_history(psn_no: str) -> Response:
    return app_json(family().wallet.wallet_history(_mine_or_ward(psn_no)))


@app_wallet.post("/wallet-transfers")
def send_transfer() -> Response:
    b = body()
    sender = as_me(b, "from")
    pin = pin_field(b)  # a malformed PIN is refused before anything is compared or looked up
    receiver = counterparty(b, text(b, "to"), "收款人")
    req = TransferRequest(sender=sender, receiver=receiver, source=choice(b, "source", SOURCES, "account"),
                          amount=amount(b, "amount"), relation=text(b, "relation"),
                          verification=text(b, "verification", required=False), pin=pin or "")
    if pin is not None and not verified("pin", sender, pin):  # a PIN that is sent is always compared
        raise PinWrong()
    if req.verification == "face" and not verified("face", sender, face_secret(b, sender)):
        raise FaceCheckFailed()
    return app_json(family().wallet.send_transfer(req))


@app_wallet.get("/wallet-transfers/<transfer_id>")
def transfer_detail(transfer_id: str) -> Response:
    return app_json(_transfer(transfer_id))


@app_wallet.post("/wallet-transfers/<transfer_id>/accept")
def accept_transfer(transfer_id: str) -> Response:
    by = as_me(body(), "by")
    _transfer(transfer_id)
    return app_json(family().wallet.accept_transfer(transfer_id, by))


@app_wallet.post("/guardians")
def add_guardian() -> Response:
    """The guardian adds a minor, who is present: the minor's face secret proves it."""
    b = body()
    guardian, minor = as_me(b, "guardian"), text(b, "minor")
    if not verified("face", minor, face_secret(b, minor)):
        raise not_found_person(minor)
    return app_json(family().guardians.add_guardian(guardian, minor, text(b, "relation")))


@app_wallet.get("/persons/<psn_no>/minors")
def minors_of(psn_no: str) -> Response:
    return app_json(family().guardians.minors_of(own(psn_no)))
