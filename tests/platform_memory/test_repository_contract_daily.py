"""The repository contract (test_repository_contract.py) for the repositories of the pharmacy's daily
obligations and of hospital stays: the catalogue and its 目录对照 rows, the drug traceability codes, the 3505/3506
sales uploads (simulator/platform/catalogue/repository.py) and the stays (simulator/platform/inpatient/
repository.py) — run on the memory store, a real SQLite file and a throwaway PostgreSQL database (the `store`
fixture, conftest.py): what each returns, in which order, what it refuses (Duplicate) and that a unit of
work that raises leaves nothing behind."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from simulator.domain.catalogue import CatalogueEntry, MappingRecord
from simulator.domain.models import Person
from simulator.domain.records import InpatientYearRecord, StayLineRecord, StayRecord
from simulator.domain.refusals import Duplicate
from simulator.domain.sales import SalesUpload
from simulator.domain.trace import TraceRecord

BOX = [f"8{n:019d}" for n in range(1, 7)]  # six 20-digit domestic traceability codes


def entry(code: str, updt_time: str, **changes: Any) -> CatalogueEntry:
    return replace(CatalogueEntry(code, f"药{code}", "02", Decimal("0.10"), Decimal("38.00"), "2026-01-01", None,
                                  updt_time), **changes)


# catalogue and 目录对照 ------------------------------------------------------------------------------
def test_the_catalogue_is_replaced_by_code_and_paged_by_update_time(store: Any) -> None:
    with store.read() as uow:
        assert uow.catalogue.newest() is None and uow.catalogue.entries(["A1"]) == {}
    with store.write() as uow:
        uow.catalogue.save([entry("B1", "2026-05-02 00:00:00"), entry("A1", "2026-05-02 00:00:00"),
                            entry("C1", "2026-05-01 00:00:00", lv="03", price_cap=None, enddate="2026-06-30")])
        uow.catalogue.save([entry("A1", "2026-05-03 00:00:00", name="改", expired_use="refuse", traced=True,
                                  list_type="301", lmt_used_flag="1", lmt_note="限定")])
        uow.catalogue.save([])
    with store.read() as uow:
        assert uow.catalogue.entries(["A1", "C1", "X"]) == {
            "A1": entry("A1", "2026-05-03 00:00:00", name="改", expired_use="refuse", traced=True, list_type="301",
                        lmt_used_flag="1", lmt_note="限定"),
            "C1": entry("C1", "2026-05-01 00:00:00", lv="03", price_cap=None, enddate="2026-06-30")}
        assert uow.catalogue.entries([]) == {}
        assert uow.catalogue.newest() == "2026-05-03 00:00:00"
        page, total = uow.catalogue.changed_since("2026-05-01 00:00:01", 0, 1)
        assert ([e.code for e in page], total) == (["B1"], 2)
        assert [e.code for e in uow.catalogue.changed_since("2026-05-01 00:00:01", 1, 5)[0]] == ["A1"]
        assert [e.code for e in uow.catalogue.changed_since("", 0, 5)[0]] == ["C1", "B1", "A1"]
        assert uow.catalogue.changed_since("2026-06-01 00:00:00", 0, 5) == ([], 0)
        assert uow.catalogue.changed_since("", 3, 5) == ([], 3)  # past the last page: none, but the count


def test_catalogue_prices_and_proportions_keep_every_place(store: Any) -> None:
    exact = entry("P1", "2026-05-01 00:00:00", selfpay_prop=Decimal("0.125"), price_cap=Decimal("12.345678"))
    with store.write() as uow:
        uow.catalogue.save([exact])
    with store.read() as uow:
        found = uow.catalogue.entries(["P1"])["P1"]
    assert (found.selfpay_prop, found.price_cap) == (Decimal("0.125"), Decimal("12.345678"))
    assert str(found.price_cap) == "12.345678"


def test_item_mappings_one_per_institution_item(store: Any) -> None:
    row = MappingRecord("P1", "ITEM2", "本院阿莫西林", "101", "A1", "2026-01-01", None, "2026-05-10 10:00:00")
    with store.write() as uow:
        uow.catalogue.save_mappings([row, replace(row, fixmedins_hilist_id="ITEM1"),
                                     replace(row, fixmedins_code="P2")])
        uow.catalogue.save_mappings([replace(row, med_list_codg="B1")])
    with store.write() as uow:
        assert [(m.fixmedins_hilist_id, m.med_list_codg) for m in uow.catalogue.mappings_of("P1")] == [
            ("ITEM1", "A1"), ("ITEM2", "B1")]
        assert uow.catalogue.drop_mapping("P1", "ITEM1") is True
        assert uow.catalogue.drop_mapping("P1", "ITEM1") is False
    with store.read() as uow:
        assert uow.catalogue.mappings_of("P1") == [replace(row, med_list_codg="B1")]
        assert len(uow.catalogue.mappings_of("P2")) == 1 and uow.catalogue.mappings_of("P3") == []


def test_a_mapping_keeps_its_review_until_reviewed_again_or_uploaded_again(store: Any) -> None:
    row = MappingRecord("P1", "ITEM1", "本院阿莫西林", "101", "A1", "2026-01-01", None, "2026-05-10 10:00:00")
    with store.write() as uow:
        uow.catalogue.save_mappings([row, replace(row, fixmedins_hilist_id="ITEM2", chk_stas="1",
                                                   reviewed_at="2026-05-10 10:00:00")])
        assert uow.catalogue.review_mapping("P1", "ITEM1", "2", "规格不符", "2026-05-11 09:00:00") is True
        assert uow.catalogue.review_mapping("P1", "NONE", "1", "", "2026-05-11 09:00:00") is False
        assert uow.catalogue.review_mapping("P2", "ITEM1", "1", "", "2026-05-11 09:00:00") is False
    with store.write() as uow:
        found = uow.catalogue.mappings_for("P1", ["ITEM2", "ITEM1", "NONE", "ITEM1"])
        assert found == {"ITEM1": replace(row, chk_stas="2", chk_memo="规格不符", reviewed_at="2026-05-11 09:00:00"),
                         "ITEM2": replace(row, fixmedins_hilist_id="ITEM2", chk_stas="1",
                                          reviewed_at="2026-05-10 10:00:00")}
        assert found["ITEM1"].updt_time == "2026-05-11 09:00:00" and not found["ITEM1"].approved
        assert uow.catalogue.mappings_for("P1", []) == {} and uow.catalogue.mappings_for("P2", ["ITEM1"]) == {}
        assert [m.chk_stas for m in uow.catalogue.mappings_of("P1")] == ["2", "1"]
        uow.catalogue.save_mappings([replace(row, uploaded_at="2026-05-12 08:00:00")])  # uploaded again: 待审核
    with store.write() as uow:
        again = uow.catalogue.mappings_for("P1", ["ITEM1"])["ITEM1"]
        assert (again.chk_stas, again.chk_memo, again.reviewed_at, again.updt_time) == (
            "0", "", None, "2026-05-12 08:00:00")
        assert uow.catalogue.drop_mapping("P1", "ITEM1") is True
        assert uow.catalogue.review_mapping("P1", "ITEM1", "1", "", "2026-05-12 09:00:00") is False
    with pytest.raises(RuntimeError), store.write() as uow:
        uow.catalogue.review_mapping("P1", "ITEM2", "2", "回滚", "2026-05-12 10:00:00")
        raise RuntimeError("rolled back")
    with store.read() as uow:
        assert uow.catalogue.mappings_for("P1", ["ITEM1"]) == {}
        assert uow.catalogue.mappings_for("P1", ["ITEM2"])["ITEM2"].chk_stas == "1"


def test_a_catalogue_unit_of_work_that_raises_leaves_entries_and_mappings_as_they_were(store: Any) -> None:
    row = MappingRecord("P1", "ITEM1", "本院阿莫西林", "101", "A1", "2026-01-01", None, "2026-05-10 10:00:00")
    with store.write() as uow:
        uow.catalogue.save([entry("A1", "2026-05-01 00:00:00")])
        uow.catalogue.save_mappings([row])
    with pytest.raises(RuntimeError), store.write() as uow:
        uow.catalogue.save([entry("A1", "2026-05-02 00:00:00", name="改"), entry("B1", "2026-05-02 00:00:00")])
        uow.catalogue.save_mappings([replace(row, med_list_codg="B1")])
        uow.catalogue.drop_mapping("P1", "ITEM1")
        raise RuntimeError("refused after the writes")
    with store.read() as uow:
        assert uow.catalogue.entries(["A1", "B1"]) == {"A1": entry("A1", "2026-05-01 00:00:00")}
        assert uow.catalogue.mappings_of("P1") == [row]
        assert uow.catalogue.newest() == "2026-05-01 00:00:00"


# traceability codes --------------------------------------------------------------------------------
def box(code: str, sn: str, setl_id: str = "", at: str = "2026-05-10 10:00:00") -> TraceRecord:
    return TraceRecord(code, setl_id, sn, "A1", "P1", at)


def test_codes_uploaded_with_visit_lines_are_settled_dropped_and_released_back_to_the_visit(store: Any) -> None:
    with store.write() as uow:
        uow.trace_codes.upload("MD1", [box(BOX[1], "2"), box(BOX[0], "1"), box(BOX[2], "2")])
        uow.trace_codes.upload("MD2", [box(BOX[3], "1")])
        uow.trace_codes.upload("MD1", [])
    with store.write() as uow:
        assert uow.trace_codes.uploaded("MD1") == {"2": [BOX[1], BOX[2]], "1": [BOX[0]]}  # upload order
        assert uow.trace_codes.sold(BOX) == {}  # uploaded is not sold
        uow.trace_codes.settle_uploaded("MD1", ["2"], "S1", "2026-05-10 10:05:00")
        uow.trace_codes.drop_uploaded("MD1", ["1", "9"])
        uow.trace_codes.drop_uploaded("MD2", [])
        uow.trace_codes.settle_uploaded("MD2", [], "S9", "2026-05-10 10:05:00")
    with store.write() as uow:
        assert uow.trace_codes.uploaded("MD1") == {} and uow.trace_codes.uploaded("MD2") == {"1": [BOX[3]]}
        assert uow.trace_codes.sold([BOX[0], BOX[1], BOX[2], "nope"]) == {
            BOX[1]: box(BOX[1], "2", "S1", "2026-05-10 10:05:00"), BOX[2]: box(BOX[2], "2", "S1", "2026-05-10 10:05:00")}
        assert uow.trace_codes.of_settlement("S1") == [box(BOX[1], "2", "S1", "2026-05-10 10:05:00"),
                                                       box(BOX[2], "2", "S1", "2026-05-10 10:05:00")]
        uow.trace_codes.drop_uploaded("MD1", ["2"])  # sold codes are not dropped
        assert uow.trace_codes.release("S1", True, "2026-05-10 11:00:00") == 2
    with store.read() as uow:
        assert uow.trace_codes.uploaded("MD1") == {"2": [BOX[1], BOX[2]]}
        assert uow.trace_codes.sold(BOX) == {} and uow.trace_codes.of_settlement("S1") == []
        assert uow.trace_codes.sold([]) == {}


def test_codes_sold_with_a_sale_are_returned_resold_and_sold_once_at_a_time(store: Any) -> None:
    with store.write() as uow:
        uow.trace_codes.sell("MD1", [box(BOX[0], "1", "S1"), box(BOX[1], "1", "S1")])
        uow.trace_codes.sell("MD2", [])
    with pytest.raises(Duplicate), store.write() as uow:
        uow.trace_codes.sell("MD2", [box(BOX[2], "1", "S2"), box(BOX[1], "1", "S2")])  # BOX[1] is sold
    with store.write() as uow:
        assert set(uow.trace_codes.sold(BOX)) == {BOX[0], BOX[1]}  # the refused unit of work left nothing
        assert uow.trace_codes.of_settlement("S2") == []
        assert uow.trace_codes.release("S1", False, "2026-05-10 11:00:00") == 2
        assert uow.trace_codes.release("S1", False, "2026-05-10 11:00:01") == 0  # already returned
        assert uow.trace_codes.sold(BOX) == {}
        assert uow.trace_codes.of_settlement("S1") == [box(BOX[0], "1", "S1", "2026-05-10 11:00:00"),
                                                       box(BOX[1], "1", "S1", "2026-05-10 11:00:00")]
        uow.trace_codes.sell("MD2", [box(BOX[1], "1", "S2", "2026-05-10 12:00:00")])  # a returned box sells again
    with store.write() as uow:
        assert uow.trace_codes.sold([BOX[1]]) == {BOX[1]: box(BOX[1], "1", "S2", "2026-05-10 12:00:00")}
        assert uow.trace_codes.release("S2", False, "2026-05-10 12:30:00") == 1
        assert uow.trace_codes.resell("S1", "2026-05-10 13:00:00") == [BOX[0], BOX[1]]  # a reversed revoke
    with store.read() as uow:
        assert uow.trace_codes.sold(BOX) == {BOX[0]: box(BOX[0], "1", "S1", "2026-05-10 13:00:00"),
                                             BOX[1]: box(BOX[1], "1", "S1", "2026-05-10 13:00:00")}
        assert [r.code for r in uow.trace_codes.of_settlement("S2")] == [BOX[1]]  # returned, still listed


def test_a_box_may_sit_on_several_visits_unsettled_lines_but_is_sold_under_one_settlement_at_a_time(
        store: Any) -> None:
    with store.write() as uow:
        uow.trace_codes.upload("MD1", [box(BOX[0], "1")])
        uow.trace_codes.upload("MD2", [box(BOX[0], "1")])  # two visits' unsettled lines may name one box
        uow.trace_codes.sell("MD3", [box(BOX[0], "1", "S3")])
    with pytest.raises(Duplicate), store.write() as uow:
        uow.trace_codes.settle_uploaded("MD1", ["1"], "S1", "2026-05-10 10:05:00")  # sold under S3 already
    with store.write() as uow:
        assert uow.trace_codes.uploaded("MD1") == {"1": [BOX[0]]}
        assert uow.trace_codes.release("S3", False, "2026-05-10 10:06:00") == 1
        uow.trace_codes.settle_uploaded("MD1", ["1"], "S1", "2026-05-10 10:07:00")  # free again
    with pytest.raises(Duplicate), store.write() as uow:
        uow.trace_codes.resell("S3", "2026-05-10 10:08:00")  # a reversed revoke of S3: the box is S1's now
    with store.read() as uow:
        assert uow.trace_codes.sold([BOX[0]]) == {BOX[0]: box(BOX[0], "1", "S1", "2026-05-10 10:07:00")}
        assert uow.trace_codes.uploaded("MD2") == {"1": [BOX[0]]}


# sales uploads (3505/3506) ---------------------------------------------------------------------------
def upload(number: str, kind: str = "sale", **changes: Any) -> SalesUpload:
    return replace(SalesUpload("P1", kind, number, "S1", "A1", "ITEM1", Decimal("2"), (BOX[0], BOX[1]),  # type: ignore[arg-type]
                               "2026-05-10 10:00:00", "2026-05-10 10:01:00"), **changes)


def test_sales_uploads_are_kept_in_upload_order_and_known_by_number_and_kind(store: Any) -> None:
    with store.write() as uow:
        uow.sales_uploads.add([upload("X2"), upload("X1", sel_retn_cnt=Decimal("0.5"), trace_codes=())])
        uow.sales_uploads.add([upload("X2", "return", uploaded_at="2026-05-11 09:00:00"),
                               upload("X1", fixmedins_code="P2")])
        uow.sales_uploads.add([])
    with store.read() as uow:
        assert uow.sales_uploads.known("P1", "sale", ["X1", "X2", "X3"]) == {"X1", "X2"}
        assert uow.sales_uploads.known("P1", "return", ["X1", "X2"]) == {"X2"}
        assert uow.sales_uploads.known("P3", "sale", ["X1"]) == set()
        assert uow.sales_uploads.known("P1", "sale", []) == set()
        assert uow.sales_uploads.of_institution("P1") == [
            upload("X2"), upload("X1", sel_retn_cnt=Decimal("0.5"), trace_codes=()),
            upload("X2", "return", uploaded_at="2026-05-11 09:00:00")]
        assert uow.sales_uploads.of_institution("P2") == [upload("X1", fixmedins_code="P2")]
        assert uow.sales_uploads.of_institution("P9") == []


def test_a_sales_number_uploaded_twice_is_a_duplicate_and_adds_nothing(store: Any) -> None:
    with store.write() as uow:
        uow.sales_uploads.add([upload("X1")])
    with pytest.raises(Duplicate), store.write() as uow:
        uow.sales_uploads.add([upload("X2"), upload("X1", setl_id="S9")])
    with pytest.raises(Duplicate), store.write() as uow:
        uow.sales_uploads.add([upload("X3"), upload("X3")])
    with store.read() as uow:
        assert uow.sales_uploads.of_institution("P1") == [upload("X1")]


# stays -----------------------------------------------------------------------------------------------
def patient(store: Any, n: int = 1) -> int:
    found = Person(id=0, psn_no=f"PSN{n:04d}", name=f"人{n}", certno=f"61010319700101{n:04d}", gender="1",
                   birthday=date(1970, 1, 1), insutype="310", psn_type="1101", insuplc="610103", status="1",
                   balance=Decimal("100.00"), ytd_deductible_used=Decimal("0.00"), ytd_fund_paid=Decimal("0.00"),
                   card_sn=f"A{n:08d}")
    with store.write() as uow:
        return int(uow.persons.add_all([found])[found.psn_no])


def stay(mdtrt_id: str, person_id: int, **changes: Any) -> StayRecord:
    base = StayRecord(0, mdtrt_id, person_id, "H1", "310", "admitted", "2026-03-02 09:00:00", None, "ZY1", "A03",
                      "心血管内科", "15", "D01", "王医生", "胸痛", "", "", "", "[]", None)
    return replace(base, **changes)


def line(mdtrt_id: str, sn: str, **changes: Any) -> StayLineRecord:
    return replace(StayLineRecord(0, mdtrt_id, sn, "Z0101", "床位费", "3", "60.00", 18000, "2026-03-02 10:00:00",
                                  None, None), **changes)


def test_stays_are_added_once_saved_whole_and_listed(store: Any) -> None:
    a, b = patient(store, 1), patient(store, 2)
    with store.write() as uow:
        uow.stays.add(stay("ZY-B", a))
        uow.stays.add(stay("ZY-A", a, fixmedins_code="H2"))
        uow.stays.add(stay("ZY-C", b))
    with pytest.raises(Duplicate), store.write() as uow:
        uow.stays.add(stay("ZY-B", b))
    with store.write() as uow:
        first = uow.stays.get("ZY-B", lock=True)
        assert first == stay("ZY-B", a, id=first.id) and uow.stays.get("nope") is None
        uow.stays.save(replace(first, status="settled", endtime="2026-03-05 10:00:00", dscg_way="1",
                               diseinfo='[{"diag_code": "I20"}]', setl_id="S1", id=0))  # saved by mdtrt_id
    with store.read() as uow:
        saved = uow.stays.get("ZY-B")
        assert saved == replace(first, status="settled", endtime="2026-03-05 10:00:00", dscg_way="1",
                                diseinfo='[{"diag_code": "I20"}]', setl_id="S1")
        assert [s.mdtrt_id for s in uow.stays.of_person(a)] == ["ZY-B", "ZY-A"]  # admission order
        assert uow.stays.of_person(999) == []
        assert [s.mdtrt_id for s in uow.stays.of_institution("H1", 5)] == ["ZY-C", "ZY-B"]  # newest first
        assert [s.mdtrt_id for s in uow.stays.of_institution("H1", 1)] == ["ZY-C"]
    with pytest.raises(AssertionError), store.write() as uow:
        uow.stays.save(stay("ZY-NONE", a))  # a stay never added cannot be saved


def test_stay_lines_in_upload_order_settle_unsettle_and_delete(store: Any) -> None:
    pid = patient(store)
    with store.write() as uow:
        uow.stays.add(stay("ZY1", pid))
        uow.stays.add(stay("ZY2", pid))
        uow.stays.add_lines([line("ZY1", "3"), line("ZY1", "1", amt_fen=1, cnt="0.5", pric="0.02"), line("ZY2", "3")])
        uow.stays.add_lines([])
    with store.write() as uow:
        lines = uow.stays.lines("ZY1")
        assert [x.feedetl_sn for x in lines] == ["3", "1"]
        assert lines[1] == line("ZY1", "1", amt_fen=1, cnt="0.5", pric="0.02", id=lines[1].id)
        uow.stays.settle_lines([lines[0].id], "S1")
        uow.stays.settle_lines([], "S9")
    with store.write() as uow:
        assert [x.setl_id for x in uow.stays.lines("ZY1")] == ["S1", None]
        uow.stays.unsettle_lines("S1")
        assert [(x.setl_id, x.revoked_setl_id) for x in uow.stays.lines("ZY1")] == [(None, "S1"), (None, None)]
        uow.stays.settle_lines([lines[0].id], "S2")  # settled again: the old revoke is forgotten
        assert [(x.setl_id, x.revoked_setl_id) for x in uow.stays.lines("ZY1")][0] == ("S2", None)
        uow.stays.delete_lines([lines[1].id])
        uow.stays.delete_lines([])
    with store.read() as uow:
        assert [x.feedetl_sn for x in uow.stays.lines("ZY1")] == ["3"]
        assert [x.feedetl_sn for x in uow.stays.lines("ZY2")] == ["3"] and uow.stays.lines("ZY9") == []
    with pytest.raises(Duplicate), store.write() as uow:
        uow.stays.add_lines([line("ZY1", "4"), line("ZY1", "3")])  # one feedetl_sn per stay
    with store.read() as uow:
        assert [x.feedetl_sn for x in uow.stays.lines("ZY1")] == ["3"]


def test_inpatient_year_accumulators_start_at_zero_and_add_up(store: Any) -> None:
    a, b = patient(store, 1), patient(store, 2)
    with store.write() as uow:
        assert uow.stays.year(a, 2026) == InpatientYearRecord(a, 2026, 0, 0)
        uow.stays.add_to_year(a, 2026, 150000, 1)
        uow.stays.add_to_year(a, 2026, 25050, 1)
        uow.stays.add_to_year(a, 2025, 100, 1)
        uow.stays.add_to_year(b, 2026, 7, 1)
    with pytest.raises(RuntimeError), store.write() as uow:
        uow.stays.add_to_year(a, 2026, -25050, -1)
        raise RuntimeError("rolled back")
    with store.write() as uow:
        assert uow.stays.year(a, 2026) == InpatientYearRecord(a, 2026, 175050, 2)
        uow.stays.add_to_year(a, 2026, -25050, -1)  # a revoke takes a stay back
    with store.read() as uow:
        assert uow.stays.year(a, 2026) == InpatientYearRecord(a, 2026, 150000, 1)
        assert uow.stays.year(a, 2025) == InpatientYearRecord(a, 2025, 100, 1)
        assert uow.stays.year(b, 2026) == InpatientYearRecord(b, 2026, 7, 1)
        assert uow.stays.year(b, 2024) == InpatientYearRecord(b, 2024, 0, 0)


def test_reset_empties_the_catalogue_codes_uploads_and_stays(store: Any) -> None:
    pid = patient(store)
    with store.write() as uow:
        uow.catalogue.save([entry("A1", "2026-05-01 00:00:00")])
        uow.catalogue.save_mappings([MappingRecord("P1", "I1", "药", "101", "A1", "2026-01-01", None,
                                                   "2026-05-10 10:00:00")])
        uow.trace_codes.sell("MD1", [box(BOX[0], "1", "S1")])
        uow.trace_codes.upload("MD2", [box(BOX[1], "1")])
        uow.sales_uploads.add([upload("X1")])
        uow.stays.add(stay("ZY1", pid))
        uow.stays.add_lines([line("ZY1", "1")])
        uow.stays.add_to_year(pid, 2026, 100, 1)
    store.reset()
    with store.read() as uow:
        assert uow.catalogue.newest() is None and uow.catalogue.mappings_of("P1") == []
        assert uow.trace_codes.sold(BOX) == {} and uow.trace_codes.uploaded("MD2") == {}
        assert uow.sales_uploads.of_institution("P1") == []
        assert uow.stays.get("ZY1") is None and uow.stays.lines("ZY1") == []
        assert uow.stays.year(pid, 2026) == InpatientYearRecord(pid, 2026, 0, 0)


def test_a_mapping_stored_before_reviews_existed_reads_as_approved(tmp_path: Any) -> None:
    """SQL only: a database whose 目录对照 rows predate the review table (no review row) bills them as before."""
    from sqlalchemy import delete

    from simulator.store.store import Store
    from simulator.store.tables_catalogue import mapping_reviews

    made = Store(f"sqlite:///{tmp_path / 'old.sqlite'}")
    try:
        row = MappingRecord("P1", "ITEM1", "本院阿莫西林", "101", "A1", "2026-01-01", None, "2026-05-10 10:00:00")
        with made.write() as uow:
            uow.catalogue.save_mappings([row])
        with made.engine.begin() as conn:
            conn.execute(delete(mapping_reviews))
        with made.read() as uow:
            assert uow.catalogue.mappings_of("P1") == [replace(row, chk_stas="1")]
    finally:
        made.dispose()
