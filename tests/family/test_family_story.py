"""The Shaanxi family story, end to end over real HTTP with a plain protocol client:

binding two ranked funders → the patient settles at a pharmacy (own → rank 1 → rank 2) → the rank-1
funder ends the binding → the next settlement skips to rank 2 → a grandmother insured in another
province sends money to the child's wallet at 21:59 (accepted) and tries again at 22:01 (refused) →
the child, identified by the minor's own e-voucher from the guardian's app, spends it at a
wallet-enabled pharmacy. Money is conserved at every step.
"""

from __future__ import annotations

import base64
import io

from family_api import Api
from family_flows import buy, item, legs, till
from family_world import PHARMACY, child, person, world
from PIL import Image
from pyzbar.pyzbar import decode


def test_shaanxi_family_story(api: Api) -> None:
    h = api.load(world(
        person("wang", "610103", psn_type="1201", birthday="1958-01-01", account="35.20", name="王建国"),
        person("daughter", "610302", birthday="1985-04-01", account="180.00", name="王丽"),
        person("son", "610103", birthday="1988-09-01", account="2000.00", name="王强"),
        child("xiaoming", "610103", birthday="2016-06-01", name="王小明"),
        person("nainai", "410105", psn_type="1201", birthday="1950-02-01", account="800.00", name="赵桂兰")))
    both = {"funder": True, "beneficiary": True}
    for funder, rank in (("daughter", 1), ("son", 2)):
        made = api.post("/app/bindings", {"funder": h[funder], "beneficiary": h["wang"], "relation": "child",
                                          "rank": rank, "start": "2026-01-01", "end": "2026-12-31",
                                          "face_verified": both, "requested_by": h["wang"]})
        assert (made["state"], made["rank"], made["in_force"]) == ("active", rank, True)
    pc = till(api, PHARMACY["shaanxi"], "610103")

    # 1. own → rank 1 → rank 2
    first = buy(api, pc, h["wang"], [item("A001", "1", "120.00"), item("B001", "3", "86.00")])
    info = first["setlinfo"]
    assert (info["medfee_sumamt"], info["preselfpay_amt"], info["acct_pay"], info["acct_mulaid_pay"],
            info["psn_cash_pay"]) == ("378.00", "25.80", "378.00", "342.80", "0.00")
    assert legs(first) == [("own", None, h["wang"], "35.20"), ("funder", 1, h["daughter"], "180.00"),
                           ("funder", 2, h["son"], "162.80")]
    spent = api.get(f"/app/persons/{h['daughter']}/beneficiaries")["spending"]  # 家庭共济消费查询
    assert [(s["patient"]["psn_no"], s["amount"]) for s in spent] == [(h["wang"], "180.00")]
    api.conserved()

    # 2. the rank-1 funder ends the binding; the next settlement skips to rank 2
    rank1 = api.get(f"/app/persons/{h['wang']}/funders")["bindings"][0]
    ended = api.post(f"/app/bindings/{rank1['binding_id']}/end", {"by": h["daughter"]})
    assert (ended["state"], ended["rank"]) == ("ended", 1)
    api.post("/admin/topup", {"target": "account", "psn_no": h["daughter"], "amount": "500.00"})
    aid = pc.person_info("02", api.get(f"/admin/persons/{h['wang']}")["certno"]).output["mulaidinfo"]
    assert [(row["rank"], row["usable"]) for row in aid] == [(1, False), (2, True)]
    second = buy(api, pc, h["wang"], [item("A001", "1", "50.00")])
    assert legs(second) == [("funder", 2, h["son"], "50.00")]
    assert api.balances()["accounts"][h["daughter"]] == "500.00"  # untouched although she has money again

    # 3. grandmother in Henan → the child's wallet: 21:59 accepted, 22:01 refused
    api.post("/app/wallets", {"psn_no": h["xiaoming"]})
    api.clock("2026-03-02T21:59:00")
    sent = api.post("/app/wallet-transfers", {"from": h["nainai"], "to": h["xiaoming"], "amount": "200.00",
                                              "source": "account", "relation": "grandparent",
                                              "verification": "face"})
    assert sent["status"] == "pending"
    api.clock("2026-03-02T21:59:30")
    api.post(f"/app/wallet-transfers/{sent['transfer_id']}/accept", {"by": h["xiaoming"]})
    api.clock("2026-03-02T22:01:00")
    api.refused("/app/wallet-transfers", {"from": h["nainai"], "to": h["xiaoming"], "amount": "100.00",
                                          "source": "account", "relation": "grandparent", "verification": "face"},
                "ERR_WALLET_NIGHT")
    balances = api.balances()
    assert (balances["accounts"][h["nainai"]], balances["wallets"][h["xiaoming"]]) == ("600.00", "200.00")
    api.conserved()

    # 4. next morning the child spends it, shown by the guardian's app (the minor's own code)
    api.clock("2026-03-03T09:00:00")
    api.post("/app/guardians", {"guardian": h["son"], "minor": h["xiaoming"], "relation": "parent"})
    shown = api.post(f"/app/persons/{h['son']}/minors/{h['xiaoming']}/evoucher")
    code = decode(Image.open(io.BytesIO(base64.b64decode(shown["png_base64"]))))[0].data.decode()
    pc = till(api, PHARMACY["shaanxi"], "610103")
    decoded = pc.decode(code).body
    assert (decoded["code"], decoded["data"]["userName"]) == (0, "王小明")
    third = buy(api, pc, h["xiaoming"], [item("A001", "1", "45.00")], cert=("01", decoded["data"]["ecToken"]))
    info = third["setlinfo"]
    assert (info["psn_no"], info["wallet_pay"], info["acct_pay"], info["psn_cash_pay"]) == \
        (h["xiaoming"], "45.00", "0.00", "0.00")
    assert legs(third) == [("wallet", None, h["xiaoming"], "45.00")]
    assert api.balances()["wallets"][h["xiaoming"]] == "155.00"
    assert api.conserved()["in_transit"] == "0.00"
