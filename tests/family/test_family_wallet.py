"""Wallets and wallet transfers through real HTTP (docs/domain.md §4), including the 06:00 bounce driven by
the simulator clock; money is conserved throughout (pending transfers are in transit)."""

from __future__ import annotations

from typing import Any

import pytest
from family_api import Api
from family_world import child, person, world

SEND = "/app/wallet-transfers"


@pytest.fixture
def fam(api: Api) -> dict[str, str]:
    """`gran` (Henan, account 5,000.00) sends to `kid` (Xi'an, wallet); `gd` is insured in Guangdong."""
    h = api.load(world(person("gran", "national", psn_type="1201", birthday="1952-01-01", account="5000.00"),
                       child("kid", "shaanxi"), person("mum", "shaanxi", account="300.00"),
                       person("gd", "guangdong"), person("nowallet", "shaanxi"),
                       person("paused", "shaanxi", status="2"),
                       wallets=[{"owner": "kid", "balance": "0.00"}, {"owner": "mum", "balance": "50.00"},
                                {"owner": "gd", "balance": "0.00"}],
                       today="2026-03-02T09:00:00"))
    return h


def send(sender: str, receiver: str, amount: str = "100.00", **more: Any) -> dict[str, Any]:
    return {"from": sender, "to": receiver, "amount": amount, "relation": "grandparent", "verification": "face",
            "source": "account"} | more


# opening -------------------------------------------------------------------------------------------------
def test_open_a_wallet(api: Api, fam: dict[str, str]) -> None:
    opened = api.post("/app/wallets", {"psn_no": fam["gran"]})
    assert (opened["wallet"]["balance"], opened["wallet"]["status"]) == ("0.00", "active")
    assert api.get(f"/admin/persons/{fam['gran']}")["wallet"]["wallet_id"] == opened["wallet"]["wallet_id"]
    api.refused("/app/wallets", {"psn_no": fam["gran"]}, "ERR_WALLET_EXISTS")


def test_open_refusals(api: Api, fam: dict[str, str]) -> None:
    api.refused("/app/wallets", {"psn_no": fam["paused"]}, "ERR_BENEFICIARY_NOT_INSURED")
    h = api.load(world(person("canton", "guangdong")))
    api.refused("/app/wallets", {"psn_no": h["canton"]}, "ERR_WALLET_REGION_DISABLED")  # Guangdong: wallet off


# sending and accepting -------------------------------------------------------------------------------------
def test_send_accept_and_history(api: Api, fam: dict[str, str]) -> None:
    h = fam
    sent = api.post(SEND, send(h["gran"], h["kid"], "200.00"))
    assert (sent["status"], sent["due_at"], sent["amount"]) == ("pending", "2026-03-03 06:00:00", "200.00")
    assert api.balances()["accounts"][h["gran"]] == "4800.00"
    assert api.conserved()["in_transit"] == "200.00"
    api.refused(f"{SEND}/{sent['transfer_id']}/accept", {"by": h["gran"]}, "ERR_NOT_RECEIVER")
    done = api.post(f"{SEND}/{sent['transfer_id']}/accept", {"by": h["kid"]})
    assert (done["status"], done["closed_at"]) == ("accepted", "2026-03-02 09:00:00")
    assert api.balances()["wallets"][h["kid"]] == "200.00"
    assert api.conserved()["in_transit"] == "0.00"
    api.refused(f"{SEND}/{sent['transfer_id']}/accept", {"by": h["kid"]}, "ERR_TRANSFER_NOT_PENDING")
    kid, gran = api.get(f"/app/persons/{h['kid']}/wallet"), api.get(f"/app/persons/{h['gran']}/wallet")
    assert kid["wallet"]["balance"] == "200.00" and gran["wallet"] is None
    assert [(t["direction"], t["status"]) for t in kid["transfers"]] == [("received", "accepted")]
    assert [(t["direction"], t["amount"]) for t in gran["transfers"]] == [("sent", "200.00")]


