"""`make demo`: the embedded platform simulator, the fixture scenarios checked out from e-voucher images,
with split tables and receipts a newcomer can follow."""

from __future__ import annotations

import functools
import tempfile
from collections.abc import Callable
from pathlib import Path

from pos_plugin.checkout.sale import Sale
from pos_plugin.checkout.sale_receipt import receipt_for_sale
from pos_plugin.domain.line_split import split_line, split_totals
from pos_plugin.domain.money import format_amount
from pos_plugin.errors import InputError
from pos_plugin.lab.embedded import running_simulator
from pos_plugin.lab.scenario_compare import load_scenario
from pos_plugin.lab.scenario_runner import run_scenario
from pos_plugin.present import plan_lines, table
from pos_plugin.profiles import worked_scenarios
from pos_plugin.receipt import render_receipt

Echo = Callable[[str], None]
SPLIT_HEAD = ("项目", "金额", "全自费", "超限价", "先行自付", "范围内")
SPLIT_WIDTHS = (22, 9, 9, 9, 10, 9)
FIRST_WORLD = "own-account-covers-everything"  # the world the last words suggest serving


def run(echo: Echo, scenario_dir: Path | None = None) -> int:
    """Check out every scenario (the worked ones shipped with the package by default) against a fresh
    embedded simulator; returns the number that failed."""
    files = sorted(scenario_dir.glob("*.json")) if scenario_dir else worked_scenarios()
    if not files:
        raise InputError(f"没有找到示例场景文件: {scenario_dir or '安装包中的 fixtures/scenarios'}")
    failed = 0
    echo("启动内置医保平台模拟器 (python -m simulator serve --port 0) ...")
    with running_simulator() as url, tempfile.TemporaryDirectory(prefix="yibao-demo-") as tmp:
        echo(f"模拟平台地址 {url}\n")
        for path in files:
            scenario = load_scenario(path)
            echo("=" * 72)
            echo(f"场景 {scenario['name']}  ({scenario['checkout'].get('credential', 'qr')}, "
                 f"{scenario['checkout'].get('flow', 'pharmacy')}, 政策 {scenario.get('policy')})")
            echo(scenario.get("description", ""))
            institution = scenario['institution'].get('name', '')
            workdir = Path(tmp) / path.stem  # each scenario is a fresh world: a fresh till state too
            workdir.mkdir()
            result = run_scenario(scenario, url, workdir, on_sale=functools.partial(show_sale, institution=institution, echo=echo),
                                  narrate=lambda text: echo("  " + text))
            if result.actual.get("error"):
                error = result.actual["error"]
                echo(f"结算被拒绝: {error['code']}: {error['message']}")
            echo(f"与场景期望对比: {'通过' if result.passed else '不一致'}")
            for diff in result.diffs:
                echo(f"  {diff}")
            failed += 0 if result.passed else 1
    echo(f"\n{len(files) - failed} passed, {failed} failed")
    for line in next_steps(next((f for f in files if f.stem == FIRST_WORLD), files[0])):
        echo(line)
    return failed


def next_steps(example: Path) -> list[str]:
    """The demo's last words: how to go on by hand (the simulator and its console, a scan, a sale)."""
    shown = _shorter(example)
    return ["",
            "下一步 next — 自己动手 try it yourself:",
            f"  yibao-sim serve --port 8080 --load {shown}",
            "  浏览器打开 open http://127.0.0.1:8080/console（人员、二维码、结算、报文、故障、审计）",
            "  curl -o frame.png http://127.0.0.1:8080/admin/evouchers/<psn_no>.png   # psn_no: serve 启动时列出",
            "  pos-plugin scan frame.png; README \"At the counter\" 从这里收一笔费用 (a whole sale from the shell)"]


def _shorter(path: Path) -> str:
    """`path` relative to the current directory when it is under it (a checkout), else as it is (installed)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def show_sale(sale: Sale, *, institution: str, echo: Echo) -> None:
    """The cashier's view: line split, the confirmed payer chain, and the printed receipt."""
    quote = sale.quote
    rows: list[tuple[str, ...]] = [SPLIT_HEAD]
    for line in quote.split.insurable:
        part = split_line(line)
        rows.append((f"{line.name}({line.cls}类)", *(format_amount(v) for v in
                     (part.amt, part.fulamt, part.overlmt, part.preself, part.inscp))))
    totals = split_totals(quote.split.insurable)
    rows.append(("医保结算合计", *(format_amount(v) for v in (totals.medfee_sumamt, totals.fulamt_ownpay_amt,
                 totals.overlmt_selfpay, totals.preselfpay_amt, totals.inscp_scp_amt))))
    for line in quote.split.outside:
        rows.append((f"{line.name}[非医保]", format_amount(line.amt), "", "", "", ""))
    echo("")
    for text in table(rows, SPLIT_WIDTHS):
        echo("  " + text)
    if sale.settlement is not None:
        echo(f"  统筹基金支付 {format_amount(sale.figure('fund_pay_sumamt'))}，"
             f"个人负担 {format_amount(sale.figure('psn_part_amt'))}，支付顺序：")
        for text in plan_lines(quote.plan):
            echo("    " + text)
    echo("")
    echo(render_receipt(receipt_for_sale(sale, institution)))
