"""The agent's own refusals, in the plugin's exception tree (pos_plugin/errors.py), and the one table that
gives every error its HTTP status. `app.py` renders them all in one place as {"code", "message"}."""

from __future__ import annotations

from pos_plugin.domain.errors import DomainError
from pos_plugin.errors import (
    AlreadyRevoked,
    AlreadySettled,
    BusinessError,
    CodeExpired,
    CodeUsed,
    EcodeError,
    GatewayRejected,
    IdentityMismatch,
    InputError,
    JournalError,
    NoFeeLines,
    NotInsured,
    NotSettled,
    PlanMismatch,
    PlatformError,
    PosError,
    RecoveryPending,
    SaleUnknown,
    ScanError,
    SettlementUnknown,
    TransportError,
    UnknownOutcome,
    VisitCancelled,
    VisitHasSettlement,
    VisitUnknown,
)
from pos_plugin.qr.errors import DecoderMissing


class Unauthorized(PosError):
    code = "ERR_UNAUTHORIZED"
    default_message = "缺少或错误的访问令牌（Authorization: Bearer <token>）"


class NotFound(PosError):
    code = "ERR_NOT_FOUND"
    default_message = "没有这个接口"


class MethodNotAllowed(PosError):
    code = "ERR_METHOD_NOT_ALLOWED"
    default_message = "该接口不支持这个请求方法"


class QuoteStale(PosError):
    """The quote id is not this terminal's open sale: settled, replaced, abandoned, or never issued here."""

    code = "ERR_QUOTE_STALE"
    default_message = "报价已失效或不属于本终端，请重新报价"


class BalanceMoved(PosError):
    """The platform refused the confirmed legs because a balance moved; `details['quote']` is the fresh
    quote (its own id) the cashier must confirm instead. Nothing was settled."""

    code = "ERR_BALANCE_MOVED"
    default_message = "账户余额已变动，未扣款；请核对新的支付分项后重新确认"


class IdempotencyConflict(PosError):
    code = "ERR_IDEMPOTENCY_CONFLICT"
    default_message = "该 Idempotency-Key 已用于另一个请求，请换一个新的键"


class UnknownField(PosError):
    """A request carried a field its schema does not have (docs/agent-api.md "Closed requests"): refused, never
    ignored, so a misspelt or camelCase option (`useAccount`) never silently falls back to a default."""

    code = "ERR_UNKNOWN_FIELD"
    default_message = "请求中有未定义的字段"


class BodyTooLarge(PosError):
    code = "ERR_BODY_TOO_LARGE"
    default_message = "请求体过大"


class PatientUnknown(PosError):
    code = "ERR_PATIENT_UNKNOWN"
    default_message = "没有这个已识别的参保人（patient_id），请重新识别"


# The first class in an error's MRO found here decides its status; anything else is a 500.
STATUS: dict[type[BaseException], int] = {
    Unauthorized: 401,
    NotFound: 404,
    MethodNotAllowed: 405,
    QuoteStale: 409,
    BalanceMoved: 409,
    IdempotencyConflict: 422,
    PatientUnknown: 404,
    UnknownField: 422,
    BodyTooLarge: 413,
    SaleUnknown: 404,
    AlreadyRevoked: 409,
    VisitUnknown: 404,
    VisitCancelled: 409,
    VisitHasSettlement: 409,
    AlreadySettled: 409,
    NoFeeLines: 409,
    SettlementUnknown: 409,
    InputError: 400,
    DomainError: 400,
    DecoderMissing: 500,  # this machine cannot scan at all (zbar missing), not the picture
    ScanError: 400,
    IdentityMismatch: 422,
    NotInsured: 422,
    CodeExpired: 422,
    CodeUsed: 422,
    EcodeError: 422,
    PlanMismatch: 422,
    BusinessError: 422,
    RecoveryPending: 409,
    NotSettled: 409,
    UnknownOutcome: 504,
    GatewayRejected: 502,
    TransportError: 502,
    PlatformError: 502,
    JournalError: 500,
    PosError: 500,
}


def status_of(error: BaseException) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500
