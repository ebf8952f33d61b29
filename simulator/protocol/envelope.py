"""The request envelope (docs/protocol.md §2): parse, validate, and build responses."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from simulator.domain.refusals import (
    BadEnvelope,
    BadInfTime,
    BadJson,
    BadMsgid,
    MissingField,
)
from simulator.domain.requests import RequestMeta
from simulator.protocol.inputs import MAX_DEPTH, check_tree, checked_text

REQUIRED = ("infno", "msgid", "mdtrtarea_admvs", "recer_sys_code", "infver", "opter_type", "opter",
            "opter_name", "inf_time", "fixmedins_code", "fixmedins_name")
_LONG = {"fixmedins_name": 200, "opter_name": 200}  # other envelope fields: at most 50 characters
_MSGID_TAIL = re.compile(r"(\d{14})(\d{4})\Z", re.ASCII)
ENVELOPE_TEXTS = REQUIRED + ("insuplc_admdvs", "sign_no", "dev_no", "dev_safe_info")
ECHO_MAX_LEN = 1024


@dataclass(frozen=True)
class Envelope:
    """A validated request envelope."""

    infno: str
    msgid: str
    fixmedins_code: str
    mdtrtarea_admvs: str
    insuplc_admdvs: str
    opter: str
    sign_no: str
    cainfo: str | None
    signtype: str | None
    input: dict[str, Any]

    def meta(self) -> RequestMeta:
        return RequestMeta(self.infno, self.msgid, self.fixmedins_code, self.opter, self.insuplc_admdvs)


def parse_json(raw: bytes) -> Any:
    """JSON with every non-integer number as Decimal (never float), at most MAX_DEPTH levels deep and
    with no lone surrogate (`"\ud800"`) in any key or string."""
    try:
        found = json.loads(raw.decode("utf-8"), parse_float=Decimal, parse_constant=_no_constant)
    except RecursionError:
        raise BadJson(detail=f"请求体 JSON 嵌套过深（最多 {MAX_DEPTH} 层）") from None
    except (UnicodeDecodeError, ValueError):
        raise BadJson(detail="请求体不是合法的 UTF-8 JSON") from None
    check_tree(found)
    return found


def _no_constant(name: str) -> Any:
    """NaN and Infinity are not JSON (Python's reader takes them, as floats): refused."""
    raise BadJson(detail=f"请求体含有非法的 JSON 数值 {name}")


def _text(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise BadEnvelope(detail=f"报文字段 {key} 必须是字符串")
    return checked_text(str(value).strip(), f"报文字段 {key}", _LONG.get(key, 50))


def _names_psn_no(node: Any) -> bool:
    if isinstance(node, dict):
        return bool(node.get("psn_no")) or any(_names_psn_no(v) for v in node.values() if isinstance(v, (dict, list)))
    if isinstance(node, list):
        return any(_names_psn_no(item) for item in node)
    return False


def parse_envelope(body: Any) -> Envelope:
    """Validate the envelope shape; every refusal names the field."""
    if not isinstance(body, dict):
        raise BadEnvelope(detail="请求报文必须是 JSON 对象")
    fields = {key: _text(body, key) for key in REQUIRED}
    missing = [key for key in REQUIRED if not fields[key]]
    if missing:
        raise MissingField(detail=f"报文缺少必填字段：{', '.join(missing)}")
    infno, msgid, code = fields["infno"], fields["msgid"], fields["fixmedins_code"]
    tail = _MSGID_TAIL.match(msgid[len(code):]) if msgid.startswith(code) else None
    if tail is None or not _is_stamp(tail.group(1), "%Y%m%d%H%M%S"):
        raise BadMsgid(msgid=msgid)
    if not _is_stamp(fields["inf_time"], "%Y-%m-%d %H:%M:%S"):
        raise BadInfTime(inf_time=body.get("inf_time"))
    payload = body.get("input")
    if not isinstance(payload, dict):
        raise MissingField(detail="报文缺少输入节点 input（须为 JSON 对象）")
    insuplc = _text(body, "insuplc_admdvs")
    if not insuplc and _names_psn_no(payload):
        raise MissingField(detail="输入含人员编号 psn_no 时，参保地 insuplc_admdvs 必填")
    for key in ENVELOPE_TEXTS:  # every field, echoed or not, is checked before the handler runs
        if key not in fields:
            _text(body, key)
    return Envelope(infno, msgid, code, fields["mdtrtarea_admvs"], insuplc, fields["opter"],
                    _text(body, "sign_no"), _echoed(body, "cainfo"), _echoed(body, "signtype"), payload)


def _echoed(body: dict[str, Any], key: str) -> str | None:
    """`cainfo` / `signtype`: echoed in the reply, so checked like every text (null stays null)."""
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadEnvelope(detail=f"报文字段 {key} 必须是字符串")
    return checked_text(value, f"报文字段 {key}", ECHO_MAX_LEN)


def _is_stamp(text: str, pattern: str) -> bool:
    try:
        datetime.strptime(text, pattern)
    except ValueError:
        return False
    return True


def response(now: datetime, refmsgid: str, output: Any, env: Envelope | None = None, *, err_msg: str | None = None,
             err_code: str | None = None, warn_msg: str | None = None) -> dict[str, Any]:
    """A response envelope; `err_msg` set means infcode -1 and no output."""
    stamp = now.strftime("%Y%m%d%H%M%S") + f"{now.microsecond // 1000:03d}"
    body: dict[str, Any] = {
        "infcode": -1 if err_msg else 0, "inf_refmsgid": refmsgid, "refmsg_time": stamp, "respond_time": stamp,
        "err_msg": err_msg, "warn_msg": None if err_msg else warn_msg, "cainfo": env.cainfo if env else None,
        "signtype": env.signtype if env else None, "output": None if err_msg else output,
    }
    if err_code:
        body["err_code"] = err_code
    return body
