"""Idempotency keys for the agent's money-moving calls, kept durably next to the journal (the terminal's
journal.sqlite), the way payment APIs keep them: a retried request gets the first answer, never a second
settlement; the same key on a different request is refused."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pos_plugin.platform.state import open_state

_SCHEMA = """
CREATE TABLE IF NOT EXISTS agent_idempotency (
    key TEXT PRIMARY KEY,
    request TEXT NOT NULL,          -- sha256 of method, path and body: the same key must mean the same request
    status INTEGER NOT NULL,
    answer TEXT NOT NULL,           -- the JSON answer given the first time
    created TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class Stored:
    request: str
    status: int
    answer: dict[str, Any]


def fingerprint(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(b"\0".join((method.encode(), path.encode(), body))).hexdigest()


class IdempotencyStore:
    def __init__(self, path: str | Path) -> None:
        self.db = open_state(path, schema=_SCHEMA)

    def get(self, key: str) -> Stored | None:
        rows = self.db.read("SELECT request, status, answer FROM agent_idempotency WHERE key = ?", (key,))
        if not rows:
            return None
        return Stored(rows[0]["request"], int(rows[0]["status"]), json.loads(rows[0]["answer"]))

    def put(self, key: str, request: str, status: int, answer: dict[str, Any]) -> None:
        with self.db.immediate() as conn:
            conn.execute("INSERT INTO agent_idempotency (key, request, status, answer, created) "
                         "VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING", (key, request, status, json.dumps(answer, ensure_ascii=False),
                                                    datetime.now().isoformat(timespec="seconds")))

    def close(self) -> None:
        self.db.close()
