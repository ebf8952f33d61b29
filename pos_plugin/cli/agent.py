"""`pos-plugin agent`: serve the local agent for one terminal (docs/agent-api.md).

It binds 127.0.0.1 unless told otherwise, and refuses any other address without `--token`: on a
network, every request must then carry `Authorization: Bearer <token>`. The first line on stdout is the
base URL (so a till or a test can start it with `--port 0` and read where it listens).
"""

from __future__ import annotations

import ipaddress

import click

from pos_plugin.cli.counter import terminal_options
from pos_plugin.config import Terminal
from pos_plugin.errors import InputError


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_binding(host: str, token: str) -> None:
    """Beyond loopback only with a token: the agent moves money for whoever can reach it."""
    if not is_loopback(host) and not token:
        raise InputError(f"拒绝在 {host} 上监听：本机以外可访问时必须设置 --token（或 YIBAO_AGENT_TOKEN）")


@click.command("agent")
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址（非本机地址必须设置 --token）")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535), help="端口（0 = 任选空闲端口）")
@click.option("--token", envvar="YIBAO_AGENT_TOKEN", default="", help="访问令牌：每个请求须带 Authorization: Bearer <token>")
@terminal_options
def agent(terminal: Terminal, host: str, port: int, token: str) -> None:
    """本机收银代理：任何语言的收银程序经 HTTP（JSON）结算，网页收银台在 / 。"""
    check_binding(host, token)
    from pos_plugin.agent.server import serve  # Flask only when the agent runs

    serve(terminal, host, port, token=token, announce=click.echo)
