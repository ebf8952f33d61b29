"""The lab's commands: `pos-plugin demo` and `pos-plugin scenarios run`.

Attached to the `pos-plugin` group by name (pos_plugin.cli.LAB_COMMANDS, loaded on first use), so the
counter's commands never import the lab. Errors propagate to that group, which renders them.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from pos_plugin.lab import demo as demo_module
from pos_plugin.lab.embedded import running_simulator
from pos_plugin.lab.scenario_compare import load_scenario
from pos_plugin.lab.scenario_runner import run_files


@click.command()
def demo() -> None:
    """Check out the worked examples from e-voucher images against the embedded simulator."""
    failed = demo_module.run(click.echo)
    if failed:
        raise SystemExit(1)


@click.group()
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
