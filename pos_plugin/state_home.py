"""Where a terminal keeps its local state (msgid sequence, sign-in cache, journal, sale book) by default.

A fixed directory per user, never the current directory, so `pos-plugin recover` started from anywhere
finds the same journal as the till (README "At the counter"):

* `$YIBAO_STATE_DIR` when set (the same variable `--state-dir` reads);
* Windows: `%LOCALAPPDATA%\\yibao-pos`;
* macOS: `~/Library/Application Support/yibao-pos`;
* elsewhere: `$XDG_STATE_HOME/yibao-pos`, by default `~/.local/state/yibao-pos`.

Terminals of one institution on one machine share it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP = "yibao-pos"


def default_state_dir() -> Path:
    """The per-user state directory (absolute), from the environment and the platform."""
    if os.environ.get("YIBAO_STATE_DIR"):
        return Path(os.environ["YIBAO_STATE_DIR"]).expanduser().absolute()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    return (base / APP).absolute()
