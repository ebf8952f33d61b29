"""The envelope of docs/protocol.md §2: building a request and reading a reply.

A request names the institution, the operator, its `msgid` and `sign_no`; `insuplc_admdvs` is set
whenever `input` concerns a `psn_no`. A reply's `infcode` may be a number or a string; `output`
amounts become Decimals (`wire.amounts_to_decimal`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pos_plugin.errors import BadReply, BusinessError, SignInRejected
from pos_plugin.platform import wire


@dataclass(frozen=True)
class Institution:
    """The 定点医药机构 this terminal belongs to, and the fixed envelope fields it sends."""

    fixmedins_code: str
    fixmedins_name: str
    mdtrtarea_admvs: str
    recer_sys_code: str = "YBPOS"
    dev_no: str = ""
    dev_safe_info: str = ""
    cainfo: str = ""
    signtype: str = ""
    infver: str = "V1.0"


@dataclass(frozen=True)
class Operator:
    """The cashier (经办人) signed in on this terminal."""

    opter: str
    opter_name: str
    opter_type: str = "1"
    mac: str = "00:00:00:00:00:00"
    ip: str = "127.0.0.1"


def build_envelope(
    *,
    infno: str,
    msgid: str,
    institution: Institution,
    operator: Operator,
    sign_no: str,
    input_: Mapping[str, Any],
    now: datetime,
    insuplc_admdvs: str = "",
) -> dict[str, Any]:
    """One request envelope, every field of docs/protocol.md §2 present (blank where unused)."""
    return {
        "infno": infno,
        "msgid": msgid,
        "mdtrtarea_admvs": institution.mdtrtarea_admvs,
        "insuplc_admdvs": insuplc_admdvs,
        "recer_sys_code": institution.recer_sys_code,
        "dev_no": institution.dev_no,
        "dev_safe_info": institution.dev_safe_info,
        "cainfo": institution.cainfo,
        "signtype": institution.signtype,
        "infver": institution.infver,
        "opter_type": operator.opter_type,
        "opter": operator.opter,
        "opter_name": operator.opter_name,
        "inf_time": wire.inf_time(now),
        "fixmedins_code": institution.fixmedins_code,
        "fixmedins_name": institution.fixmedins_name,
        "sign_no": sign_no,
        "input": dict(input_),
    }


@dataclass(frozen=True)
class Reply:
    """A successful reply (infcode 0): `output` with amounts as Decimals."""

    infcode: int
    output: dict[str, Any]
    msgid: str = ""
    inf_refmsgid: str = ""
    respond_time: str = ""
    warn_msg: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)
    content: bytes | None = field(default=None, repr=False)  # a downloaded file (9102)


# How a platform says it refused the sign_no itself (not the business request): the simulator's
# err_code values, and the words real platforms use in err_msg (未签到 / 签到编号无效 / 签到已过期).
SIGN_NO_CODES = frozenset({"ERR_NOT_SIGNED_IN", "ERR_SIGN_NO_UNKNOWN", "ERR_SIGNED_OUT", "ERR_SIGNIN_EXPIRED"})
SIGN_NO_WORDS = ("签到", "sign_no")
FILE_DOWNLOADS = frozenset({"9102"})


def parse_reply(body: Any, *, infno: str, msgid: str) -> Reply:
    """Check a reply envelope; infcode != 0 raises BusinessError (or SignInRejected) with its err_msg.

    Only a file download (9102) may answer with bare bytes instead of an envelope."""
    if isinstance(body, bytes) and infno in FILE_DOWNLOADS:
        return Reply(infcode=0, output={}, msgid=msgid, content=body)
    if not isinstance(body, dict):
        raise BadReply(f"医保平台返回的报文不是对象: {type(body).__name__}")
    if "infcode" not in body:
        raise BadReply("医保平台返回的报文缺少 infcode")
    infcode = wire.parse_infcode(body["infcode"])
    if infcode != 0:
        raise refusal(body, infno=infno, msgid=msgid, infcode=infcode)
    output = body.get("output")
    if output is None:
        output = {}
    if not isinstance(output, dict):
        raise BadReply(f"output 不是对象: {type(output).__name__}")
    return Reply(
        infcode=infcode,
        output=wire.amounts_to_decimal(output),
        msgid=msgid,
        inf_refmsgid=str(body.get("inf_refmsgid") or ""),
        respond_time=str(body.get("respond_time") or ""),
        warn_msg=body.get("warn_msg"),
        raw=body,
    )


def refusal(body: dict[str, Any], *, infno: str, msgid: str, infcode: int) -> BusinessError:
    """The exception for an infcode -1 reply: SignInRejected when the sign_no is what was refused.

    `details` keeps infno, msgid, infcode and the platform's `err_code` when it sends one."""
    message = str(body.get("err_msg") or "医保平台拒绝了交易（未给出原因）")
    platform_code = str(body.get("err_code") or "")
    details = {"infno": infno, "msgid": msgid, "infcode": infcode, "platform_code": platform_code}
    if infno != "9001" and (platform_code in SIGN_NO_CODES or any(word in message for word in SIGN_NO_WORDS)):
        return SignInRejected(message, **details)
    return BusinessError(message, **details)
