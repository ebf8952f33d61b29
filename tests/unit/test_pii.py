"""Masking personal data (pos_plugin.pii) and a journal written before masking/reversal tracking existed."""

from __future__ import annotations

import sqlite3

from pos_plugin.journal import Journal
from pos_plugin.pii import mask_record, mask_text

ID = "61010319751212637X"


def test_id_numbers_in_text_are_masked_but_longer_ids_are_not():
    setl_id, psn_no = "6101030000000696851000", "61010300000599780000"
    text = f"证件号码 {ID} 未查询到参保信息；结算号 {setl_id} 人员 {psn_no}"
    masked = mask_text(text)
    assert ID not in masked and "610***********637X" in masked
    assert setl_id in masked and psn_no in masked


def test_names_and_certificate_numbers_are_masked_anywhere_in_a_record():
    record = {"input": {"druginfo": {"psn_no": "P1", "mdtrt_cert_no": ID, "medfee_sumamt": "10.00"}},
              "setlinfo": {"psn_name": "赵明", "certno": ID}, "payleg": [{"name": "刘芳", "amount": "1.00"}]}
    masked = mask_record(record)
    assert masked["input"]["druginfo"] == {"psn_no": "P1", "mdtrt_cert_no": "610***********637X",
                                           "medfee_sumamt": "10.00"}
    assert masked["setlinfo"] == {"psn_name": "赵*", "certno": "610***********637X"}
    assert masked["payleg"] == [{"name": "刘*", "amount": "1.00"}]
    assert record["setlinfo"]["psn_name"] == "赵明"  # the caller's value is unchanged


def test_a_journal_file_from_before_reversal_tracking_opens_and_gains_the_column(tmp_path):
    path = tmp_path / "journal.sqlite"
    with sqlite3.connect(path) as old:
        old.execute("CREATE TABLE journal (msgid TEXT PRIMARY KEY, infno TEXT NOT NULL, terminal TEXT NOT NULL, "
                    "psn_no TEXT NOT NULL, insuplc TEXT NOT NULL, request TEXT NOT NULL, state TEXT NOT NULL, "
                    "created_at TEXT NOT NULL, updated_at TEXT NOT NULL, orig_setl_id TEXT, setl_id TEXT, "
                    "mdtrt_id TEXT, insutype TEXT, clr_type TEXT, clr_optins TEXT, setl_time TEXT, "
                    "medfee_sumamt TEXT, fund_pay_sumamt TEXT, psn_part_amt TEXT, acct_pay TEXT, "
                    "acct_mulaid_pay TEXT, wallet_pay TEXT, psn_cash_pay TEXT, reply TEXT, error TEXT)")
        old.execute("INSERT INTO journal (msgid, infno, terminal, psn_no, insuplc, request, state, created_at, "
                    "updated_at) VALUES ('M1', '2102', 'T1', 'P1', '610103', '{}', 'unknown', 'x', 'x')")
    journal = Journal(path, terminal="T1")
    [row] = journal.unresolved()
    assert row.msgid == "M1" and row.reversal_sent is False
    journal.note_reversal_sent("M1")
    assert journal.get("M1").reversal_sent is True
    journal.close()
