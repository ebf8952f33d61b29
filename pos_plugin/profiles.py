"""Region policy profiles and worked scenarios that ship with the package: the one place the plugin
finds them.

The top-level `fixtures/` folder is installed as the data-only package `yibao_fixtures` (setup.py), so a
wheel and an editable install read the same files through importlib.resources and nothing reads the
source tree. The plugin never imports the simulator; both read this data package.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

from pos_plugin.errors import InputError

DATA_PACKAGE = "yibao_fixtures"
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def installed_fixtures() -> Path:
    """The fixtures folder installed with the package (policies/, scenarios/)."""
    return Path(str(resources.files(DATA_PACKAGE)))


def worked_scenarios() -> list[Path]:
    """The worked scenario files (`make demo`), sorted by name."""
    return sorted((installed_fixtures() / "scenarios").glob("*.json"))


def profile_names() -> list[str]:
    """The names of the region policy profiles, sorted."""
    return sorted(p.stem for p in (installed_fixtures() / "policies").glob("*.json"))


def load_profile(name: str) -> dict[str, Any]:
    """The region policy profile called `name` (docs/domain.md, the region table) as its JSON object."""
    path = installed_fixtures() / "policies" / f"{name}.json"
    if not _NAME.match(name) or not path.is_file():
        raise InputError(f"未知的地区政策 {name!r}（可选: {', '.join(profile_names())}）")
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"地区政策文件 {path.name} 无法读取: {exc}") from None
    if not isinstance(body, dict):
        raise InputError(f"地区政策文件 {path.name} 必须是 JSON 对象")
    return body
