"""The request journal as the audit reads it: one `Exchange` per envelope, parsed once, in arrival order."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

SETTLES = ("2102", "2207", "2304")  # pharmacy sale, outpatient visit, inpatient stay
REVOKES = ("2103", "2208", "2305")
MONEY = SETTLES + REVOKES
PRESETTLE_OF = {"2102": "2101", "2207": "2206", "2304": "2303"}
REVOKED_BY = {"2103": "2102", "2208": "2207", "2305": "2304"}  # revoke -> the settlement kind it undoes
LOST = ("drop", "drop_after_commit")  # faults after which the till cannot know what happened
_MSGID_TAIL = re.compile(r"^(\d{14})(\d{4})$")


@dataclass(frozen=True)
class Exchange:
    """One request the till sent and what the platform did with it."""

    id: int  # arrival order (wall-clock ns at arrival)
    at: datetime
    infno: str
    msgid: str
    sign_no: str
    outcome: str  # ok | refused | dropped | http500 | error
    err_code: str
    fault: str
    request: dict[str, Any] = field(repr=False)
    reply: dict[str, Any] = field(repr=False)

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"

    @property
    def lost(self) -> bool:
        """The till never saw a reply: a drop fault fired on it."""
        return self.fault in LOST

    @property
    def input(self) -> dict[str, Any]:
        node = self.request.get("input")
        return node if isinstance(node, dict) else {}

    @property
    def output(self) -> dict[str, Any]:
        node = self.reply.get("output")
        return node if isinstance(node, dict) else {}

    def data(self) -> dict[str, Any]:
        """The main input node: `druginfo` (2101/2102), `data` (most others), `signIn`/`signOut`."""
        for key in ("druginfo", "data", "signIn", "signOut"):
            node = self.input.get(key)
            if isinstance(node, dict):
                return node
        return {}

    def text(self, key: str) -> str:
        return str(self.data().get(key) or "")

    def amount(self, key: str) -> Decimal | None:
        return amount_of(self.data().get(key))

    @property
    def psn_no(self) -> str:
        return self.text("psn_no")

    @property
    def setl_id(self) -> str:
        """The settlement id the reply reported (settles, revokes, 5203)."""
        info = self.output.get("setlinfo")
        return str(info.get("setl_id") or "") if isinstance(info, dict) else ""

    @property
    def day(self) -> str:
        return self.at.date().isoformat()


def amount_of(raw: Any) -> Decimal | None:
    try:
        return Decimal(str(raw)) if raw not in (None, "") else None
    except InvalidOperation:
        return None


def _json(text: str) -> dict[str, Any]:
    try:
        body = json.loads(text, parse_float=Decimal)
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def exchange_of(row: dict[str, Any]) -> Exchange:
    return Exchange(int(row["arrival"]), datetime.fromisoformat(row["at"]), row["infno"], row["msgid"], row["sign_no"],
                    row["outcome"], row["err_code"], row["fault"], _json(row["request"]), _json(row["reply"]))


def msgid_well_formed(msgid: str, fixmedins_code: str) -> bool:
    """`fixmedins_code` + yyyyMMddHHmmss (a real time) + a 4-digit sequence (docs/protocol.md §2)."""
    if not msgid.startswith(fixmedins_code):
        return False
    tail = _MSGID_TAIL.match(msgid[len(fixmedins_code):])
    if tail is None:
        return False
    try:
        datetime.strptime(tail.group(1), "%Y%m%d%H%M%S")
    except ValueError:
        return False
    return True
