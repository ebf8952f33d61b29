"""The counter's commands: checkout, revoke, refund, recover, receipt, reconcile, signout, purge.

Errors reach `pos_plugin.cli.Cli` unrendered; `terminal_options` is shared with `cli/agent.py`."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from pos_plugin import dayend
from pos_plugin.catalogue import CatalogueBook, resolve_cart
from pos_plugin.checkout.identify import BUSINESS_TYPE, Expected, identify
from pos_plugin.checkout.requests_build import Diagnosis, VisitDetails
from pos_plugin.checkout.sale import Order, Quote, SaleCancelled, as_flow
from pos_plugin.checkout.till import BookedSale
from pos_plugin.cli import words
from pos_plugin.config import DEFAULT_PLATFORM_TIMEOUT, Terminal, TerminalSettings, open_terminal
from pos_plugin.credentials import read_credential
from pos_plugin.domain.cart import CartLine
from pos_plugin.domain.money import format_amount
from pos_plugin.domain.payer_chain import Choices
from pos_plugin.errors import InputError
from pos_plugin.platform.models import SETLINFO_FIELDS
from pos_plugin.present import mask_name, plan_lines
from pos_plugin.state_home import default_state_dir


def terminal_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The settings every counter command needs; each also reads a YIBAO_* environment variable."""
    options = [
        click.option("--platform", "platform_url", envvar="YIBAO_PLATFORM", metavar="URL", help="医保平台地址"),
        click.option("--institution", envvar="YIBAO_INSTITUTION", metavar="CODE", help="定点机构编码"),
        click.option("--institution-name", envvar="YIBAO_INSTITUTION_NAME", default="", help="定点机构名称"),
        click.option("--admdvs", envvar="YIBAO_ADMDVS", default="", help="就医地医保区划 (6 位)"),
        click.option("--policy", envvar="YIBAO_POLICY", default="national-default", help="本机构所在地区的政策名（异地参保人按其参保地政策结算）"),
        click.option("--state-dir", envvar="YIBAO_STATE_DIR", default=default_state_dir,
                     show_default="~/.local/state/yibao-pos（Windows: %LOCALAPPDATA%\\yibao-pos）",
                     type=click.Path(path_type=Path), help="本机交易日志与流水号所在目录（每个用户固定一处，不随当前目录变化）"),
        click.option("--state-db", envvar="YIBAO_STATE_DB", default="", metavar="URL",
                     help="多台收银机共用的账本数据库 postgresql://…（流水号、交易日志、销售记录）；不设则用 --state-dir"),
        click.option("--terminal", "terminal_id", envvar="YIBAO_TERMINAL", default="T1", help="终端编号"),
        click.option("--operator", envvar="YIBAO_OPERATOR", default="0001", help="收银员编号"),
        click.option("--tif", envvar="YIBAO_TIF", default="", metavar="PAASID=TOKEN", help="网关 x-tif 签名凭据"),
        click.option("--platform-timeout", envvar="YIBAO_PLATFORM_TIMEOUT", default=DEFAULT_PLATFORM_TIMEOUT,
                     show_default=True, type=float, metavar="SECONDS", help="等待医保平台应答的秒数"),
    ]

    @functools.wraps(command)
    def wrapper(platform_url: str | None, institution: str | None, institution_name: str, admdvs: str, policy: str,
                state_dir: Path, state_db: str, terminal_id: str, operator: str, tif: str, platform_timeout: float,
                **kwargs: Any) -> Any:
        settings = TerminalSettings(platform_url or "", institution or "", institution_name, admdvs, policy,
                                    state_dir, terminal_id, operator, tif=tif, platform_timeout=platform_timeout,
                                    state_db=state_db)
        terminal = open_terminal(settings)
        try:
            return command(terminal, **kwargs)
        finally:
            terminal.close()

    for option in options:
        wrapper = option(wrapper)
    return wrapper


