"""The lab's commands: `pos-plugin demo` and `pos-plugin scenarios run`.

Attached to the `pos-plugin` group by name (pos_plugin.cli.LAB_COMMANDS, loaded on first use), so the
counter's commands never import the lab. Errors propagate to that group, which renders them.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import click

from pos_plugin.lab import demo as demo_module
from pos_plugin.lab.embedded import running_simulator
from pos_plugin.lab.file_schema import FILES, schema_text
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
@click.option("--show", is_flag=True,
              help="Also print what each run got, in the scenario format (expect / then), to paste once checked.")
def scenarios_run(files: tuple[Path, ...], platform_url: str | None, as_json: bool, show: bool) -> None:
    """Load each scenario's world, check out, run its `then` steps and compare with `expect`.

    Each file is judged on its own: PASS, FAIL (the differences listed) or ERROR (the file could not be
    judged: unreadable, off the yibao-scenario/1 schema, world refused). Exit 0 when every file passed,
    1 when one failed, 2 when one could not be judged."""
    if platform_url:
        results = run_files(list(files), platform_url)
    else:
        with running_simulator() as url:
            results = run_files(list(files), url)
    counts = {status: sum(r.status == status for r in results) for status in ("pass", "fail", "error")}
    for result in results:
        if as_json:
            row = {"scenario": result.name, "status": result.status, "passed": result.passed, "diffs": result.diffs}
            if result.error:
                row["error"] = result.error
            if show and not result.error:
                row["got"] = result.got()
            click.echo(json.dumps(row, ensure_ascii=False))
            continue
        if result.error:
            click.echo(f"ERROR {result.name}: {result.error}")
            continue
        click.echo(f"{'PASS' if result.passed else 'FAIL'} {result.name}")
        for diff in result.diffs:
            click.echo(f"    {diff}")
        if show:
            click.echo("    got（核对无误后可粘贴为 expect / then）:")
            click.echo(textwrap.indent(json.dumps(result.got(), ensure_ascii=False, indent=1), "    "))
    summary = f"{counts['pass']} passed, {counts['fail']} failed, {counts['error']} errors"
    click.echo(json.dumps({"summary": summary, "passed": counts["pass"], "failed": counts["fail"],
                           "errors": counts["error"]}) if as_json else summary)
    if counts["error"] or counts["fail"]:
        raise SystemExit(2 if counts["error"] else 1)


@scenarios.command("schema")
@click.argument("kind", type=click.Choice(sorted(FILES)), default="scenario")
def scenarios_schema(kind: str) -> None:
    """Print the JSON Schema of scenario files (yibao-scenario/1) or world files (yibao-world/1)."""
    click.echo(schema_text(kind), nl=False)
