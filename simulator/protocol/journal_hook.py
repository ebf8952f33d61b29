"""Records every envelope exchange in the request journal (`platform.record_traffic`, kept by store/traffic.py).

A request that changed the platform's data (a sale, a settlement, a claimed msgid) is journaled in its
own write transaction, just before it commits (`journal_committing`, called by the endpoint): the row
and the money move commit together, so no crash can keep the one and lose the other. Every other
exchange (refusals, crashes, queries that wrote nothing) is recorded by the blueprint's `after_request`
as one queued row, written off the request's path. Both build the row the same way (`_entry`): no parsing
beyond what the request already did (the parsed envelope on `g`).
"""

from __future__ import annotations

import json
import time
from typing import Any

from flask import Response, g, request
from werkzeug.exceptions import RequestEntityTooLarge

from simulator.domain.records import TrafficEntry
from simulator.domain.refusals import PlatformError
from simulator.platform.ports import PendingCommit
from simulator.protocol.envelope import parse_json
from simulator.protocol.runtime import sim

_BINARY = "application/octet-stream"


def _identity(raw: str) -> dict[str, str]:
    """Envelope fields of a request the platform refused before parsing it (bad JSON, bad msgid ...).
    Read with the endpoint's own checks (depth, lone surrogates): what it refused to read has none."""
    try:
        body: Any = parse_json(raw.encode("utf-8"))
    except PlatformError:
        return {}
    if not isinstance(body, dict):
        return {}
    return {key: str(body.get(key) or "")[:64] for key in ("infno", "msgid", "fixmedins_code", "sign_no")}


def _outcome(response: Response, text: str) -> tuple[str, str]:
    if response.headers.get("X-Simulator-Dropped"):
        return "dropped", ""
    if response.status_code == 500 and not text.startswith("{"):
        return "http500", ""
    if '"infcode":0' in text[:40]:
        return "ok", ""
    try:
        body = json.loads(text)
    except ValueError:
        return "error", ""
    code = str(body.get("err_code") or "") if isinstance(body, dict) else ""
    return ("error" if response.status_code >= 500 else "refused"), code


def mark_arrival() -> None:
    """`before_request`: when the request arrived (the journal's order)."""
    g.arrival = time.time_ns()
    g.arrived_at = sim().platform.clock.now().isoformat()


def journal_committing(pending: PendingCommit, reply: Response, dropped: bool) -> bool:
    """Write this request's journal row in its open write transaction (before `commit()`); False when the
    request wrote nothing (then `after_request` queues the row). `dropped`: a drop_after_commit fault
    will close the connection after the commit, so the row says what `after_request` would have said."""
    seen = Response(status=500, headers={"X-Simulator-Dropped": "1"}) if dropped else reply
    return pending.journal(_entry(seen))


def record_exchange(response: Response) -> Response:
    """Queue one journal row for this envelope request and its reply (never fails the request), unless
    the request's own transaction already holds it (`journal_committing`)."""
    if not g.get("journaled"):
        sim().platform.record_traffic(_entry(response))
    return response


def _entry(response: Response) -> TrafficEntry:
    platform = sim().platform
    try:
        raw = request.get_data(as_text=True)
    except RequestEntityTooLarge:  # refused unread (protocol/edges.py): journal its size only
        raw = f"<{request.content_length or 0} bytes: over the body limit, not read>"
    env = g.get("envelope")
    if env is not None:
        ident = {"infno": env.infno, "msgid": env.msgid, "fixmedins_code": env.fixmedins_code,
                 "sign_no": env.sign_no}
    else:
        ident = _identity(raw)
    if response.mimetype == _BINARY:
        text = f"<{response.content_length or 0} bytes {_BINARY}>"
        outcome, code = "ok", ""
    else:
        text = response.get_data(as_text=True)
        outcome, code = _outcome(response, text)
    return TrafficEntry(
        at=g.get("arrived_at") or platform.clock.now().isoformat(), arrival=g.get("arrival", 0), kind="request",
        outcome=outcome, err_code=code, fault=g.get("fault", ""), http_status=response.status_code, request=raw,
        reply=text, **ident)


def record_fault_event(kind: str, detail: dict[str, Any]) -> None:
    """A fault armed or the plan cleared (global: no institution)."""
    platform = sim().platform
    platform.record_traffic(TrafficEntry(
        at=platform.clock.now().isoformat(), kind=kind, infno=str(detail.get("infno", "")),
        outcome="armed" if kind == "arm" else "cleared", fault=str(detail.get("kind", "")),
        request=json.dumps(detail, ensure_ascii=False, default=str)))