def credential_options(command: Callable[..., Any]) -> Callable[..., Any]:
    for option in (
        click.argument("image", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)),
        click.option("--code", help="扫码枪输入或手工输入的码：医保电子凭证、身份证号或社保卡号"),
        click.option("--certno", default="", help="社保卡持卡人身份证号（使用社保卡时）"),
        click.option("--patient-name", default="", help="处方/挂号上的就诊人姓名，用于核对身份"),
        click.option("--patient-certno", default="", help="处方/挂号上的就诊人证件号，用于核对身份"),
    ):
        command = option(command)
    return command


def visit_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The visit the desk registers (2201/2203): department, doctor, category, diagnoses -> `visit`."""
    options = [
        click.option("--dept-code", default="01", help="门诊：就诊科室编码（2201 dept_code）"),
        click.option("--dept-name", default="门诊", help="门诊：就诊科室名称"),
        click.option("--doctor-code", default="", help="门诊：医生编码（atddr_no）"),
        click.option("--doctor-name", default="", help="门诊：医生姓名（dr_name）"),
        click.option("--caty", default="A01", help="门诊：科别（caty）"),
        click.option("--diagnosis", "diagnoses", multiple=True, metavar="CODE=NAME", help="门诊：诊断（可重复，第一个为主诊断）"),
    ]

    @functools.wraps(command)
    def wrapper(dept_code: str, dept_name: str, doctor_code: str, doctor_name: str, caty: str,
                diagnoses: tuple[str, ...], **kwargs: Any) -> Any:
        visit = VisitDetails(dept_code, dept_name, doctor_code, doctor_name, caty,
                             tuple(_diagnosis(text) for text in diagnoses))
        return command(visit=visit, **kwargs)

    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper


def read_cart(path: Path, book: CatalogueBook | None = None, today: str = "") -> tuple[CartLine, ...]:
    """A cart file: a JSON list of lines, or {"lines": [...]} (the scenario line format). Numbers are read
    as Decimal (never float), and a UTF-8 byte-order mark (Windows Notepad) is accepted."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8-sig"), parse_float=Decimal)
    except (OSError, ValueError) as exc:
        raise InputError(f"无法读取购物车文件 {path}: {exc}") from exc
    lines = raw.get("lines") if isinstance(raw, dict) else raw
    if not isinstance(lines, list) or not lines:
        raise InputError(f"购物车文件里没有商品行: {path}")
    bad = [index + 1 for index, line in enumerate(lines) if not isinstance(line, dict)]
    if bad:
        raise InputError(f"购物车第 {', '.join(map(str, bad))} 个商品行不是对象（需要 code、price 等字段）: {path}")
    return resolve_cart(lines, book, today)


def confirmation_text(quote: Quote) -> str:
    """What the cashier confirms before money moves: the patient (masked) and every leg."""
    head = [f"参保人 {mask_name(quote.patient.name)}（{quote.patient.insutype}）"]
    if quote.presettle is not None:
        head.append(f"医疗费 {format_amount(quote.figure('medfee_sumamt'))}  统筹基金 "
                    f"{format_amount(quote.figure('fund_pay_sumamt'))}  个人负担 {format_amount(quote.figure('psn_part_amt'))}")
        head += ["  " + line for line in plan_lines(quote.plan)]
    if quote.split.outside:
        head.append(f"非医保商品（现金） {format_amount(quote.split.outside_settlement)}")
    return "\n".join(head)


def sale_json(booked: BookedSale) -> dict[str, Any]:
    sale = booked.sale
    return {
        "setl_id": sale.setl_id,
        "sale_id": booked.sale_id,
        "setlinfo": {name: format_amount(sale.figure(name)) for name in SETLINFO_FIELDS},
        "legs": [{"source": leg.source, "rank": leg.rank, "psn_no": leg.psn_no, "pool_id": leg.pool_id,
                  "amount": format_amount(leg.amount)} for leg in sale.legs],
        "outside_settlement": format_amount(sale.outside_settlement),
        "cash_total": format_amount(sale.cash_total),
        "receipt": booked.receipt,
    }