def test_from_a_wallet_with_a_pin(api: Api, fam: dict[str, str]) -> None:
    h = fam
    sent = api.post(SEND, send(h["mum"], h["kid"], "50.00", source="wallet", relation="parent", verification="pin",
                               pin="123456"))
    api.post(f"{SEND}/{sent['transfer_id']}/accept", {"by": h["kid"]})
    wallets = api.balances()["wallets"]
    assert (wallets[h["mum"]], wallets[h["kid"]]) == ("0.00", "50.00")
    api.conserved()


@pytest.mark.parametrize(("now", "allowed"), [
    ("2026-03-02T21:59:59", True), ("2026-03-02T22:00:00", False), ("2026-03-02T23:30:00", False),
    ("2026-03-03T05:59:59", False), ("2026-03-03T06:00:00", True),
])
def test_no_transfers_at_night(api: Api, fam: dict[str, str], now: str, allowed: bool) -> None:
    api.clock(now)
    if allowed:
        assert api.post(SEND, send(fam["gran"], fam["kid"]))["status"] == "pending"
    else:
        api.refused(SEND, send(fam["gran"], fam["kid"]), "ERR_WALLET_NIGHT")


@pytest.mark.parametrize(("amount", "allowed"), [("2000.00", True), ("2000.01", False), ("0.00", False),
                                                 ("0.01", True)])
def test_amount_limit(api: Api, fam: dict[str, str], amount: str, allowed: bool) -> None:
    if allowed:
        assert api.post(SEND, send(fam["gran"], fam["kid"], amount))["amount"] == amount
    else:
        api.refused(SEND, send(fam["gran"], fam["kid"], amount), "ERR_WALLET_AMOUNT")


def test_three_a_day_and_one_pending_at_a_time(api: Api, fam: dict[str, str]) -> None:
    h = fam
    for _ in range(3):
        sent = api.post(SEND, send(h["gran"], h["kid"], "10.00"))
        api.refused(SEND, send(h["gran"], h["kid"], "10.00"), "ERR_WALLET_PENDING")
        api.post(f"{SEND}/{sent['transfer_id']}/accept", {"by": h["kid"]})
    api.refused(SEND, send(h["gran"], h["kid"], "10.00"), "ERR_WALLET_DAILY_LIMIT")
    api.clock("2026-03-03T06:00:00")
    assert api.post(SEND, send(h["gran"], h["kid"], "10.00"))["status"] == "pending"  # a new day


@pytest.mark.parametrize(("change", "code"), [
    ({"verification": ""}, "ERR_VERIFICATION_REQUIRED"),
    ({"verification": "sms"}, "ERR_VERIFICATION_REQUIRED"),
    ({"verification": "pin", "pin": "12345"}, "ERR_PIN_MALFORMED"),
    ({"verification": "pin"}, "ERR_VERIFICATION_REQUIRED"),
    ({"relation": "friend"}, "ERR_RELATION_NOT_ALLOWED"),
    ({"amount": "4999.00"}, "ERR_WALLET_AMOUNT"),
    ({"source": "cash"}, "ERR_BAD_FIELD"),
    ({"amount": "12.345"}, "ERR_BAD_NUMBER"),
])
def test_transfer_refusals(api: Api, fam: dict[str, str], change: dict[str, str], code: str) -> None:
    api.refused(SEND, send(fam["gran"], fam["kid"]) | change, code)


def test_both_regions_must_have_the_wallet(api: Api, fam: dict[str, str]) -> None:
    h = fam
    api.refused(SEND, send(h["gran"], h["gd"]), "ERR_WALLET_REGION_DISABLED")
    api.refused(SEND, send(h["gd"], h["kid"]), "ERR_WALLET_REGION_DISABLED")


def test_sender_and_receiver_checks(api: Api, fam: dict[str, str]) -> None:
    h = fam
    api.refused(SEND, send(h["gran"], h["nowallet"]), "ERR_WALLET_UNKNOWN")
    api.refused(SEND, send(h["gran"], h["gran"]), "ERR_SELF_TRANSFER")
    api.refused(SEND, send(h["kid"], h["mum"], relation="child"), "ERR_NO_ACCOUNT")  # a resident has no account
    api.refused(SEND, send(h["mum"], h["kid"], "300.01", relation="parent"), "ERR_INSUFFICIENT_BALANCE")
    api.refused(SEND, send(h["mum"], h["kid"], "50.01", relation="parent", source="wallet"),
                "ERR_INSUFFICIENT_BALANCE")
    api.refused(SEND, send(h["paused"], h["kid"], relation="parent"), "ERR_BENEFICIARY_NOT_INSURED")
    api.refused(SEND, send(h["gran"], "41010599999999999999"), "ERR_PERSON_UNKNOWN", status=404)
    api.refused(f"{SEND}/ZZ00000000000000/accept", {"by": h["kid"]}, "ERR_TRANSFER_UNKNOWN", status=404)


