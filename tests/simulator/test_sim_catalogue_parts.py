"""1318 (price caps) and 1319 (self-pay proportions) as their own paged transactions, and the catalogue file of
one list type (1301–1306 by `ver`, downloaded with 9102) (docs/protocol.md §6)."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from sim_flows import Sim

from tools.worlds import PHARMACY, world

CATALOGUE = [
    {"code": "A001", "name": "阿莫西林胶囊", "class": "A"},
    {"code": "B001", "name": "复方甘草片", "class": "B", "selfpay_prop": "0.10", "lmt_used_flag": "1",
     "lmt_note": "限定支付：儿童"},
    {"code": "CAP1", "name": "敷料包", "class": "A", "price_cap": "38.00", "list_type": "301"},
    {"code": "OLD1", "name": "已过期药", "class": "B", "selfpay_prop": "0.20", "enddate": "2025-12-31"},
    {"code": "S001", "name": "一般诊疗费", "class": "A", "list_type": "201", "price_cap": "10.00"},
]


@pytest.fixture
def pc(sim: Sim) -> Any:
    sim.load(world(catalogue=CATALOGUE))
    return sim.client(PHARMACY)


def rows(pc: Any, infno: str, **data: Any) -> dict[str, Any]:
    reply = pc.call(infno, {"data": data})
    assert reply.ok, reply.body
    return reply.output


def test_1318_and_1319_page_the_caps_and_proportions_in_1312s_order(sim: Sim, pc: Any) -> None:
    for size in (2, 100):
        for page in (1, 2, 3):
            base = [r["hilist_code"] for r in rows(pc, "1312", page_num=page, page_size=size)["data"]]
            caps = rows(pc, "1318", page_num=page, page_size=size)
            props = rows(pc, "1319", page_num=page, page_size=size)
            assert [r["hilist_code"] for r in caps["data"]] == base == [r["hilist_code"] for r in props["data"]]
            assert caps["recordCounts"] == props["recordCounts"] == 5
    cap = {r["hilist_code"]: r for r in rows(pc, "1318", page_size=100)["data"]}
    assert (cap["CAP1"]["hilist_pric_uplmt_amt"], cap["CAP1"]["vali_flag"]) == ("38.00", "1")
    assert (cap["A001"]["hilist_pric_uplmt_amt"], cap["A001"]["vali_flag"]) == (None, "0")  # no cap
    prop = {r["hilist_code"]: r for r in rows(pc, "1319", page_size=100)["data"]}
    assert (prop["B001"]["selfpay_prop"], prop["B001"]["vali_flag"]) == ("0.10", "1")
    assert (prop["OLD1"]["selfpay_prop"], prop["OLD1"]["vali_flag"], prop["OLD1"]["enddate"]) == \
        ("0.20", "0", "2025-12-31")
    version = max(r["updt_time"] for r in prop.values())
    sim.advance(60)
    sim.admin("post", "/catalogue", {"entries": [{"code": "B001", "name": "复方甘草片", "class": "B",
                                                  "selfpay_prop": "0.30"}]})
    changed = rows(pc, "1319", updt_time=version)["data"]
    assert [(r["hilist_code"], r["selfpay_prop"]) for r in changed] == [("B001", "0.30")]
    assert [r["hilist_code"] for r in rows(pc, "1318", hilist_code="CAP1")["data"]] == ["CAP1"]


def test_1318_and_1319_refuse_what_they_would_ignore(pc: Any) -> None:
    for infno, key in (("1318", "hilist_lmtpric_type"), ("1318", "overlmt_dspo_way"), ("1319", "selfpay_prop_type"),
                       ("1319", "selfpay_prop_psn_type"), ("1318", "colour"), ("1319", "list_type")):
        assert pc.call(infno, {"data": {key: "1"}}).code == "ERR_BAD_FIELD", (infno, key)
    assert pc.call("1319", {"data": {"page_size": "1001"}}).code == "ERR_BAD_FIELD"
    assert pc.call("1318", {"data": {"updt_time": "yesterday"}}).code == "ERR_BAD_FIELD"


def unzip(content: bytes) -> list[dict[str, str]]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        (name,) = archive.namelist()
        lines = archive.read(name).decode("utf-8").splitlines()
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"), strict=True)) for line in lines[1:]]


def download(pc: Any, number: str) -> bytes:
    reply = pc.call("9102", {"fsDownloadIn": {"file_qury_no": number, "filename": "", "fixmedins_code": pc.code}})
    assert isinstance(reply.body, bytes), reply.body
    return reply.body


def test_a_list_types_catalogue_file_is_cut_by_version_and_downloaded_with_9102(sim: Sim, pc: Any) -> None:
    drugs = rows(pc, "1301", ver="")
    assert (drugs["data_cnt"], drugs["filename"].startswith("1301_"), drugs["ver"] > "2026") == (3, True, True)
    assert drugs["dld_end_time"] > drugs["ver"]
    lines = unzip(download(pc, drugs["file_qury_no"]))
    assert [(r["hilist_code"], r["chrgitm_lv"], r["selfpay_prop"], r["hilist_pric_uplmt_amt"]) for r in lines] == [
        ("A001", "01", "0", ""), ("B001", "02", "0.10", ""), ("OLD1", "02", "0.20", "")]
    assert lines[1]["memo"] == "限定支付：儿童" and lines[2]["vali_flag"] == "0"
    assert [r["hilist_code"] for r in unzip(download(pc, rows(pc, "1306", ver="0")["file_qury_no"]))] == ["CAP1"]
    assert [r["hilist_code"] for r in unzip(download(pc, rows(pc, "1305")["file_qury_no"]))] == ["S001"]
    empty = rows(pc, "1302", ver="")
    assert empty["data_cnt"] == 0 and unzip(download(pc, empty["file_qury_no"])) == []
    sim.advance(60)
    sim.admin("post", "/catalogue", {"entries": [{"code": "A001", "name": "阿莫西林胶囊 新", "class": "A"}]})
    since = rows(pc, "1301", ver=drugs["ver"])
    assert since["data_cnt"] == 1 and since["ver"] > drugs["ver"]
    assert [r["hilist_name"] for r in unzip(download(pc, since["file_qury_no"]))] == ["阿莫西林胶囊 新"]


def test_a_catalogue_file_request_is_checked_and_its_file_is_the_institutions(sim: Sim, pc: Any) -> None:
    assert pc.call("1301", {"data": {"ver": "", "list_type": "101"}}).code == "ERR_BAD_FIELD"
    assert pc.call("1301", {"data": {"ver": "v2"}}).code == "ERR_BAD_FIELD"
    number = rows(pc, "1301")["file_qury_no"]
    other = sim.client("H61010300001")
    assert other.call("9102", {"fsDownloadIn": {"file_qury_no": number}}).code == "ERR_FILE_UNKNOWN"
