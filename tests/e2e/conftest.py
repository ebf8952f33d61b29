"""End-to-end fixtures: one real simulator process per module, reached over HTTP on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pos_plugin.config import Terminal, TerminalSettings, open_terminal


@pytest.fixture
def make_terminal(sim_url: str, tmp_path: Path) -> Iterator[Callable[..., Terminal]]:
    """Terminals of a scenario's institution; they share one state directory (msgid sequence, journal), as
    the terminals of one institution do."""
    opened: list[Terminal] = []

    def make(scen: dict[str, Any], name: str = "T1", policy: Any = None) -> Terminal:
        inst = scen["institution"]
        settings = TerminalSettings(sim_url, inst["code"], inst["name"], inst["admdvs"],
                                    policy if policy is not None else scen.get("policy"), tmp_path / "state", name)
        terminal = open_terminal(settings)
        opened.append(terminal)
        return terminal

    yield make
    for terminal in opened:
        terminal.close()
