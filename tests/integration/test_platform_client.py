"""The platform client over real HTTP against the real simulator (a subprocess on a free port):
decode and 1101, pharmacy and outpatient round trips with exact Decimals, sign-in renewal when the
platform's day turns, msgid uniqueness across a restart, and x-tif against a strict gateway."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from pos_plugin.errors import (
    BusinessError,
    CodeExpired,
    CodeUsed,
    GatewayRejected,
    NotAnInsuranceCode,
)
from pos_plugin.lab.embedded import running_simulator
from pos_plugin.lab.sim_admin import SimulatorAdmin
from pos_plugin.platform import Institution, Operator, PlatformClient, Settlement, TifCredentials

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "fixtures" / "scenarios"
FROZEN = datetime(2026, 4, 20, 18, 30, 0)


def scenario(name: str) -> dict[str, Any]:
    return json.loads((SCENARIOS / f"{name}.json").read_text(encoding="utf-8"))


def institution(scen: dict[str, Any]) -> Institution:
    inst = scen["institution"]
    return Institution(inst["code"], inst["name"], inst["admdvs"])


def open_client(url: str, scen: dict[str, Any], state: Path, **kwargs: Any) -> PlatformClient:
    return PlatformClient.open(url, institution=institution(scen), operator=Operator("0001", "李收银"),
                               state_path=state, **kwargs)


def patient(scen: dict[str, Any]) -> dict[str, Any]:
    return next(p for p in scen["people"] if p["id"] == scen["checkout"]["patient"])


def fee_rows(scen: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for index, line in enumerate(scen["checkout"]["lines"], start=1):
        qty, price = Decimal(line["qty"]), Decimal(line["price"])
        rows.append({"feedetl_sn": f"{index:04d}", "med_list_codg": line["code"], "medins_list_codg": line["code"],
                     "det_item_fee_sumamt": (qty * price).quantize(Decimal("0.01")), "cnt": qty, "pric": price,
                     "fee_ocur_time": scen["today"].replace("T", " "), "rxno": "", "rx_circ_flag": "0",
                     "bilg_dr_codg": "", "bilg_dr_name": ""})
    return rows


def pharmacy_nodes(scen: dict[str, Any], psn_no: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    rows = fee_rows(scen)
    druginfo = {"psn_no": psn_no, "mdtrt_cert_type": "02", "mdtrt_cert_no": patient(scen)["certno"],
                "medfee_sumamt": sum(r["det_item_fee_sumamt"] for r in rows), "insutype": patient(scen)["insutype"],
                "acct_used_flag": "1", "invono": ""}
    return druginfo, rows


def test_decode_then_person_info_gives_the_chain_with_decimal_balances(admin, sim_url, tmp_path):
    scen = scenario("own-account-covers-everything")
    loaded = admin.load_world(scen)
    client = open_client(sim_url, scen, tmp_path / "state.sqlite")
    code, _ = admin.evoucher(loaded["handles"]["zhao"])
    who = client.decode_ecode(code)
    assert who.user_name == "赵明" and who.insu_org == "610103" and who.ec_token.startswith("610103ec")
    person = client.person_info(mdtrt_cert_type="01", mdtrt_cert_no=who.ec_token, insuplc=who.insu_org)
    assert person.psn_no == loaded["handles"]["zhao"]
    assert person.insurance("310")["balc"] == Decimal("1500.00")
    (funder,) = person.mulaidinfo
    assert funder["rank"] == 1 and funder["funder_psn_no"] == loaded["handles"]["wife"]
    assert funder["avail_amt"] == Decimal("700.00") and funder["funder_name"] == "刘*"


def test_decode_refusals_map_to_the_scenario_vocabulary(admin, sim_url, tmp_path):
    scen = scenario("own-account-covers-everything")
    loaded = admin.load_world(scen)
    client = open_client(sim_url, scen, tmp_path / "state.sqlite")
    with pytest.raises(NotAnInsuranceCode) as not_code:
        client.decode_ecode("https://example.com/pay?x=1")
    code, _ = admin.evoucher(loaded["handles"]["zhao"])
    client.decode_ecode(code)
    with pytest.raises(CodeUsed) as used:
        client.decode_ecode(code)
    stale, _ = admin.evoucher(loaded["handles"]["zhao"])
    admin.advance_clock(61)
    with pytest.raises(CodeExpired) as expired:
        client.decode_ecode(stale)
    assert [e.value.short_code for e in (not_code, used, expired)] == ["not_an_insurance_code", "code_used",
                                                                     "code_expired"]
    assert "二维码" in used.value.message


def test_pharmacy_presettle_settle_query_revoke_with_exact_amounts(admin, sim_url, tmp_path):
    scen = scenario("own-account-covers-everything")
    loaded = admin.load_world(scen)
    zhao = loaded["handles"]["zhao"]
    client = open_client(sim_url, scen, tmp_path / "state.sqlite")
    druginfo, rows = pharmacy_nodes(scen, zhao)

    pre = client.pharmacy_presettle(druginfo, rows, insuplc="610103")
    assert pre.setl_id == "" and admin.balances()["accounts"][zhao] == Decimal("1500.00")  # changes nothing
    for name, value in scen["expect"]["setlinfo"].items():
        assert pre.amount(name) == Decimal(value), name
    assert [line["inscp_scp_amt"] for line in pre.detlcutinfo] == [Decimal("56.80"), Decimal("84.15")]

    done = client.pharmacy_settle(druginfo, rows, insuplc="610103", payplan=pre.payleg)
    assert done.setl_id and done.setlinfo["medins_setl_id"] == done.msgid
    assert done.amount("acct_pay") == Decimal("155.80") and done.setlinfo["balc"] == Decimal("1344.20")
    assert [(leg.source, leg.amount) for leg in done.payleg] == [("own", Decimal("155.80"))]
    assert admin.balances()["accounts"] == {zhao: Decimal("1344.20"), loaded["handles"]["wife"]: Decimal("700.00")}

    assert client.query_settlement(psn_no=zhao, setl_id=done.setl_id, insuplc="610103").amount(
        "medfee_sumamt") == Decimal("155.80")
    back = client.pharmacy_revoke(setl_id=done.setl_id, mdtrt_id=done.mdtrt_id, psn_no=zhao, insuplc="610103")
    assert back.amount("medfee_sumamt") == Decimal("-155.80") and back.payleg[0].amount == Decimal("-155.80")
    assert admin.balances()["accounts"][zhao] == Decimal("1500.00")
    queried = client.query_settlement(psn_no=zhao, setl_id=done.setl_id, insuplc="610103")
    assert queried.setlinfo["setl_status"] == "revoked"
    assert admin.conservation()["ok"] is True


def test_a_payplan_the_platform_disagrees_with_is_refused_and_moves_nothing(admin, sim_url, tmp_path):
    scen = scenario("own-account-covers-everything")
    zhao = admin.load_world(scen)["handles"]["zhao"]
    client = open_client(sim_url, scen, tmp_path / "state.sqlite")
    druginfo, rows = pharmacy_nodes(scen, zhao)
    wrong = [{"source": "own", "psn_no": zhao, "amount": Decimal("155.79")}]
    with pytest.raises(BusinessError) as err:
        client.pharmacy_settle(druginfo, rows, insuplc="610103", payplan=wrong)
    assert err.value.platform_code and err.value.message
    assert admin.balances()["accounts"][zhao] == Decimal("1500.00")


def test_outpatient_register_upload_presettle_settle_revoke(admin, sim_url, tmp_path):
    scen = scenario("shaanxi-retiree-two-funders")
    loaded = admin.load_world(scen)
    wang, certno = loaded["handles"]["wang"], patient(scen)["certno"]
    client = open_client(sim_url, scen, tmp_path / "state.sqlite")
    before = admin.balances()
    reg = client.register({"psn_no": wang, "insutype": "310", "mdtrt_cert_type": "02", "mdtrt_cert_no": certno,
                           "ipt_otp_no": "V0001", "atddr_no": "", "dr_name": "", "dept_code": "01",
                           "dept_name": "内科", "caty": "A03"}, insuplc="610103")
    assert reg.mdtrt_id and reg.psn_no == wang
    client.upload_visit({"mdtrt_id": reg.mdtrt_id, "psn_no": wang, "med_type": "11"}, [], insuplc="610103")
    fees = [{**row, "mdtrt_id": reg.mdtrt_id, "psn_no": wang, "chrg_bchno": "0000"} for row in fee_rows(scen)]
    result = client.upload_fees(fees, insuplc="610103")
    assert [r["overlmt_amt"] for r in result] == [Decimal("0.00"), Decimal("0.00"), Decimal("14.00"), Decimal("0.00")]
    data = {"psn_no": wang, "mdtrt_cert_type": "02", "mdtrt_cert_no": certno, "med_type": "11",
            "medfee_sumamt": Decimal("532.00"), "psn_setlway": "01", "mdtrt_id": reg.mdtrt_id, "chrg_bchno": "0000",
            "acct_used_flag": "1", "insutype": "310", "invono": ""}
    pre = client.outpatient_presettle(data, insuplc="610103")
    done = client.outpatient_settle(data, insuplc="610103", presettle=pre, payplan=pre.payleg)
    expected = [(leg["source"], leg.get("rank"), Decimal(leg["amount"])) for leg in scen["expect"]["legs"]]
    assert [(leg.source, leg.rank, leg.amount) for leg in done.payleg] == expected
    for name, value in scen["expect"]["setlinfo"].items():
        assert done.amount(name) == Decimal(value), name
    after = {loaded["handles"][k]: Decimal(v) for k, v in scen["expect"]["balances_after"].items()}
    assert {k: admin.balances()["accounts"][k] for k in after} == after
    client.outpatient_revoke(setl_id=done.setl_id, mdtrt_id=done.mdtrt_id, psn_no=wang, insuplc="610103")
    assert admin.balances() == before


def test_sign_in_is_renewed_when_the_platform_refuses_yesterdays_sign_no(admin, sim_url, tmp_path):
    scen = scenario("own-account-covers-everything")
    zhao = admin.load_world(scen)["handles"]["zhao"]
    client = open_client(sim_url, scen, tmp_path / "state.sqlite", clock=lambda: FROZEN)
    client.person_info(mdtrt_cert_type="02", mdtrt_cert_no=patient(scen)["certno"], insuplc="610103")
    first = client.sign_ins.get("0001", FROZEN.date().isoformat())
    assert first is not None
    admin.advance_clock(24 * 3600)  # the platform's day turns; the terminal still holds yesterday's sign_no
    person = client.person_info(mdtrt_cert_type="02", mdtrt_cert_no=patient(scen)["certno"], insuplc="610103")
    assert person.psn_no == zhao
    renewed = client.sign_ins.get("0001", FROZEN.date().isoformat())
    assert renewed is not None and renewed.sign_no != first.sign_no


RESTART = """
import sys
from datetime import datetime
from pos_plugin.platform import Institution, Operator, PlatformClient
client = PlatformClient.open(sys.argv[1], institution=Institution("P61010300017", "西安康平大药房", "610103"),
                             operator=Operator("0001", "李收银"), state_path=sys.argv[2],
                             clock=lambda: datetime(2026, 4, 20, 18, 30, 0))
