"""`pos-plugin` command line: the counter's commands (console script `pos_plugin.cli:main`).

    cli/counter.py   checkout, revoke, refund, recover, receipt, reconcile, signout, purge
    cli/scan.py      scan
    cli/visit.py     visit register | fees | delete | presettle | settle | revoke | cancel | show | list
    cli/stay.py      stay admit | fees | delete | discharge | cancel-discharge | cancel | settle | revoke | receipt | list
    cli/agent.py     agent (the local HTTP agent; Flask only when it runs)

Every error a command can meet is a PosError (the one root; DomainError included: code + Chinese message); they are
rendered in exactly one place, `Cli.invoke`, as `CODE: message` on stderr with exit code 2.

The lab's commands (`demo`, `scenarios run`: pos_plugin/lab/cli.py) are attached through a registry of
dotted names, `LAB_COMMANDS`, imported only when one of them is asked for (or `--help` lists them).
Production code never imports pos_plugin.lab (tests/test_layers.py); this registry is the one place
that names it, so the counter's commands never load the simulator tooling.
"""

from __future__ import annotations

import importlib
from typing import Any

import click

from pos_plugin.cli.agent import agent
from pos_plugin.cli.catalogue import catalogue
from pos_plugin.cli.counter import checkout, purge, receipt, reconcile, recover, refund, revoke, signout
from pos_plugin.cli.scan import scan
from pos_plugin.cli.stay import stay
from pos_plugin.cli.visit import visit
from pos_plugin.errors import PosError
from pos_plugin.pii import mask_text

EXIT_ERROR = 2
# command name -> "module:attribute" of a click command, loaded on first use.
LAB_COMMANDS = {"demo": "pos_plugin.lab.cli:demo", "scenarios": "pos_plugin.lab.cli:scenarios"}


class Cli(click.Group):
    """A click group that renders the plugin's errors in one place (any ID number they echo masked),
    and attaches the lab's commands lazily from `LAB_COMMANDS`."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PosError as exc:
            click.echo(mask_text(f"{exc.code}: {exc.message}"), err=True)  # never echo a full ID number
            ctx.exit(EXIT_ERROR)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAB_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in LAB_COMMANDS and cmd_name not in self.commands:
            module, _, attribute = LAB_COMMANDS[cmd_name].partition(":")
            self.add_command(getattr(importlib.import_module(module), attribute), cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(cls=Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="yibao-pos")
def main() -> None:
    """医保结算插件 yibao-pos: scan the e-voucher, identify the patient, settle through the payer chain."""


for _command in (scan, checkout, revoke, refund, recover, reconcile, receipt, signout, purge, agent,
                 catalogue, stay, visit):
    main.add_command(_command)
