"""`pos-plugin` command line: the counter's commands. Errors are rendered in one place (`run_safely`)."""

from __future__ import annotations

import click

from pos_plugin import demo as demo_module


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="yibao-pos")
def main() -> None:
    """医保结算插件 yibao-pos: scan the e-voucher, identify the patient, settle through the payer chain."""


@main.command()
def demo() -> None:
    """Walk through the worked examples and print split tables and receipts."""
    demo_module.run(click.echo)