def confirm_with(yes: bool, as_json: bool) -> Callable[[Quote], bool]:
    def confirm(quote: Quote) -> bool:
        if not as_json:
            click.echo(confirmation_text(quote))
        return yes or click.confirm("确认结算?", default=False)
    return confirm


@click.command()
@credential_options
@click.option("--cart", "cart_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--flow", type=click.Choice(["pharmacy", "outpatient"]), default="pharmacy")
@click.option("--med-type", default=None, help="医疗类别（药店默认 41，门诊默认 11）")
@click.option("--no-account", is_flag=True, help="患者不使用个人账户（含家庭共济）")
@click.option("--no-wallet", is_flag=True, help="患者不使用医保钱包")
@visit_options
@click.option("--yes", is_flag=True, help="无人值守：不询问确认")
@click.option("--json", "as_json", is_flag=True)
@terminal_options
def checkout(terminal: Terminal, image: Path | None, code: str | None, certno: str, patient_name: str,
             patient_certno: str, cart_path: Path, flow: str, med_type: str | None, no_account: bool,
             no_wallet: bool, visit: VisitDetails, yes: bool, as_json: bool) -> None:
    """识别患者并结算一个购物车：统筹基金、本人账户、共济账户、钱包、现金。"""
    credential = read_credential(image, code, certno)
    lines = read_cart(cart_path, terminal.catalogue, terminal.client.clock().date().isoformat())
    patient = identify(terminal.client, credential, expected=Expected(patient_name, patient_certno),
                       business_type=BUSINESS_TYPE[flow])
    order = Order(lines, as_flow(flow), med_type or ("41" if flow == "pharmacy" else "11"),
                  Choices(not no_account, not no_wallet), visit)
    try:
        booked = terminal.till.checkout(patient, order, confirm_with(yes, as_json))
    except SaleCancelled as cancelled:
        click.echo(cancelled.message)
        return
    click.echo(json.dumps(sale_json(booked), ensure_ascii=False) if as_json else booked.receipt)


def _diagnosis(text: str) -> Diagnosis:
    """`I10=原发性高血压` -> a diagnosis; both parts are required."""
    code, sep, name = text.partition("=")
    if not sep or not code.strip() or not name.strip():
        raise InputError(f"诊断格式应为 编码=名称（如 I10=原发性高血压）: {text!r}")
    return Diagnosis(code.strip(), name.strip())


@click.command()
@click.argument("setl_id")
@terminal_options
def revoke(terminal: Terminal, setl_id: str) -> None:
    """撤销一笔结算：每一段原路退回（本人、共济、家庭共济、钱包）。"""
    click.echo(words.revoked_text(terminal.till.revoke(setl_id)))


@click.command()
@click.argument("setl_id")
@credential_options
@click.option("--line", "lines", multiple=True, required=True, help="退货商品编码（可重复）")
@click.option("--yes", is_flag=True)
@terminal_options
def refund(terminal: Terminal, setl_id: str, image: Path | None, code: str | None, certno: str, patient_name: str,
           patient_certno: str, lines: tuple[str, ...], yes: bool) -> None:
    """部分退货：撤销原结算，按今天的余额重新结算留下的商品，显示新旧分项。"""
    record = terminal.till.settled(setl_id)
    patient = identify(terminal.client, read_credential(image, code, certno),
                       expected=Expected(patient_name, patient_certno), business_type=BUSINESS_TYPE[record.flow])
    refunded = terminal.till.refund(setl_id, patient, lines, confirm_with(yes, False))
    click.echo("原结算:\n" + record.receipt)
    click.echo(words.revoked_text(refunded.revoked))
    click.echo("全部退货，没有新的结算。" if refunded.new is None else "新结算:\n" + refunded.new.receipt)
    click.echo(words.cash_settlement(refunded))


