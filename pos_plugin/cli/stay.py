"""`pos-plugin stay ...`: an inpatient stay at the billing desk (docs/domain.md §2.7), one command per step.

    stay admit [IMAGE] --code ... --ipt-no ... --dept-code ... --dept-name ...   2401, prints the mdtrt_id
    stay fees MDTRT_ID --file day1.json [--day 2026-05-02]                        2301, one batch, each line's split
    stay delete MDTRT_ID FEEDETL_SN                                               2302 (0000: every unsettled line)
    stay discharge MDTRT_ID [--endtime ...]   /  stay cancel-discharge MDTRT_ID   2402 / 2405
    stay cancel MDTRT_ID                                                          2404
    stay settle MDTRT_ID [IMAGE] --code ... [--yes] [--json]                      2303, confirm, 2304, 出院结算单
    stay revoke MDTRT_ID  /  stay receipt MDTRT_ID  /  stay list                  2305 / reprint / the stay book

The stay lives in the terminal's stay book, so each step may run in its own process, days apart.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from pos_plugin.checkout.identify import Expected, identify
from pos_plugin.checkout.sale import SaleCancelled
from pos_plugin.checkout.stay import SettledStay, StayQuote, Ward
from pos_plugin.cli.counter import credential_options, read_cart, terminal_options
from pos_plugin.config import Terminal
from pos_plugin.credentials import read_credential
from pos_plugin.domain.money import format_amount
from pos_plugin.domain.payer_chain import Choices
from pos_plugin.journal.stays import StayFee, StayRecord
from pos_plugin.present import mask_name, plan_lines, split_table, table

BUSINESS_ADMISSION = "01101"  # the decode service's businessType for a registration / admission
TIME_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d"]


@click.group("stay")
def stay() -> None:
    """住院：入院、分批上传费用、出院、结算、撤销、补打出院结算单。"""


def _patient(terminal: Terminal, image: Path | None, code: str | None, certno: str, patient_name: str,
             patient_certno: str) -> Any:
    return identify(terminal.client, read_credential(image, code, certno),
                    expected=Expected(patient_name, patient_certno), business_type=BUSINESS_ADMISSION)


def stay_json(record: StayRecord) -> dict[str, Any]:
    return {"mdtrt_id": record.mdtrt_id, "psn_no": record.psn_no, "patient": mask_name(record.patient_name),
            "ipt_no": record.ipt_no, "state": record.state, "begntime": record.begntime, "endtime": record.endtime,
            "setl_id": record.setl_id}


def fee_json(fee: StayFee) -> dict[str, Any]:
    return {"feedetl_sn": fee.feedetl_sn, "day": fee.batch, "code": fee.line.code, "name": fee.line.name,
            "amount": format_amount(fee.line.amt), "split": fee.split}


def quote_text(quote: StayQuote) -> str:
    """What the cashier confirms at discharge: the stay, the split and every leg of the payer chain."""
    stay_ = quote.stay
    head = [f"参保人 {mask_name(stay_.patient_name)}（{stay_.insutype}） 住院号 {stay_.ipt_no}",
            f"入院 {stay_.begntime}  出院 {stay_.endtime}"]
    return "\n".join(head + split_table(quote.figure) + ["  " + line for line in plan_lines(quote.plan)])


def settled_json(done: SettledStay) -> dict[str, Any]:
    names = ("medfee_sumamt", "fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt",
             "act_pay_dedc", "hifp_pay", "fund_pay_sumamt", "psn_part_amt", "acct_pay", "acct_mulaid_pay",
             "wallet_pay", "psn_cash_pay")
    return {"mdtrt_id": done.stay.mdtrt_id, "setl_id": done.settlement.setl_id,
            "setlinfo": {name: format_amount(done.settlement.amount(name)) for name in names},
            "legs": [{"source": leg.source, "rank": leg.rank, "psn_no": leg.psn_no, "pool_id": leg.pool_id,
                      "amount": format_amount(leg.amount)} for leg in done.legs],
            "cash_due": format_amount(done.cash_due), "receipt": done.receipt}


def _echo(as_json: bool, payload: dict[str, Any], text: str) -> None:
    click.echo(json.dumps(payload, ensure_ascii=False) if as_json else text)


json_option = click.option("--json", "as_json", is_flag=True)


@stay.command("admit")
@credential_options
@click.option("--ipt-no", required=True, help="住院号")
@click.option("--dept-code", required=True, help="入院科室编码")
@click.option("--dept-name", required=True, help="入院科室名称")
@click.option("--bed", default="", help="床位号")
@click.option("--doctor-code", default="", help="主治医生编码")
@click.option("--doctor-name", default="", help="主治医生姓名")
@click.option("--diagnosis-code", default="", help="入院诊断编码（ICD-10）")
@click.option("--diagnosis-name", default="", help="入院诊断名称")
@click.option("--begntime", type=click.DateTime(formats=TIME_FORMATS), default=None, help="入院时间（默认现在）")
@json_option
@terminal_options
def admit(terminal: Terminal, image: Path | None, code: str | None, certno: str, patient_name: str,
          patient_certno: str, ipt_no: str, dept_code: str, dept_name: str, bed: str, doctor_code: str,
          doctor_name: str, diagnosis_code: str, diagnosis_name: str, begntime: datetime | None, as_json: bool) -> None:
    """入院办理（2401）：识别患者，登记科室、床位、医生与诊断。"""
    patient = _patient(terminal, image, code, certno, patient_name, patient_certno)
    record = terminal.desk.admit(patient, Ward(ipt_no, dept_code, dept_name, bed, doctor_code, doctor_name,
                                               diagnosis_code, diagnosis_name), begntime=begntime)
    _echo(as_json, stay_json(record), f"已办理入院 住院就诊号 {record.mdtrt_id}（住院号 {ipt_no}）")


@stay.command("fees")
@click.argument("mdtrt_id")
@click.option("--file", "path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="本批费用（购物车文件格式：JSON 行列表或 {\"lines\": [...]}）")
@click.option("--day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="费用发生日期（默认今天）")
@json_option
@terminal_options
def fees(terminal: Terminal, mdtrt_id: str, path: Path, day: datetime | None, as_json: bool) -> None:
    """上传一批住院费用（2301），显示平台对每一行的分割。"""
    added = terminal.desk.add_fees(mdtrt_id, read_cart(path), day=day.date() if day else None)
    rows = [(f"{f.feedetl_sn} {f.line.name}", format_amount(f.line.amt), f.split.get("inscp_scp_amt", ""),
             f.split.get("fulamt_ownpay_amt", "")) for f in added]
    text = "\n".join(table([("明细", "金额", "目录内", "全自费"), *rows], (24, 10, 10, 10)))
    _echo(as_json, {"mdtrt_id": mdtrt_id, "fees": [fee_json(f) for f in added]}, f"已上传 {len(added)} 条\n{text}")


@stay.command("delete")
@click.argument("mdtrt_id")
@click.argument("feedetl_sn")
@terminal_options
def delete(terminal: Terminal, mdtrt_id: str, feedetl_sn: str) -> None:
    """删除一条未结算的住院费用（2302；0000 删除全部未结算费用）。"""
    click.echo(f"已删除 {terminal.desk.delete_fee(mdtrt_id, feedetl_sn)} 条费用")


def _step(name: str, help_text: str, act: Callable[[Terminal, str], StayRecord], done: str) -> click.Command:
    @click.command(name, help=help_text)
    @click.argument("mdtrt_id")
    @json_option
    @terminal_options
    def command(terminal: Terminal, mdtrt_id: str, as_json: bool) -> None:
        record = act(terminal, mdtrt_id)
        _echo(as_json, stay_json(record), f"{done} {record.mdtrt_id}（{record.state}）")
    return command


stay.add_command(_step("cancel-discharge", "撤销出院（2405）：未结算的住院回到在院状态。",
                       lambda t, m: t.desk.cancel_discharge(m), "已撤销出院"))
stay.add_command(_step("cancel", "取消入院（2404）：未出院、未结算的住院。", lambda t, m: t.desk.cancel_admission(m),
                       "已取消入院"))


@stay.command("discharge")
@click.argument("mdtrt_id")
@click.option("--endtime", type=click.DateTime(formats=TIME_FORMATS), default=None, help="出院时间（默认现在）")
@json_option
@terminal_options
def discharge(terminal: Terminal, mdtrt_id: str, endtime: datetime | None, as_json: bool) -> None:
    """出院办理（2402）：此后不能再上传费用。"""
    record = terminal.desk.discharge(mdtrt_id, endtime=endtime)
    _echo(as_json, stay_json(record), f"已办理出院 {record.mdtrt_id} 出院时间 {record.endtime}")


@stay.command("settle")
@click.argument("mdtrt_id")
@credential_options
@click.option("--no-account", is_flag=True, help="患者不使用个人账户（含家庭共济）")
@click.option("--no-wallet", is_flag=True, help="患者不使用医保钱包")
@click.option("--yes", is_flag=True, help="无人值守：不询问确认")
@json_option
@terminal_options
def settle(terminal: Terminal, mdtrt_id: str, image: Path | None, code: str | None, certno: str, patient_name: str,
           patient_certno: str, no_account: bool, no_wallet: bool, yes: bool, as_json: bool) -> None:
    """出院结算：预结算（2303），显示分项与支付顺序供确认，结算（2304），打印出院结算单。"""
    patient = _patient(terminal, image, code, certno, patient_name, patient_certno)

    def confirm(quote: StayQuote) -> bool:
        if not as_json:
            click.echo(quote_text(quote))
        return yes or click.confirm("确认结算?", default=False)

    try:
        done = terminal.desk.checkout(mdtrt_id, patient, confirm, Choices(not no_account, not no_wallet))
    except SaleCancelled as cancelled:
        click.echo(cancelled.message)
        return
    _echo(as_json, settled_json(done), done.receipt)


@stay.command("revoke")
@click.argument("mdtrt_id")
@terminal_options
def revoke(terminal: Terminal, mdtrt_id: str) -> None:
    """撤销住院结算（2305）：每一段原路退回，住院回到已出院未结算。"""
    done = terminal.desk.revoke(mdtrt_id)
    legs = "，".join(f"{leg.source} {format_amount(leg.amount)}" for leg in done.payleg) or "无账户支付"
    click.echo(f"已撤销住院结算 {done.setlinfo.get('init_setl_id', '')}：医疗费 "
               f"{format_amount(done.amount('medfee_sumamt'))}，统筹基金 {format_amount(done.amount('fund_pay_sumamt'))}，"
               f"退回 {legs}")


@stay.command("receipt")
@click.argument("mdtrt_id")
@terminal_options
def receipt(terminal: Terminal, mdtrt_id: str) -> None:
    """补打出院结算单。"""
    click.echo(terminal.desk.receipt(mdtrt_id), nl=False)


@stay.command("list")
@click.option("--state", type=click.Choice(["admitted", "discharged", "settled", "cancelled"]), default=None)
@json_option
@terminal_options
def list_stays(terminal: Terminal, state: str | None, as_json: bool) -> None:
    """本机的住院记录（在院 / 已出院 / 已结算 / 已取消）。"""
    records = terminal.stays.all(state)
    if as_json:
        click.echo(json.dumps([stay_json(r) for r in records], ensure_ascii=False))
        return
    for r in records:
        click.echo(f"{r.mdtrt_id}  {mask_name(r.patient_name)}  {r.ipt_no}  {r.state}  {r.begntime} ~ {r.endtime or ''}")
