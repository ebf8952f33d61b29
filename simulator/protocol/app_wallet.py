"""The family app API (JSON under /app): wallets, wallet transfers and the guardian's 亲情账户."""

from __future__ import annotations

from flask import Blueprint, Response

from simulator.platform.wallet import SOURCES, TransferRequest
from simulator.protocol.app_common import amount, body, choice, family, text
from simulator.protocol.runtime import json_response

app_wallet = Blueprint("app_wallet", __name__, url_prefix="/app")


@app_wallet.post("/wallets")
def open_wallet() -> Response:
    return json_response(family().open_wallet(text(body(), "psn_no")))


@app_wallet.get("/persons/<psn_no>/wallet")
def wallet_history(psn_no: str) -> Response:
    return json_response(family().wallet_history(psn_no))


@app_wallet.post("/wallet-transfers")
def send_transfer() -> Response:
    b = body()
    req = TransferRequest(sender=text(b, "from"), receiver=text(b, "to"), source=choice(b, "source", SOURCES, "account"),
                          amount=amount(b, "amount"), relation=text(b, "relation"),
                          verification=text(b, "verification", required=False), pin=text(b, "pin", required=False))
    return json_response(family().send_transfer(req))


@app_wallet.get("/wallet-transfers/<transfer_id>")
def transfer_detail(transfer_id: str) -> Response:
    return json_response(family().transfer_detail(transfer_id))


@app_wallet.post("/wallet-transfers/<transfer_id>/accept")
def accept_transfer(transfer_id: str) -> Response:
    return json_response(family().accept_transfer(transfer_id, text(body(), "by")))


@app_wallet.post("/guardians")
def add_guardian() -> Response:
    b = body()
    return json_response(family().add_guardian(text(b, "guardian"), text(b, "minor"), text(b, "relation")))


@app_wallet.get("/persons/<psn_no>/minors")
def minors_of(psn_no: str) -> Response:
    return json_response(family().minors_of(psn_no))
