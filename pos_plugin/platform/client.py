"""The platform client core: one `call(infno, input)` with sign-in, msgid, journaling and retry policy.

Retry policy per transaction (`SAFETY`):
* QUERY (1101, 2101, 2206, 2303, 5203, 9001, 3201, 3202, 9102): changes nothing on the platform, so any
  transport failure is retried (with a fresh msgid) up to `query_attempts` times.
* STATEFUL (2201-2205, 2301/2302, 2401-2405, 9101, e-voucher decode): changes non-money state; retried only when the
  request never left (PlatformUnreachable); an ambiguous failure is raised as is.
* MONEY (2102, 2207, 2304, 2103, 2208, 2305): recorded in the journal BEFORE sending; never retried blindly;
  an ambiguous failure (timeout, dropped connection, non-200, unreadable reply) marks the row
  unknown and raises UnknownOutcome.
* REVERSAL (2601): idempotent; not retried here, the recovery loop repeats it until it is answered.
Any transaction refused for its sign_no (SignInRejected, a definitive refusal: nothing happened) is
retried exactly once after a fresh 9001.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from enum import Enum
from typing import Any, Protocol

from pos_plugin.errors import (
    BadReply,
    BusinessError,
    GatewayRejected,
    HttpStatusError,
    PlatformError,
    PlatformUnreachable,
    PosError,
    SignInRejected,
    TransportError,
    UnknownOutcome,
)
from pos_plugin.platform.envelope import Institution, Operator, Reply, build_envelope, parse_reply
from pos_plugin.platform.msgid import MsgidSequence
from pos_plugin.platform.signin import SignIn, SignInCache
from pos_plugin.platform.transport import CALL_SERVICE, HttpTransport


class Safety(Enum):
    QUERY = "query"
    STATEFUL = "stateful"
    MONEY = "money"
    REVERSAL = "reversal"


SAFETY: dict[str, Safety] = {
    **dict.fromkeys(("1101", "1312", "1317", "1318", "1319", "2101", "2206", "2303", "5203", "9001", "3201", "3202",
                     "9102", "1301", "1302", "1303", "1305", "1306"), Safety.QUERY),
    **dict.fromkeys(("2201", "2202", "2203", "2204", "2205", "3301", "3302", "3505", "3506", "2301", "2302",
                     "2401", "2402", "2403", "2404", "2405", "9002", "9101"),
                   Safety.STATEFUL),
    **dict.fromkeys(("2102", "2207", "2304", "2103", "2208", "2305"), Safety.MONEY),
    "2601": Safety.REVERSAL,
}
AMBIGUOUS = (TransportError, HttpStatusError, BadReply)


class MoneyRecorder(Protocol):
    """What the client tells the journal about a money-moving request (pos_plugin.journal implements it).

    A recorder on the same store as the msgid sequence (its `db` is the sequence's) may also offer
    `reserve(infno, psn_no, draw, envelope_for) -> (msgid, envelope)`: draw the msgid with `draw(conn)` and
    write the pending row in one transaction; the client then uses it instead of `before_send`."""

    def before_send(self, msgid: str, infno: str, psn_no: str, envelope: Mapping[str, Any]) -> None: ...

    def after_reply(self, msgid: str, output: Mapping[str, Any]) -> None: ...

    def after_refusal(self, msgid: str, error: PosError) -> None: ...

    def after_unknown(self, msgid: str, error: PosError) -> None: ...


class PlatformCore:
    """Sends envelopes for one institution and operator; typed wrappers live in the API mixins."""

    def __init__(
        self,
        transport: HttpTransport,
        institution: Institution,
        operator: Operator,
        msgids: MsgidSequence,
        sign_ins: SignInCache,
        *,
        recorder: MoneyRecorder | None = None,
        clock: Callable[[], datetime] = datetime.now,
        query_attempts: int = 3,
    ) -> None:
        self.transport = transport
        self.institution = institution
        self.operator = operator
        self.msgids = msgids
        self.sign_ins = sign_ins
        self.recorder = recorder
        self.clock = clock
        self.query_attempts = query_attempts

    def call(self, infno: str, input_: Mapping[str, Any], *, insuplc: str = "", psn_no: str = "") -> Reply:
        """Send one transaction and return its successful reply, or raise from pos_plugin.errors."""
        safety = SAFETY.get(infno, Safety.STATEFUL)
        renewed = False
        attempt = 0
        while True:
            attempt += 1
            sign_no = "" if infno == "9001" else self.sign_in().sign_no
            try:
                return self._send_once(infno, input_, sign_no, safety, insuplc=insuplc, psn_no=psn_no)
            except SignInRejected:
                if renewed:
                    raise
                self.sign_ins.forget(self.operator.opter, sign_no)
                renewed = True
            except PlatformError as exc:
                if not self._may_retry(safety, exc, attempt):
                    raise

    def _may_retry(self, safety: Safety, exc: PlatformError, attempt: int) -> bool:
        if attempt >= self.query_attempts or isinstance(exc, BusinessError | UnknownOutcome):
            return False
        if safety is Safety.QUERY:
            return isinstance(exc, AMBIGUOUS)
        return safety is Safety.STATEFUL and isinstance(exc, PlatformUnreachable)

    def _send_once(
        self, infno: str, input_: Mapping[str, Any], sign_no: str, safety: Safety, *, insuplc: str, psn_no: str
    ) -> Reply:
        def envelope_for(msgid: str) -> dict[str, Any]:
            return build_envelope(infno=infno, msgid=msgid, institution=self.institution, operator=self.operator,
                                  sign_no=sign_no, input_=input_, now=self.clock(), insuplc_admdvs=insuplc)

        recorder = self.recorder if safety is Safety.MONEY else None
        reserve = getattr(recorder, "reserve", None) if getattr(recorder, "db", None) is self.msgids.db else None
        if reserve is not None:  # the msgid drawn in the transaction that journals the request: one commit
            msgid, envelope = reserve(infno, psn_no, self.msgids.next, envelope_for)
        else:
            msgid = self.msgids.next(durable=safety is not Safety.QUERY)  # a query's draw need not wait for the disk
            envelope = envelope_for(msgid)
            if recorder is not None:
                recorder.before_send(msgid, infno, psn_no, envelope)
        try:
            reply = parse_reply(self.transport.post(CALL_SERVICE, envelope), infno=infno, msgid=msgid)
            if safety is Safety.MONEY:
                _require_settlement(reply)
        except (BusinessError, PlatformUnreachable, GatewayRejected) as exc:
            if recorder is not None:
                recorder.after_refusal(msgid, exc)
            raise
        except AMBIGUOUS as exc:
            if safety is not Safety.MONEY:
                raise
            if recorder is not None:
                recorder.after_unknown(msgid, exc)
            raise UnknownOutcome(
                f"交易 {infno} 结果未知（{exc.message}），流水号 {msgid}", msgid=msgid, infno=infno, cause=exc.code
            ) from exc
        if recorder is not None:
            recorder.after_reply(msgid, reply.output)
        return reply

    def sign_in(self) -> SignIn:
        """Today's sign-in for this operator: cached, or a fresh 9001."""
        day = self.clock().date().isoformat()
        cached = self.sign_ins.get(self.operator.opter, day)
        if cached is not None:
            return cached
        op = self.operator
        reply = self.call("9001", {"signIn": {"opter_no": op.opter, "mac": op.mac, "ip": op.ip}})
        node = reply.output.get("signinoutb") or {}
        if not node.get("sign_no"):
            raise BadReply("签到应答缺少 sign_no")
        fresh = SignIn(opter=op.opter, day=day, sign_no=str(node["sign_no"]), sign_time=str(node.get("sign_time", "")))
        self.sign_ins.put(fresh)
        return fresh


    def signed_in(self) -> SignIn | None:
        """Today's cached sign-in of this operator, without asking the platform (None: not signed in today)."""
        return self.sign_ins.get(self.operator.opter, self.clock().date().isoformat())

    def sign_out(self) -> SignIn | None:
        """Day end: sign the operator's sign_no of today out (9002) and forget it; None if not signed in."""
        day = self.clock().date().isoformat()
        cached = self.sign_ins.get(self.operator.opter, day)
        if cached is None:
            return None
        self.call("9002", {"signOut": {"sign_no": cached.sign_no, "opter_no": self.operator.opter}})
        self.sign_ins.forget(self.operator.opter, cached.sign_no)
        return cached


def _require_settlement(reply: Reply) -> None:
    """A money reply without a settlement id cannot be booked: treat it as ambiguous, not as done."""
    info = reply.output.get("setlinfo")
    if not isinstance(info, dict) or not info.get("setl_id"):
        raise BadReply("资金交易应答缺少 setlinfo.setl_id")
