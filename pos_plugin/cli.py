"""`pos-plugin` command line: the counter's commands.

Every error a command can meet is a PosError or a DomainError (code + Chinese message); they are
rendered in exactly one place, `Cli.invoke`, as `CODE: message` on stderr with exit code 2.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from pos_plugin import demo as demo_module
from pos_plugin.agent.cli import agent
from pos_plugin.cli_counter import checkout, purge, receipt, reconcile, recover, refund, revoke, signout
from pos_plugin.cli_scan import scan
from pos_plugin.domain.errors import DomainError
from pos_plugin.embedded import running_simulator
from pos_plugin.errors import PosError
from pos_plugin.pii import mask_text
from pos_plugin.scenario_compare import load_scenario
from pos_plugin.scenario_runner import run_files

EXIT_ERROR = 2


class Cli(click.Group):
    """A click group that renders the plugin's errors in one place (any ID number they echo masked)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (PosError, DomainError) as exc:
            click.echo(mask_text(f"{exc.code}: {exc.message}"), err=True)  # never echo a full ID number
            ctx.exit(EXIT_ERROR)


@click.group(cls=Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="yibao-pos")
def main() -> None:
    """医保结算插件 yibao-pos: scan the e-voucher, identify the patient, settle through the payer chain."""


for _command in (scan, checkout, revoke, refund, recover, reconcile, receipt, signout, purge, agent):
    main.add_command(_command)


@main.command()
def demo() -> None:
    """Check out the worked examples from e-voucher images against the embedded simulator."""
    failed = demo_module.run(click.echo)
    if failed:
        raise SystemExit(1)


@main.group()
def scenarios() -> None:
    """Scenario files (yibao-scenario/1) run end to end."""


@scenarios.command("run")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--platform", "platform_url", metavar="URL",
              help="A running platform simulator; default: start one as a subprocess.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per scenario, then a summary object.")
def scenarios_run(files: tuple[Path, ...], platform_url: str | None, as_json: bool) -> None:
    """Load each scenario's world, check out, run its `then` steps and compare with `expect`."""
    for path in files:
        load_scenario(path)  # every file readable and well-formed before anything starts (ERR_SCENARIO)
    if platform_url:
        results = run_files(list(files), platform_url)
    else:
        with running_simulator() as url:
            results = run_files(list(files), url)
    failed = sum(not r.passed for r in results)
    for result in results:
        if as_json:
            click.echo(json.dumps({"scenario": result.name, "passed": result.passed, "diffs": result.diffs},
                                  ensure_ascii=False))
            continue
        click.echo(f"{'PASS' if result.passed else 'FAIL'} {result.name}")
        for diff in result.diffs:
            click.echo(f"    {diff}")
    summary = f"{len(results) - failed} passed, {failed} failed"
    click.echo(json.dumps({"summary": summary, "passed": len(results) - failed, "failed": failed}) if as_json
               else summary)
    if failed:
        raise SystemExit(1)
