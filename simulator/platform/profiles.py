"""Region policy profiles by name: the one place the simulator reads `policies/<name>.json`.

The profiles ship with the package: the top-level `fixtures/` folder is installed as the data-only
package `yibao_fixtures` (setup.py), so a wheel and an editable install find the same files through
importlib.resources and nothing reads the source tree. A tester may point the simulator at another
folder of the same shape (`SimConfig.fixtures`).
"""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

from simulator.platform.errors import NotFound, RequestRejected

DATA_PACKAGE = "yibao_fixtures"
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def installed_fixtures() -> Path:
    """The fixtures folder installed with the package (policies/, scenarios/)."""
    return Path(str(resources.files(DATA_PACKAGE)))


def profile_names(fixtures: Path | None = None) -> list[str]:
    """The names of the profiles in `fixtures/policies` (the installed folder by default), sorted."""
    folder = (fixtures or installed_fixtures()) / "policies"
    return sorted(p.stem for p in folder.glob("*.json")) if folder.is_dir() else []


def load_profile(name: str, fixtures: Path | None = None) -> dict[str, Any]:
    """The profile called `name` as its JSON object; an unknown name is ERR_POLICY_UNKNOWN (nothing read)."""
    folder = (fixtures or installed_fixtures()) / "policies"
    path = folder / f"{name}.json"
    if not isinstance(name, str) or not _NAME.match(name) or not path.is_file():
        known = ", ".join(profile_names(fixtures)) or "无"
        raise NotFound("ERR_POLICY_UNKNOWN", f"未知政策 {name!r}（可选：{known}）")
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RequestRejected("ERR_BAD_POLICY", f"政策文件 {path.name} 无法读取：{exc}") from None
    if not isinstance(body, dict):
        raise RequestRejected("ERR_BAD_POLICY", f"政策文件 {path.name} 必须是 JSON 对象")
    return body
