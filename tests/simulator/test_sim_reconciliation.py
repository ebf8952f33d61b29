"""3201 totals and 3202 detail reconciliation with 9101 upload and 9102 download."""

from __future__ import annotations

import base64
import io
import zipfile
from typing import Any

import pytest
from sim_client import ProtocolClient, fee_line
from sim_flows import PATIENT_CERT, Sim, druginfo

from tools.worlds import PHARMACY, item, world

CERT = PATIENT_CERT


@pytest.fixture
def day(sim: Sim) -> dict[str, Any]:
    """Three pharmacy settlements on 2026-05-10, the second revoked the same day."""
    h = sim.load(world())["handles"]
    pc = sim.client(PHARMACY)
    pc.insuplc = "610103"
    settled = []
    for price in ("10.00", "20.00", "30.00"):
        settled.append(pc.call("2102", druginfo(h["pat"], CERT, [fee_line("1", item("A001", "1", price))], "310"))
                       .output["setlinfo"])
    revoke = pc.call("2103", {"data": {"setl_id": settled[1]["setl_id"], "mdtrt_id": settled[1]["mdtrt_id"],
                                       "psn_no": h["pat"]}}).output["setlinfo"]
    return {"pc": pc, "h": h, "settled": settled, "revoke": revoke}


def totals_input(medfee: str, acct: str, count: int, refd: str = "0", **over: Any) -> dict[str, Any]:
    data = {"insutype": "310", "clr_type": "41", "setl_optins": "610103", "stmt_begndate": "2026-05-10",
            "stmt_enddate": "2026-05-10", "medfee_sumamt": medfee, "fund_pay_sumamt": "0.00", "acct_pay": acct,
            "fixmedins_setl_cnt": str(count), "refd_setl_flag": refd}
    data.update(over)
    return {"data": data}


def test_totals_balance_without_refunds(day: dict[str, Any]) -> None:
    out = day["pc"].call("3201", totals_input("40.00", "40.00", 2)).output["stmtinfo"]
    assert (out["stmt_rslt"], out["stmt_rslt_dscr"], out["setl_optins"]) == ("0", "对账平衡", "610103")


def test_totals_with_refunds_count_the_revocation_as_its_own_record(day: dict[str, Any]) -> None:
    out = day["pc"].call("3201", totals_input("40.00", "40.00", 4, refd="1")).output["stmtinfo"]
    assert out["stmt_rslt"] == "0"


def test_totals_that_differ_say_how(day: dict[str, Any]) -> None:
    out = day["pc"].call("3201", totals_input("60.00", "40.00", 3)).output["stmtinfo"]
    assert out["stmt_rslt"] == "1"
    assert "医疗费总额 平台 40.00 / 机构 60.00" in out["stmt_rslt_dscr"] and "结算笔数 平台 2 / 机构 3" in out["stmt_rslt_dscr"]
    other_day = day["pc"].call("3201", totals_input("0.00", "0.00", 0, stmt_begndate="2026-05-11",
                                                     stmt_enddate="2026-05-11")).output["stmtinfo"]
    assert other_day["stmt_rslt"] == "0"


@pytest.mark.parametrize(("over", "code"), [({"stmt_enddate": "2026-05-09"}, "ERR_BAD_PERIOD"),
                                            ({"stmt_begndate": "May 10"}, "ERR_BAD_FIELD"),
                                            ({"fixmedins_setl_cnt": "two"}, "ERR_BAD_FIELD"),
                                            ({"clr_type": "99"}, "ERR_BAD_FIELD")])
def test_bad_reconciliation_requests(day: dict[str, Any], over: dict[str, Any], code: str) -> None:
    assert day["pc"].call("3201", totals_input("40.00", "40.00", 2, **over)).code == code


def _upload(pc: ProtocolClient, lines: list[str], zipped: bool = True) -> str:
    text = ("\n".join(lines) + "\n").encode()
    if zipped:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("detail.txt", text)
        text = buffer.getvalue()
    reply = pc.call("9101", {"fsUploadIn": {"in": base64.b64encode(text).decode(), "filename": "detail.zip",
                                            "fixmedins_code": pc.code}})
    return str(reply.output["file_qury_no"])


