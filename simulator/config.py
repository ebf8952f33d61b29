"""Simulator configuration: one dataclass, built from a dict or CLI arguments."""

from __future__ import annotations

import dataclasses
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simulator.platform.profiles import installed_fixtures

MAX_BODY_BYTES = 4 * 1024 * 1024  # request bodies beyond this are refused unread (HTTP 413)


@dataclass(frozen=True)
class SimConfig:
    """`db_url`: SQLite URL/path or PostgreSQL URL; `auth`: "none" | "tif"; `load`: world files."""

    db_url: str = ""
    seed: int = 0
    auth: str = "none"
    tif_credentials: dict[str, str] = field(default_factory=dict)
    load: tuple[str, ...] = ()
    fixtures: Path = field(default_factory=installed_fixtures)  # holds policies/; the installed copy by default
    shared: bool = False  # several processes serve this database: share clock and cache changes (README)
    admin_token: str = ""  # when set, every /admin request must carry it (docs/simulator-api.md "Access")
    max_body_bytes: int = MAX_BODY_BYTES  # larger request bodies are refused unread (HTTP 413)

    @classmethod
    def of(cls, config: SimConfig | dict[str, Any] | None) -> SimConfig:
        if isinstance(config, SimConfig):
            return config
        raw = dict(config or {})
        unknown = set(raw) - {"db_url", "seed", "auth", "tif_credentials", "load", "fixtures", "admin_token", "shared",
                                "max_body_bytes"}
        if unknown:
            raise ValueError(f"unknown simulator config keys: {sorted(unknown)}")
        if raw.get("auth", "none") not in ("none", "tif"):
            raise ValueError("auth must be 'none' or 'tif'")
        return cls(db_url=str(raw.get("db_url") or ""), seed=int(raw.get("seed", 0)), auth=raw.get("auth", "none"),
                   tif_credentials=dict(raw.get("tif_credentials") or {}),
                   load=tuple(str(p) for p in raw.get("load") or ()),
                   fixtures=Path(raw.get("fixtures") or installed_fixtures()), admin_token=str(raw.get("admin_token") or ""),
                   shared=bool(raw.get("shared", False)),
                   max_body_bytes=int(raw.get("max_body_bytes") or MAX_BODY_BYTES))

    def with_default_db(self) -> SimConfig:
        """A SQLite file in a fresh temp dir when no database was given."""
        if self.db_url:
            return self
        path = Path(tempfile.mkdtemp(prefix="yibao-sim-")) / "simulator.sqlite"
        return dataclasses.replace(self, db_url=f"sqlite:///{path}")