# the bounce ----------------------------------------------------------------------------------------------
def test_unaccepted_transfer_bounces_at_six_when_the_clock_is_advanced(api: Api, fam: dict[str, str]) -> None:
    h = fam
    api.clock("2026-03-02T21:00:00")
    sent = api.post(SEND, send(h["gran"], h["kid"], "300.00"))
    api.post("/admin/clock/advance", {"seconds": 8 * 3600 + 59 * 60 + 59})  # 05:59:59 next day
    assert api.get(f"{SEND}/{sent['transfer_id']}")["status"] == "pending"
    assert api.conserved()["in_transit"] == "300.00"
    api.post("/admin/clock/advance", {"seconds": 1})  # 06:00:00
    assert api.balances()["accounts"][h["gran"]] == "5000.00"
    bounced = api.get(f"{SEND}/{sent['transfer_id']}")
    assert (bounced["status"], bounced["closed_at"]) == ("bounced", "2026-03-03 06:00:00")
    assert api.conserved()["in_transit"] == "0.00"
    api.refused(f"{SEND}/{sent['transfer_id']}/accept", {"by": h["kid"]}, "ERR_TRANSFER_NOT_PENDING")
    assert api.post(SEND, send(h["gran"], h["kid"], "300.00"))["status"] == "pending"  # no longer blocked


def test_bounce_when_the_clock_jumps_days_ahead_to_a_wallet_source(api: Api, fam: dict[str, str]) -> None:
    h = fam
    api.post(SEND, send(h["mum"], h["kid"], "50.00", source="wallet", relation="parent"))
    assert api.balances()["wallets"][h["mum"]] == "0.00"
    api.post("/admin/clock", {"now": "2026-03-09T12:00:00", "frozen": True})
    assert api.balances()["wallets"][h["mum"]] == "50.00"
    assert api.get(f"/app/persons/{h['mum']}/wallet")["transfers"][0]["closed_at"] == "2026-03-03 06:00:00"
    api.conserved()


def test_bounce_happens_lazily_before_a_read(api: Api, fam: dict[str, str], live_sim: Any) -> None:
    """The clock moves without an admin call (as real time does): the next read sees the bounce."""
    h = fam
    sent = api.post(SEND, send(h["gran"], h["kid"], "80.00"))
    app = live_sim.app
    clock = app.extensions["simulator"].platform.clock
    clock.set(clock.now().replace(day=3, hour=6, minute=0, second=1), frozen=True)
    assert api.balances()["accounts"][h["gran"]] == "5000.00"
    assert api.get(f"{SEND}/{sent['transfer_id']}")["status"] == "bounced"


def test_inactive_or_missing_wallets(api: Api) -> None:
    h = api.load(world(person("gran", "national", account="900.00"), child("kid", "shaanxi"),
                       person("mum", "shaanxi", account="100.00"),
                       wallets=[{"owner": "kid", "balance": "0.00", "status": "frozen"}]))
    api.refused(SEND, send(h["gran"], h["kid"]), "ERR_WALLET_INACTIVE")
    api.post("/app/wallets", {"psn_no": h["gran"]})
    api.refused(SEND, send(h["mum"], h["gran"], source="wallet", relation="child"), "ERR_WALLET_UNKNOWN")


def test_malformed_bodies(api: Api, fam: dict[str, str]) -> None:
    with api.acting(fam["gran"]):
        resp = api.call("POST", SEND, ["not", "an", "object"])
    assert (resp.status_code, resp.json()["code"]) == (400, "ERR_BAD_JSON")
    api.refused(SEND, {k: v for k, v in send(fam["gran"], fam["kid"]).items() if k != "amount"}, "ERR_MISSING_FIELD")
    api.refused("/app/wallets", {}, "ERR_MISSING_FIELD")