def _line(info: dict[str, Any], sign: str = "", refd: str = "0", setl_id: str | None = None) -> str:
    return "\t".join((setl_id or info["setl_id"], info["mdtrt_id"], info["psn_no"], sign + info["medfee_sumamt"].lstrip("-"),
                      "0.00", sign + info["acct_pay"].lstrip("-"), refd))


def _detail(pc: ProtocolClient, number: str, medfee: str, count: int, refd: str = "0") -> Any:
    return pc.call("3202", {"data": {"setl_optins": "610103", "file_qury_no": number, "stmt_begndate": "2026-05-10",
                                     "stmt_enddate": "2026-05-10", "medfee_sumamt": medfee, "fund_pay_sumamt": "0.00",
                                     "cash_payamt": "0.00", "fixmedins_setl_cnt": str(count), "clr_type": "41",
                                     "refd_setl_flag": refd}})


def _download(pc: ProtocolClient, number: str) -> list[list[str]]:
    reply = pc.call("9102", {"fsDownloadIn": {"file_qury_no": number, "filename": "", "fixmedins_code": pc.code}})
    with zipfile.ZipFile(io.BytesIO(reply.body)) as archive:
        return [line.split("\t") for line in archive.read("result.txt").decode().splitlines()]


def test_detail_reconciliation_that_matches(day: dict[str, Any]) -> None:
    pc, s, r = day["pc"], day["settled"], day["revoke"]
    lines = [_line(s[0]), _line(s[1]), _line(s[2]), _line(r, "-", "1")]
    out = _detail(pc, _upload(pc, lines), "40.00", 4, refd="1").output
    assert out["stmtinfo"]["stmt_rslt"] == "0" and out["stmtinfo"]["counts"]["0"] == 4
    rows = _download(pc, out["fileinfo"]["file_qury_no"])
    assert [(row[0], row[7]) for row in rows] == [(s[0]["setl_id"], "0"), (s[1]["setl_id"], "0"),
                                                  (s[2]["setl_id"], "0"), (r["setl_id"], "0")]


def test_detail_reconciliation_names_each_kind_of_difference(day: dict[str, Any]) -> None:
    pc, s = day["pc"], day["settled"]
    wrong = dict(s[2], medfee_sumamt="31.00", acct_pay="31.00")
    lines = [_line(s[0]), _line(wrong), _line(s[0], setl_id="UNKNOWN-1")]
    out = _detail(pc, _upload(pc, lines, zipped=False), "51.00", 3).output
    assert out["stmtinfo"]["counts"] == {"0": 1, "1": 1, "2": 0, "3": 1} and out["stmtinfo"]["stmt_rslt"] == "1"
    rows = _download(pc, out["fileinfo"]["file_qury_no"])
    assert [(row[0], row[7], row[8]) for row in rows] == [
        (s[0]["setl_id"], "0", "一致"), (s[2]["setl_id"], "3", "数据不一致"), ("UNKNOWN-1", "1", "医药机构多")]
    missing = _detail(pc, _upload(pc, [_line(s[0])]), "10.00", 1).output
    assert missing["stmtinfo"]["counts"]["2"] == 1  # the platform has the 30.00 settlement, the file does not


def test_detail_refusals(day: dict[str, Any]) -> None:
    pc, s = day["pc"], day["settled"]
    assert _detail(pc, "F0000", "0.00", 0).code == "ERR_FILE_UNKNOWN"
    number = _upload(pc, [_line(s[0])])
    assert _detail(pc, number, "99.00", 1).code == "ERR_FILE_TOTALS_MISMATCH"
    bad = _upload(pc, ["only\tthree\tcells"])
    assert _detail(pc, bad, "0.00", 1).code == "ERR_BAD_FILE"
    upload = pc.call("9101", {"fsUploadIn": {"in": "***", "filename": "x"}})
    assert upload.code == "ERR_BAD_FILE"
    download = pc.call("9102", {"fsDownloadIn": {"file_qury_no": "nope"}})
    assert download.code == "ERR_FILE_UNKNOWN"


def test_an_uploaded_file_downloads_back_as_uploaded(day: dict[str, Any]) -> None:
    pc = day["pc"]
    number = _upload(pc, ["a\tb"], zipped=False)
    reply = pc.call("9102", {"fsDownloadIn": {"file_qury_no": number}})
    assert reply.body == b"a\tb\n" and reply.headers["Content-Type"] == "application/octet-stream"
