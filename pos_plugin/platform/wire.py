"""Wire <-> Python values: JSON with exact decimals, infcode, exp_content, amounts and timestamps.

Replies are parsed with ``parse_float=Decimal`` so no amount is ever a float; amount fields the
platform may send as numbers or numeric strings become `Decimal` (money quantized to the fen).
Requests carry every `Decimal` as a string: money with exactly 2 places, prices/quantities as given.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from pos_plugin.domain.errors import DomainError
from pos_plugin.domain.money import format_amount, parse_decimal
from pos_plugin.errors import BadReply, InputError

# Money fields of docs/protocol.md §3 (2 places; revokes send them negated).
MONEY_FIELDS = frozenset(
    """
    medfee_sumamt fulamt_ownpay_amt overlmt_selfpay overlmt_amt preselfpay_amt inscp_scp_amt act_pay_dedc
    hifp_pay pool_prop_selfpay cvlserv_pay hifes_pay hifmi_pay hifob_pay maf_pay oth_pay fund_pay_sumamt
    psn_part_amt acct_pay acct_mulaid_pay wallet_pay psn_cash_pay hosp_part_amt balc psn_pay cash_payamt
    fund_payamt amount avail_amt det_item_fee_sumamt
    """.split()
)
# Other exact decimals: prices (6 places), quantities (4 places), ratios.
DECIMAL_FIELDS = {"pric": 6, "pric_uplmt_amt": 6, "cnt": 4, "selfpay_prop": 6}

MSGID_STAMP = "%Y%m%d%H%M%S"
INF_TIME = "%Y-%m-%d %H:%M:%S"


def loads(raw: bytes | str) -> Any:
    """Parse JSON with every non-integer number as an exact `Decimal`."""
    try:
        return json.loads(raw, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadReply(f"医保平台返回的不是 JSON: {exc}") from exc


def dumps(body: Mapping[str, Any]) -> bytes:
    """Serialize a request body; every Decimal becomes a string (see `to_wire`)."""
    return json.dumps(to_wire(body), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


_PLAIN = frozenset({str, int, bool, type(None)})  # JSON leaves that pass through unchanged


def to_wire(value: Any, key: str = "") -> Any:
    """Recursively turn Decimals into strings: money fields with exactly 2 places, others plain."""
    kind = type(value)
    if kind in _PLAIN:  # most of a message: a type lookup instead of four isinstance checks
        return value
    if kind is dict:  # the usual mapping, without the abstract-class check; its plain leaves inline
        return {str(k): v if type(v) in _PLAIN else to_wire(v, str(k)) for k, v in value.items()}
    if kind is Decimal:  # an amount, before the abstract-class checks below
        return _decimal_to_wire(value, key)
    if kind is list:
        return [v if type(v) in _PLAIN else to_wire(v, key) for v in value]
    if isinstance(value, Mapping):
        return {str(k): to_wire(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_wire(v, key) for v in value]
    if isinstance(value, float):
        raise InputError(f"金额/数量不能是浮点数，请用 Decimal 或字符串: {key}={value!r}")
    if isinstance(value, Decimal):
        return _decimal_to_wire(value, key)
    return value


def _decimal_to_wire(value: Decimal, key: str) -> str:
    try:
        if key in MONEY_FIELDS:
            if value.is_finite() and value.as_tuple().exponent == -2:  # already in the fen: as format_amount gives it
                return f"{value:f}"
            return format_amount(value)
        if not value.is_finite():
            raise InputError(f"{key} 不是有限数值: {value!r}")
        return f"{value:f}"
    except DomainError as exc:
        raise InputError(f"{key}: {exc.message}") from exc


def parse_infcode(value: object) -> int:
    """`infcode` as a JSON number or a numeric string -> int (0 success, -1 refused)."""
    if isinstance(value, bool):
        raise BadReply(f"infcode 不是数字: {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("+-").isdigit():
            return int(text)
    raise BadReply(f"infcode 不是数字: {value!r}")


def exp_content(node: Mapping[str, Any]) -> dict[str, Any]:
    """Read `exp_content` or `expContent`, which may be an object or a JSON string; {} when absent."""
    value = node.get("exp_content", node.get("expContent"))
    if value in (None, ""):
        return {}
    if isinstance(value, str):
        value = loads(value)
    if not isinstance(value, dict):
        raise BadReply(f"exp_content 格式错误: {value!r}")
    return value


_CONVERTED = MONEY_FIELDS | frozenset(DECIMAL_FIELDS)  # the keys whose values become Decimals
# A money string already in the fen (`-12.5`, `3.00`): exact by its form, so `Decimal(text)` quantized is what the
# general parse would give; any other form goes the general way (and its checks).
_FEN_TEXT = re.compile(r"-?[0-9]{1,15}(\.[0-9]{1,2})?")


def amounts_to_decimal(value: Any, key: str = "") -> Any:
    """Recursively convert known amount fields (numbers or numeric strings) to exact Decimals."""
    kind = type(value)
    if kind is str and value and key in MONEY_FIELDS:  # an amount as the platform sends it
        return to_money(value, key)
    if kind in _PLAIN and key not in _CONVERTED:
        return value
    if kind is dict:  # the usual mapping, without the abstract-class check; its plain leaves inline
        return {k: v if type(v) in _PLAIN and k not in _CONVERTED else amounts_to_decimal(v, k)
                for k, v in value.items()}
    if isinstance(value, Mapping):
        return {k: amounts_to_decimal(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [amounts_to_decimal(v, key) for v in value]
    if value is None or value == "":
        return value
    if key in MONEY_FIELDS:
        return to_money(value, key)
    if key in DECIMAL_FIELDS:
        return _parse(value, key, DECIMAL_FIELDS[key])
    return value


def to_money(value: object, field: str = "amount") -> Decimal:
    """A wire amount -> Decimal with exactly 2 places; a malformed one is a BadReply."""
    if type(value) is str and _FEN_TEXT.fullmatch(value):
        return Decimal(value).quantize(_CENT)
    return _parse(value, field, 2).quantize(_CENT)


_CENT = Decimal("0.01")


def _parse(value: object, field: str, places: int) -> Decimal:
    try:
        return parse_decimal(value, places=places, allow_negative=True, field=field)
    except DomainError as exc:
        raise BadReply(f"医保平台返回的金额无效: {exc.message}") from exc


def msgid_stamp(moment: datetime) -> str:
    return moment.strftime(MSGID_STAMP)


def inf_time(moment: datetime) -> str:
    return moment.strftime(INF_TIME)