print(client.person_info(mdtrt_cert_type="02", mdtrt_cert_no=sys.argv[3], insuplc="610103").psn_no)
"""


def test_msgids_never_repeat_across_a_restart_and_the_platform_would_notice(admin, sim_url, tmp_path):
    scen = scenario("own-account-covers-everything")
    zhao = admin.load_world(scen)["handles"]["zhao"]
    certno = patient(scen)["certno"]
    state = tmp_path / "state.sqlite"
    for _ in range(2):  # two separate processes, same frozen second, same state file
        run = subprocess.run([sys.executable, "-c", RESTART, sim_url, str(state), certno], cwd=ROOT,
                             capture_output=True, text=True, timeout=60)
        assert run.returncode == 0, run.stderr
        assert run.stdout.strip() == zhao
    # Control: a terminal that forgot its sequence (fresh state file) reuses a msgid; the platform refuses it.
    amnesiac = open_client(sim_url, scen, tmp_path / "fresh.sqlite", clock=lambda: FROZEN)
    with pytest.raises(BusinessError) as err:
        amnesiac.person_info(mdtrt_cert_type="02", mdtrt_cert_no=certno, insuplc="610103")
    assert err.value.platform_code == "ERR_MSGID_REUSED"


def test_x_tif_signing_against_a_strict_gateway(tmp_path):
    scen = scenario("own-account-covers-everything")
    with running_simulator(args=["--auth", "tif", "--tif", "paas-pos=s3cret"]) as url:
        admin = SimulatorAdmin(url)
        try:
            zhao = admin.load_world(scen)["handles"]["zhao"]
        finally:
            admin.close()
        good = open_client(url, scen, tmp_path / "a.sqlite", tif=TifCredentials("paas-pos", "s3cret"))
        assert good.person_info(mdtrt_cert_type="02", mdtrt_cert_no=patient(scen)["certno"],
                                insuplc="610103").psn_no == zhao
        for tif in (None, TifCredentials("paas-pos", "wrong")):
            bad = open_client(url, scen, tmp_path / "b.sqlite", tif=tif)
            with pytest.raises(GatewayRejected) as err:
                bad.sign_in()
            assert "HTTP 401" in err.value.message


def test_settlement_model_reads_setlinfo_amounts():
    done = Settlement.from_output({"setlinfo": {"setl_id": "S", "acct_pay": Decimal("1.50")}})
    assert done.amount("acct_pay") == Decimal("1.50") and done.amount("wallet_pay") == Decimal("0.00")
