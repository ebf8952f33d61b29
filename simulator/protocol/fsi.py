"""The platform's two public endpoints: the envelope service and the e-voucher decode service."""

from __future__ import annotations

import socket
import time
from typing import Any

from flask import Blueprint, Response, g, request

from simulator.domain.models import mask_certno
from simulator.domain.refusals import FaultInjected, UnknownInfno
from simulator.platform.faults import Fault
from simulator.protocol import (
    handlers_catalogue,
    handlers_catalogue_parts,
    handlers_people,
    handlers_recon,
    handlers_sales,
    handlers_settle,
    handlers_stay,
    inputs,
)
from simulator.protocol.envelope import parse_envelope, parse_json, response
from simulator.protocol.journal_hook import journal_committing, mark_arrival, record_exchange
from simulator.protocol.runtime import ConnectionDropped, json_response, sim

fsi = Blueprint("fsi", __name__)
decode = Blueprint("decode", __name__)

HANDLERS = (handlers_people.HANDLERS | handlers_settle.HANDLERS | handlers_stay.HANDLERS | handlers_recon.HANDLERS
            | handlers_catalogue.HANDLERS | handlers_catalogue_parts.HANDLERS | handlers_sales.HANDLERS)
NO_SIGN_IN = ("9001",)
fsi.before_request(mark_arrival)  # the request journal: every exchange, refused or not, in arrival order
fsi.after_request(record_exchange)


@fsi.post("/fsi/api/rsfComIfsService/callService")
def call_service() -> Response:
    """Every field is checked before the handler runs; the reply is encoded, and journaled in the request's
    transaction when it wrote anything, before that transaction commits (`deferred_commit`,
    platform/service.py): a committed request is never answered with an error, nor missing from the journal."""
    runtime = sim()
    caller = runtime.gate.check(request.headers)
    env = parse_envelope(parse_json(request.get_data()))
    g.envelope = env
    caller.check_institution(env.fixmedins_code)
    handler = HANDLERS.get(env.infno)
    if handler is None:
        raise UnknownInfno(infno=env.infno)
    fault = runtime.platform.faults.take(env.infno)
    if fault is not None:
        g.fault = fault.kind
        early = _before(fault)
        if early is not None:
            return early
    platform = runtime.platform
    if env.infno not in NO_SIGN_IN:
        platform.identity.check_sign_no(env.sign_no, env.fixmedins_code)
    with platform.deferred_commit() as pending:
        output = handler(platform, env)
        if isinstance(output, Response):
            reply = output
        else:
            now = platform.clock.now()
            reply = json_response(response(now, platform.ids.inf_refmsgid(env.mdtrtarea_admvs, now), output, env,
                                           warn_msg=g.get("warn_msg")), strict=True)
        journaled = journal_committing(pending, reply, fault is not None and fault.kind == "drop_after_commit")
        pending.commit()
    g.journaled = journaled  # only once committed: a failed commit is journaled as the error it answers
    if fault is not None and fault.kind == "drop_after_commit":
        _drop_connection("drop_after_commit: committed, connection closed")
    return reply


def _before(fault: Fault) -> Response | None:
    """Faults that act before the platform runs; delay sleeps then lets it run."""
    if fault.kind == "error":
        raise FaultInjected(message=fault.message)
    if fault.kind == "http500":
        return Response(f"Internal Server Error (模拟故障: {fault.message})", status=500,
                        content_type="text/plain; charset=utf-8")
    if fault.kind == "delay":
        time.sleep(fault.delay_ms / 1000)
    if fault.kind == "drop":
        _drop_connection("drop: connection closed before the platform ran")
    return None


def _drop_connection(why: str) -> None:
    """Close the connection so the client never sees a reply (whatever the platform did or did not do)."""
    sock: Any = request.environ.get("werkzeug.socket") or request.environ.get("gunicorn.socket")
    if sock is None:
        raise ConnectionDropped(f"{why} (no socket: reply withheld)")
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    raise ConnectionDropped(why)


@decode.post("/localcfc/api/hsecfc/localQrCodeQuery")
def qr_code_query() -> Response:
    runtime = sim()
    caller = runtime.gate.check(request.headers)
    body = parse_json(request.get_data())
    data = inputs.node(body if isinstance(body, dict) else {}, "data")
    org_id = inputs.text(data, "orgId", "data", required=False)
    if org_id:
        caller.check_institution(org_id)
    fault = runtime.platform.faults.take("decode")
    if fault is not None:
        early = _before(fault)
        if early is not None:
            return early
    decoded = runtime.platform.identity.decode_evoucher(org_id,
                                               inputs.text(data, "businessType", "data", required=False),
                                               data.get("ecQrCode"))
    person = decoded.person
    out = {"idNo": mask_certno(person.certno), "idType": "01", "userName": person.name, "ecToken": decoded.token,
           "insuOrg": person.insuplc, "ecIndexNo": decoded.token[-16:], "gender": person.gender,
           "birthday": person.birthday.isoformat(), "expireTime": decoded.expires_at.isoformat(sep=" ")}
    return json_response({"code": 0, "type": "success", "message": "成功", "data": out})
