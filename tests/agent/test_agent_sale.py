"""A whole sale through the local agent over real HTTP with a plain client and a real QR image:
scan → identify → quote → confirm (and an idempotent retry) → receipt → partial refund → revoke; and a
balance that moves between quote and confirm gives a fresh quote, never a settlement."""

from __future__ import annotations

from agent_world import scenario


def wang_shop(admin, start_agent):
    scen = scenario("shaanxi-retiree-two-funders")
    loaded = admin.load_world(scen)
    return scen, loaded, start_agent(scen)


def test_quote_confirm_retry_receipt_refund_revoke(admin, start_agent):
    scen, loaded, agent = wang_shop(admin, start_agent)
    before = admin.balances()
    code, png = admin.evoucher(loaded["handles"]["wang"])

    scanned = agent.call("POST", "/scan", files={"image": ("frame.png", png, "image/png")})
    assert scanned.status_code == 200, scanned.text
    assert scanned.json()["credential"] == code
    assert [c["kind"] for c in scanned.json()["codes"]] == ["ecode"]

    who = agent.call("POST", "/identify", {"code": code, "flow": "outpatient"}).json()
    assert who["name"] == "王*" and who["patient_id"]

    body = {"patient_id": who["patient_id"], "flow": "outpatient", "lines": scen["checkout"]["lines"]}
    quoted = agent.call("POST", "/sales", body)
    assert quoted.status_code == 201, quoted.text
    quote = quoted.json()
    assert [(leg["source"], leg["rank"], leg["label"], leg["amount"]) for leg in quote["legs"]] == [
        ("own", None, "本人账户", "35.20"), ("funder", 1, "共济账户(第一顺位 王*)", "180.00"),
        ("funder", 2, "共济账户(第二顺位 王*)", "73.06")]
    assert [line["code"] for line in quote["insurable"]] == ["F0001", "D1002", "M3001", "D9004"]
    assert admin.balances() == before  # a quote moves nothing

    confirmed = agent.call("POST", f"/sales/{quote['quote_id']}/confirm", key="sale-1")
    assert confirmed.status_code == 201, confirmed.text
    sale = confirmed.json()
    assert [leg["amount"] for leg in sale["legs"]] == ["35.20", "180.00", "73.06"]
    after_sale = admin.balances()
    assert after_sale != before

    retried = agent.call("POST", f"/sales/{quote['quote_id']}/confirm", key="sale-1")
    assert retried.status_code == 201 and retried.json() == sale
    assert retried.headers["Idempotent-Replayed"] == "true"
    assert admin.balances() == after_sale  # settled once
    again = agent.call("POST", f"/sales/{quote['quote_id']}/confirm", key="sale-2")
    assert (again.status_code, again.json()["code"]) == (409, "ERR_QUOTE_STALE")

    printed = agent.call("GET", f"/sales/{sale['sale_id']}/receipt").json()["receipt"]
    assert sale["sale_id"] in printed and "35.20" in printed

    code2, _ = admin.evoucher(loaded["handles"]["wang"])
    refunded = agent.call("POST", f"/sales/{sale['sale_id']}/refund", {"code": code2, "lines": ["D9004"]},
                          key="refund-1")
    assert refunded.status_code == 200, refunded.text
    split = refunded.json()
    assert split["old"]["sale_id"] == sale["sale_id"] and split["revoked"]["on_platform"] is True
    assert [line["code"] for line in split["old"]["lines"]] == ["F0001", "D1002", "M3001", "D9004"]
    assert (sale["setlinfo"]["medfee_sumamt"], split["new"]["setlinfo"]["medfee_sumamt"]) == ("532.00", "468.00")
    new_id = split["new"]["sale_id"]
    assert new_id != sale["sale_id"] and "D9004" not in split["new"]["receipt"]
    assert "已撤销" in agent.call("GET", f"/sales/{sale['sale_id']}/receipt").json()["receipt"]

    revoked = agent.call("POST", f"/sales/{new_id}/revoke", key="revoke-1")
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["on_platform"] is True
    assert admin.balances() == before
    twice = agent.call("POST", f"/sales/{new_id}/revoke")
    assert (twice.status_code, twice.json()["code"]) == (409, "ERR_ALREADY_REVOKED")


