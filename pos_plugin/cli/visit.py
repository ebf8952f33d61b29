"""`pos-plugin visit ...`: an outpatient visit at the billing desk, step by step (docs/domain.md §2.8), one command
per step — the same steps `pos-plugin checkout --flow outpatient` takes in one call.

    visit register [IMAGE] --code ... --dept-code ... --doctor-name ... --diagnosis I10=原发性高血压   2201 + 2203
    visit fees MDTRT_ID --file orders.json            2204, one batch, each line's split
    visit delete MDTRT_ID BATCH                       2205 (0000: every unsettled batch)
    visit presettle MDTRT_ID [IMAGE] --code ...       2206: the split table and the payer chain, nothing settled
    visit settle MDTRT_ID [IMAGE] --code ... [--yes]  2206, the cashier confirms, 2207, the receipt
    visit revoke MDTRT_ID  /  visit cancel MDTRT_ID   2208 / 2202
    visit show MDTRT_ID  /  visit list [--state ...]  the visit book

The open visit lives in the terminal's visit book, so each step may run in its own process.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from pos_plugin.checkout.identify import BUSINESS_TYPE, Expected, Patient, identify
from pos_plugin.checkout.requests_build import VisitDetails
from pos_plugin.checkout.sale import Quote, SaleCancelled
from pos_plugin.cli.counter import (
    confirm_with,
    confirmation_text,
    credential_options,
    read_cart,
    sale_json,
    terminal_options,
    visit_options,
)
from pos_plugin.config import Terminal
from pos_plugin.credentials import read_credential
from pos_plugin.domain.money import format_amount
from pos_plugin.domain.payer_chain import Choices
from pos_plugin.journal.visits import VISIT_STATES, VisitFee, VisitRecord
from pos_plugin.platform.models import SETLINFO_FIELDS
from pos_plugin.present import mask_name, split_table, table

json_option = click.option("--json", "as_json", is_flag=True)
choice_options = (click.option("--no-account", is_flag=True, help="患者不使用个人账户（含家庭共济）"),
                  click.option("--no-wallet", is_flag=True, help="患者不使用医保钱包"))


@click.group("visit")
def visit() -> None:
    """门诊分步：挂号、分批上传费用、删除费用、预结算、确认结算、撤销、撤销挂号。"""


def _patient(terminal: Terminal, image: Path | None, code: str | None, certno: str, patient_name: str,
             patient_certno: str) -> Patient:
    return identify(terminal.client, read_credential(image, code, certno),
                    expected=Expected(patient_name, patient_certno), business_type=BUSINESS_TYPE["outpatient"])


def visit_json(record: VisitRecord) -> dict[str, Any]:
    d = record.details
    return {"mdtrt_id": record.mdtrt_id, "psn_no": record.psn_no, "patient": mask_name(record.patient_name),
            "visit_no": record.visit_no, "med_type": record.med_type, "dept_code": d.dept_code,
            "dept_name": d.dept_name, "doctor_name": d.doctor_name, "caty": d.caty,
            "diagnoses": [{"code": x.code, "name": x.name} for x in d.diagnoses], "state": record.state,
            "begntime": record.begntime, "setl_id": record.setl_id}


def fee_json(fee: VisitFee) -> dict[str, Any]:
    return {"feedetl_sn": fee.feedetl_sn, "batch": fee.batch, "code": fee.line.code, "name": fee.line.name,
            "amount": format_amount(fee.line.amt), "split": fee.split, "deleted": fee.deleted}


def quote_json(quote: Quote) -> dict[str, Any]:
    return {"mdtrt_id": quote.mdtrt_id, "figures": {name: format_amount(quote.figure(name)) for name in SETLINFO_FIELDS},
            "legs": [{"source": leg.source, "rank": leg.rank, "psn_no": leg.psn_no, "pool_id": leg.pool_id,
                      "amount": format_amount(leg.amount)} for leg in quote.plan.legs],
            "cash_due": format_amount(quote.plan.psn_cash_pay)}


def fees_text(fees: list[VisitFee]) -> str:
    rows = [(f"{f.batch}/{f.feedetl_sn} {f.line.name}", format_amount(f.line.amt), f.split.get("inscp_scp_amt", ""),
             f.split.get("fulamt_ownpay_amt", "")) for f in fees]
    return "\n".join(table([("批次/明细", "金额", "目录内", "全自费"), *rows], (28, 10, 10, 10)))


def _echo(as_json: bool, payload: Any, text: str) -> None:
    click.echo(json.dumps(payload, ensure_ascii=False) if as_json else text)


@visit.command("register")
@credential_options
@visit_options
@click.option("--med-type", default="11", help="医疗类别（门诊 11，门诊慢特病 14）")
@json_option
@terminal_options
def register(terminal: Terminal, image: Path | None, code: str | None, certno: str, patient_name: str,
             patient_certno: str, visit: VisitDetails, med_type: str, as_json: bool) -> None:
    """门诊挂号（2201）并登记诊断（2203）：科室、医生、科别、诊断。"""
    patient = _patient(terminal, image, code, certno, patient_name, patient_certno)
    record = terminal.visit_desk.register(patient, visit, med_type=med_type)
    _echo(as_json, visit_json(record), f"已挂号 就诊号 {record.mdtrt_id}（门诊号 {record.visit_no}，{visit.dept_name}）")


@visit.command("fees")
@click.argument("mdtrt_id")
@click.option("--file", "path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="本批费用（购物车文件格式：JSON 行列表或 {\"lines\": [...]}）")
@json_option
@terminal_options
def fees(terminal: Terminal, mdtrt_id: str, path: Path, as_json: bool) -> None:
    """上传一批门诊费用（2204），显示平台对每一行的分割。"""
    lines = read_cart(path, terminal.catalogue, terminal.client.clock().date().isoformat())
    added = terminal.visit_desk.add_fees(mdtrt_id, lines)
    _echo(as_json, {"mdtrt_id": mdtrt_id, "batch": added[0].batch, "fees": [fee_json(f) for f in added]},
          f"已上传批次 {added[0].batch}，{len(added)} 条\n{fees_text(added)}")


@visit.command("delete")
@click.argument("mdtrt_id")
@click.argument("batch")
@terminal_options
def delete(terminal: Terminal, mdtrt_id: str, batch: str) -> None:
    """删除一批未结算的门诊费用（2205；0000 删除全部未结算费用）。"""
    click.echo(f"已删除 {terminal.visit_desk.delete_fees(mdtrt_id, batch)} 条费用")


def _quote_command(name: str, help_text: str, settle: bool) -> click.Command:
    def command(terminal: Terminal, mdtrt_id: str, image: Path | None, code: str | None, certno: str,
                patient_name: str, patient_certno: str, no_account: bool, no_wallet: bool, as_json: bool,
                yes: bool = False) -> None:
        patient = _patient(terminal, image, code, certno, patient_name, patient_certno)
        choices = Choices(not no_account, not no_wallet)
        if not settle:
            quote = terminal.visit_desk.quote(mdtrt_id, patient, choices)
            _echo(as_json, quote_json(quote), "\n".join([confirmation_text(quote), *split_table(quote.figure)]))
            return
        try:
            booked = terminal.visit_desk.checkout(mdtrt_id, patient, confirm_with(yes, as_json), choices)
        except SaleCancelled as cancelled:
            click.echo(cancelled.message)
            return
        _echo(as_json, sale_json(booked) | {"mdtrt_id": mdtrt_id}, booked.receipt)

    decorators: list[Callable[[Any], Any]] = [click.command(name, help=help_text), click.argument("mdtrt_id"), credential_options,
                  *choice_options, *([click.option("--yes", is_flag=True, help="无人值守：不询问确认")] if settle else []),
                  json_option, terminal_options]
    built: Any = command
    for decorate in reversed(decorators):
        built = decorate(built)
    return built  # type: ignore[no-any-return]


visit.add_command(_quote_command("presettle", "门诊预结算（2206）：显示分项与支付顺序，不扣款。", settle=False))
visit.add_command(_quote_command("settle", "门诊结算：预结算（2206），收银员确认分项与支付顺序，结算（2207），打印小票。",
                                 settle=True))


@visit.command("revoke")
@click.argument("mdtrt_id")
@terminal_options
def revoke(terminal: Terminal, mdtrt_id: str) -> None:
    """撤销门诊结算（2208）：每一段原路退回，就诊回到未结算（可重新结算、删除费用或撤销挂号）。"""
    done = terminal.visit_desk.revoke(mdtrt_id)
    legs = "，".join(f"{leg.source} {format_amount(leg.amount.copy_abs())}"
                    for leg in (done.settlement.payleg if done.settlement else ()) if leg.amount != 0) or "无账户支付"
    click.echo(f"已撤销门诊结算 {done.sale_id}：退回 {legs}，现金退还 {format_amount(done.cash_back)}")


@visit.command("cancel")
@click.argument("mdtrt_id")
@json_option
@terminal_options
def cancel(terminal: Terminal, mdtrt_id: str, as_json: bool) -> None:
    """撤销挂号（2202）：未结算的就诊，其费用一并删除。"""
    record = terminal.visit_desk.cancel(mdtrt_id)
    _echo(as_json, visit_json(record), f"已撤销挂号 {record.mdtrt_id}")


@visit.command("show")
@click.argument("mdtrt_id")
@json_option
@terminal_options
def show(terminal: Terminal, mdtrt_id: str, as_json: bool) -> None:
    """一次门诊就诊及其全部费用（含已删除的批次）。"""
    record = terminal.visit_desk.current(mdtrt_id)
    listed = terminal.visit_desk.fees(mdtrt_id, with_deleted=True)
    live = [fee for fee in listed if not fee.deleted]
    text = (f"{record.mdtrt_id}  {mask_name(record.patient_name)}  {record.details.dept_name}  {record.state}"
            f"  {record.setl_id or ''}\n{fees_text(live)}")
    _echo(as_json, visit_json(record) | {"fees": [fee_json(f) for f in listed]}, text)


@visit.command("list")
@click.option("--state", type=click.Choice(VISIT_STATES), default=None)
@json_option
@terminal_options
def list_visits(terminal: Terminal, state: str | None, as_json: bool) -> None:
    """本机的门诊就诊（未结算 / 已结算 / 已撤销挂号）。"""
    records = terminal.visit_desk.all(state)
    _echo(as_json, [visit_json(r) for r in records],
          "\n".join(f"{r.mdtrt_id}  {mask_name(r.patient_name)}  {r.details.dept_name}  {r.state}  {r.begntime}"
                    for r in records))
