"""Day-end reconciliation from the journal against the real simulator: 3201 totals and 3202 detail
(9101 upload, 9102 result download), balanced and unbalanced, with a revoke and a reversed sale."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from pos_plugin.errors import NotSettled
from pos_plugin.journal import Journal, Recovery, recon_groups, recon_records
from pos_plugin.lab.sim_admin import SimulatorAdmin
from pos_plugin.platform import Institution, Operator, PlatformClient
from pos_plugin.platform.models import ReconTotals

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = json.loads((ROOT / "fixtures" / "scenarios" / "own-account-covers-everything.json").read_text("utf-8"))
DAY = date(2026, 4, 20)


@pytest.fixture
def day_of_sales(sim_url: str, tmp_path: Path) -> Iterator[tuple[PlatformClient, Journal, dict[str, Any]]]:
    """Three sales of 155.80 on the platform's 2026-04-20: one revoked later that day, one reversed after
    its reply was lost (never happened), and a fourth settled the next day (outside the period)."""
    admin = SimulatorAdmin(sim_url)
    admin.reset()
    zhao = admin.load_world(SCENARIO)["handles"]["zhao"]
    journal = Journal(tmp_path / "journal.sqlite", terminal="T1")
    inst = SCENARIO["institution"]
    client = PlatformClient.open(sim_url, institution=Institution(inst["code"], inst["name"], inst["admdvs"]),
                                 operator=Operator("0001", "李收银"), state_path=tmp_path / "state.sqlite",
                                 recorder=journal)
    recovery = Recovery(client, journal)
    person = next(p for p in SCENARIO["people"] if p["id"] == "zhao")
    rows = [{"feedetl_sn": "0001", "med_list_codg": "D4001", "medins_list_codg": "D4001",
             "det_item_fee_sumamt": Decimal("56.80"), "cnt": Decimal("2"), "pric": Decimal("28.40"),
             "fee_ocur_time": "2026-04-20 18:30:00"},
            {"feedetl_sn": "0002", "med_list_codg": "D4002", "medins_list_codg": "D4002",
             "det_item_fee_sumamt": Decimal("99.00"), "cnt": Decimal("1"), "pric": Decimal("99.00"),
             "fee_ocur_time": "2026-04-20 18:30:00"}]
    druginfo = {"psn_no": zhao, "mdtrt_cert_type": "02", "mdtrt_cert_no": person["certno"],
                "medfee_sumamt": Decimal("155.80"), "insutype": "310", "acct_used_flag": "1"}

    def sell() -> Any:
        return recovery.guard(zhao, lambda: client.pharmacy_settle(druginfo, rows, insuplc="610103"))

    first, second = sell(), sell()
    recovery.guard(zhao, lambda: client.pharmacy_revoke(setl_id=second.setl_id, mdtrt_id=second.mdtrt_id,
                                                        psn_no=zhao, insuplc="610103"))
    admin.arm_fault("2102", "drop_after_commit")
    with pytest.raises(NotSettled):
        sell()
    third = sell()
    admin.advance_clock(24 * 3600)
    sell()  # next day
    yield client, journal, {"first": first, "second": second, "third": third}
    client.close()
    journal.close()
    admin.close()


def test_journal_records_follow_the_platform_counting_rules(day_of_sales):
    _, journal, sales = day_of_sales
    assert recon_groups(journal, DAY, DAY) == [("310", "41", "610103")]
    in_effect = recon_records(journal, DAY, DAY, clr_type="41", setl_optins="610103", insutype="310")
    assert [r.setl_id for r in in_effect] == [sales["first"].setl_id, sales["third"].setl_id]
    everything = recon_records(journal, DAY, DAY, clr_type="41", setl_optins="610103", refd_setl_flag="1")
    assert [r.refd_setl_flag for r in everything] == ["0", "0", "0", "1"]
    assert ReconTotals.of(everything).medfee_sumamt == Decimal("311.60")  # 3 x 155.80 - 155.80
    assert ReconTotals.of(in_effect) == ReconTotals(Decimal("311.60"), Decimal("0.00"), Decimal("311.60"),
                                                    Decimal("0.00"), 2)


@pytest.mark.parametrize("refd", ["0", "1"])
def test_totals_reconciliation_balances(day_of_sales, refd):
    client, journal, _ = day_of_sales
    records = recon_records(journal, DAY, DAY, clr_type="41", setl_optins="610103", insutype="310",
                            refd_setl_flag=refd)
    result = client.reconcile_totals(insutype="310", clr_type="41", setl_optins="610103", begndate=DAY,
                                     enddate=DAY, totals=ReconTotals.of(records), refd_setl_flag=refd)
    assert result.balanced, result.stmt_rslt_dscr


def test_totals_reconciliation_reports_a_sale_missing_from_the_books(day_of_sales):
    client, journal, _ = day_of_sales
    records = recon_records(journal, DAY, DAY, clr_type="41", setl_optins="610103", insutype="310")[:1]
    result = client.reconcile_totals(insutype="310", clr_type="41", setl_optins="610103", begndate=DAY,
                                     enddate=DAY, totals=ReconTotals.of(records))
    assert not result.balanced
    assert "结算笔数 平台 2 / 机构 1" in result.stmt_rslt_dscr and "311.60" in result.stmt_rslt_dscr


def test_detail_reconciliation_balances_and_the_result_file_lists_every_record(day_of_sales):
    client, journal, _ = day_of_sales
    records = recon_records(journal, DAY, DAY, clr_type="41", setl_optins="610103", refd_setl_flag="1")
    outcome = client.reconcile_detail(clr_type="41", setl_optins="610103", begndate=DAY, enddate=DAY,
                                      records=records, refd_setl_flag="1")
    assert outcome.balanced and outcome.counts == {"0": 4, "1": 0, "2": 0, "3": 0}
    rows = client.detail_results(outcome)
    assert sorted((r.record for r in rows), key=repr) == sorted(records, key=repr) and all(r.matches for r in rows)


def test_detail_reconciliation_names_each_difference(day_of_sales):
    client, journal, sales = day_of_sales
    records = recon_records(journal, DAY, DAY, clr_type="41", setl_optins="610103")
    wrong = [replace(records[0], acct_pay=Decimal("155.00"), fund_pay_sumamt=Decimal("0.80"))]  # second dropped
    outcome = client.reconcile_detail(clr_type="41", setl_optins="610103", begndate=DAY, enddate=DAY, records=wrong)
    assert not outcome.balanced and outcome.counts == {"0": 0, "1": 0, "2": 1, "3": 1}
    by_setl = {r.record.setl_id: r for r in client.detail_results(outcome)}
    assert by_setl[sales["first"].setl_id].result == "3" and by_setl[sales["third"].setl_id].result == "2"
    assert by_setl[sales["third"].setl_id].result_name == "中心多"