def test_balance_moved_between_quote_and_confirm_gives_a_fresh_quote(admin, start_agent):
    scen, loaded, agent = wang_shop(admin, start_agent)
    code, _ = admin.evoucher(loaded["handles"]["wang"])
    body = {"code": code, "flow": "outpatient", "lines": scen["checkout"]["lines"]}
    quote = agent.call("POST", "/sales", body).json()
    assert [leg["amount"] for leg in quote["legs"]] == ["35.20", "180.00", "73.06"]
    admin._call("POST", "/admin/topup", {"target": "account", "psn_no": loaded["handles"]["daughter"],
                                         "amount": "100.00"})
    moved = admin.balances()

    answer = agent.call("POST", f"/sales/{quote['quote_id']}/confirm", key="k-moved")
    assert answer.status_code == 409, answer.text
    refusal = answer.json()
    assert refusal["code"] == "ERR_BALANCE_MOVED" and "余额" in refusal["message"]
    fresh = refusal["quote"]
    assert fresh["quote_id"] != quote["quote_id"]
    assert [(leg["label"], leg["amount"]) for leg in fresh["legs"]] == [("本人账户", "35.20"),
                                                                       ("共济账户(第一顺位 王*)", "253.06")]
    assert admin.balances() == moved  # nothing settled
    stale = agent.call("POST", f"/sales/{quote['quote_id']}/confirm")
    assert stale.json()["code"] == "ERR_QUOTE_STALE"

    done = agent.call("POST", f"/sales/{fresh['quote_id']}/confirm", key="k-fresh")
    assert done.status_code == 201, done.text
    assert [leg["amount"] for leg in done.json()["legs"]] == [leg["amount"] for leg in fresh["legs"]]


def test_idempotency_keys_survive_an_agent_restart(admin, start_agent):
    scen, loaded, first = wang_shop(admin, start_agent)
    code, _ = admin.evoucher(loaded["handles"]["wang"])
    quote = first.call("POST", "/sales", {"code": code, "flow": "outpatient",
                                          "lines": scen["checkout"]["lines"]}).json()
    sale = first.call("POST", f"/sales/{quote['quote_id']}/confirm", key="till-7-sale-42")
    assert sale.status_code == 201, sale.text
    settled = admin.balances()

    again = start_agent(scen)  # a second agent process on the same terminal state (e.g. after a restart)
    replay = again.call("POST", f"/sales/{quote['quote_id']}/confirm", key="till-7-sale-42")
    assert (replay.status_code, replay.json()) == (201, sale.json())
    assert admin.balances() == settled
    assert again.call("POST", f"/sales/{sale.json()['sale_id']}/revoke").status_code == 200  # one sale book


def test_recover_books_a_charged_sale_the_sale_book_lacks(admin, start_agent, sim_url, tmp_path):
    """A till that crashed after the settlement reply and before booking: the agent's /recover books the
    sale (docs/agent-api.md), so its receipt can be reprinted instead of ringing the sale again."""
    from pos_plugin.checkout.identify import credential_from_text, identify
    from pos_plugin.checkout.sale import Order
    from pos_plugin.config import TerminalSettings, open_terminal
    from pos_plugin.domain.cart import cart_line_from_mapping

    scen, loaded, agent = wang_shop(admin, start_agent)
    inst = scen["institution"]
    crashed = open_terminal(TerminalSettings(sim_url, inst["code"], inst["name"], inst["admdvs"], scen["policy"],
                                             tmp_path / "state"))
    patient = identify(crashed.client, credential_from_text(scen["people"][0]["certno"]))
    order = Order(tuple(cart_line_from_mapping(dict(line)) for line in scen["checkout"]["lines"][:1]))
    sale = crashed.counter.checkout(patient, order, lambda quote: True)  # settled, never booked
    crashed.close()

    recovered = agent.call("POST", "/recover", key="recover-1")
    assert recovered.status_code == 200, recovered.text
    assert [item["sale_id"] for item in recovered.json()["booked"]] == [sale.setl_id]
    receipt = agent.call("GET", f"/sales/{sale.setl_id}/receipt")
    assert receipt.status_code == 200 and sale.setl_id in receipt.json()["receipt"]
    again = agent.call("POST", "/recover", key="recover-2")
    assert again.json()["booked"] == []  # booked once