@click.command()
@terminal_options
def recover(terminal: Terminal) -> None:
    """启动时运行：处理结果未知的资金交易（冲正 2601），绝不重复扣款。"""
    recovered = terminal.till.recover()
    stays = terminal.desk.book_from_journal()
    for item in recovered.resolutions:
        click.echo(words.resolution_line(item))
    for record in recovered.booked:
        click.echo(words.booked_line(record.setl_id))
        click.echo(record.receipt)
    for stay_record in stays:
        click.echo(f"[booked] 住院 {stay_record.mdtrt_id} 已结算（结算号 {stay_record.setl_id}）但本机未入账：已补记，"
                   f"请执行 pos-plugin stay receipt {stay_record.mdtrt_id} 补打出院结算单，不要重新结算")
    click.echo(words.pending_line(recovered))
    if recovered.uploads_sent or recovered.uploads_pending:
        click.echo(f"进销存上传（3505/3506）：补传 {recovered.uploads_sent} 笔，仍未上传 {recovered.uploads_pending} 笔")
    if recovered.unresolved:
        raise SystemExit(1)


@click.command()
@click.option("--older-than", "days", required=True, type=click.IntRange(min=1), metavar="DAYS",
              help="保留天数：早于此天数且已了结的日志记录被删除")
@terminal_options
def purge(terminal: Terminal, days: int) -> None:
    """删除超过保留期且已了结的交易日志记录（结果未知的记录永不删除）。"""
    dropped = terminal.journal.purge(datetime.now() - timedelta(days=days))
    click.echo(f"已删除 {dropped} 条早于 {days} 天且已了结的交易日志记录")


@click.command()
@click.argument("setl_id")
@terminal_options
def receipt(terminal: Terminal, setl_id: str) -> None:
    """补打小票。"""
    click.echo(terminal.till.receipt(setl_id))


@click.command()
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="对账日期（默认：平台的营业日，即今日签到时平台的日期）")
@click.option("--end", "end_day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="截止日期（默认同上）")
@click.option("--with-refunds", is_flag=True, help="退费结算单独成笔对账（refd_setl_flag=1）")
@terminal_options
def reconcile(terminal: Terminal, day: datetime | None, end_day: datetime | None, with_refunds: bool) -> None:
    """日终对账：3201 总账、3202 明细，逐笔列出差异。平账退出码 0，不平 1。"""
    begin = day.date() if day else business_day(terminal)
    report = dayend.reconcile(terminal.client, terminal.journal, begin, end_day.date() if end_day else begin,
                              refd_setl_flag="1" if with_refunds else "0")
    click.echo(dayend.render_report(report), nl=False)
    pending = terminal.till.uploads.pending() if terminal.till.uploads is not None else []
    for item in pending:
        click.echo(f"[未上传] {item.infno} 结算 {item.setl_id}（已尝试 {item.attempts} 次：{item.last_error}）")
    if pending:
        click.echo(f"{len(pending)} 笔进销存上传未完成：运行 pos-plugin recover 补传")
    if not report.balanced:
        raise SystemExit(1)


def business_day(terminal: Terminal) -> date:
    """The platform's business day: the date of its clock at today's sign-in (9001, sent if need be), not the
    machine's. A platform that does not say (no sign_time) leaves the cashier to name it with --date."""
    stamp = terminal.client.sign_in().sign_time
    try:
        return datetime.fromisoformat(stamp.strip()[:19].replace(" ", "T")).date()
    except ValueError:
        raise InputError(f"平台签到应答没有给出营业日期（sign_time {stamp!r}），请用 --date YYYY-MM-DD 指定对账日期") \
            from None


@click.command()
@terminal_options
def signout(terminal: Terminal) -> None:
    """日终签退（9002）：在对账之后运行；再次营业前会自动重新签到。"""
    done = terminal.client.sign_out()
    click.echo(f"已签退 签到编号 {done.sign_no}" if done else "今日尚未签到，无需签退")
