"""The plugin's one exception tree: every failure a cashier can see carries a stable English `code`
and a Chinese `message`, and is rendered as ``"<code>: <message>"``.

    PosError(code, message)              the one root (defined in pos_plugin/domain/errors.py, the innermost layer)
    ├── DomainError                      ERR_INVALID_AMOUNT, ERR_INVALID_CART, ERR_INVARIANT: the pure core's
    ├── InputError                       ERR_INPUT              bad input from the checkout; nothing changed
    │   ├── SaleUnknown                  ERR_SALE_UNKNOWN       no sale of that id in this terminal's sale book
    │   ├── AlreadyRevoked               ERR_ALREADY_REVOKED    the sale was revoked already
    │   ├── VisitUnknown                 ERR_VISIT_UNKNOWN      no outpatient visit of that id in this terminal's visit book
    │   ├── VisitCancelled               ERR_VISIT_CANCELLED    the visit's registration was cancelled (2202)
    │   ├── VisitHasSettlement           ERR_VISIT_HAS_SETTLEMENT  fees, deletes or a cancel on a settled visit
    │   ├── AlreadySettled               ERR_ALREADY_SETTLED    the visit or stay is settled already (pre-settle / settle)
    │   ├── NoFeeLines                   ERR_NO_FEE_LINES       nothing uploaded to settle
    │   └── SettlementUnknown            ERR_SETTLEMENT_UNKNOWN no settlement of the visit to revoke
    ├── IdentityMismatch                 ERR_IDENTITY_MISMATCH  code/card names another person than the cashier typed
    ├── NotInsured                       ERR_NOT_INSURED        insurance status not normal (psn_insu_stas != 1)
    ├── PlanMismatch                     ERR_PLAN_MISMATCH      the POS's planned legs differ from the platform's
    ├── ScanError                        ERR_SCAN               base of the scanner's errors (pos_plugin.qr)
    ├── JournalError                     ERR_JOURNAL            the local journal file cannot be used
    ├── NotSettled                       ERR_NOT_SETTLED        a lost reply was reversed: the sale did NOT happen
    ├── RecoveryPending                  ERR_RECOVERY_PENDING   an earlier unknown outcome for this person is unresolved
    └── PlatformError                    ERR_PLATFORM           anything about talking to the platform
        ├── TransportError               ERR_TRANSPORT          connection dropped mid-exchange (maybe processed)
        │   ├── PlatformUnreachable      ERR_UNREACHABLE        could not connect: the request never left
        │   └── PlatformTimeout          ERR_TIMEOUT            no reply in time (maybe processed)
        ├── HttpStatusError              ERR_HTTP_STATUS        the gateway answered a non-200 status (maybe processed)
        ├── GatewayRejected              ERR_GATEWAY_REJECTED   x-tif gateway said 401/403: refused, nothing processed
        ├── BadReply                     ERR_BAD_REPLY          the reply is not a readable envelope
        ├── BusinessError                ERR_PLATFORM_REFUSED   infcode -1 with err_msg: refused, nothing moved
        │   └── SignInRejected           ERR_SIGN_IN_REJECTED   the platform refused the sign_no (stale/unknown)
        ├── EcodeError                   ERR_ECODE              the e-voucher decode service refused the code
        │   ├── NotAnInsuranceCode       ERR_NOT_AN_INSURANCE_CODE
        │   ├── CodeExpired              ERR_CODE_EXPIRED
        │   └── CodeUsed                 ERR_CODE_USED
        └── UnknownOutcome               ERR_UNKNOWN_OUTCOME    a money-moving request may or may not have committed

Codes are ``ERR_`` + upper snake case; ``short_code`` gives the scenario vocabulary
(``ERR_NOT_INSURED`` -> ``not_insured``). This module imports only the root from the pure domain.
"""

from __future__ import annotations

from pos_plugin.domain.errors import DomainError as DomainError  # re-exported: the pure core's branch
from pos_plugin.domain.errors import PosError as PosError  # re-exported: the root every class below extends


class InputError(PosError):
    code = "ERR_INPUT"
    default_message = "输入有误"


class SaleUnknown(InputError):
    """No sale of that id in this terminal's sale book."""

    code = "ERR_SALE_UNKNOWN"
    default_message = "本机没有这笔交易"


class AlreadyRevoked(InputError):
    """The sale was revoked already: a second revoke (or a refund, or a re-revoke) is refused at the till."""

    code = "ERR_ALREADY_REVOKED"
    default_message = "该结算已撤销，不能重复撤销"


# The outpatient visit desk's refusals (checkout/visit.py): the till refuses from its visit book before anything
# is sent, with the code the platform gives the same rule (docs/simulator-api.md's refusal catalogue).
class VisitUnknown(InputError):
    code = "ERR_VISIT_UNKNOWN"
    default_message = "本机没有这个门诊就诊"


class VisitCancelled(InputError):
    code = "ERR_VISIT_CANCELLED"
    default_message = "该就诊已撤销挂号"


class VisitHasSettlement(InputError):
    code = "ERR_VISIT_HAS_SETTLEMENT"
    default_message = "该就诊存在未撤销的结算，请先撤销结算（2208）"


class AlreadySettled(InputError):
    code = "ERR_ALREADY_SETTLED"
    default_message = "该就诊的费用已结算，不能重复结算"


class NoFeeLines(InputError):
    code = "ERR_NO_FEE_LINES"
    default_message = "没有待结算的费用明细，请先上传（2204）"


class SettlementUnknown(InputError):
    code = "ERR_SETTLEMENT_UNKNOWN"
    default_message = "该就诊没有有效的结算，无需撤销"


class IdentityMismatch(PosError):
    code = "ERR_IDENTITY_MISMATCH"
    default_message = "医保凭证与就诊人身份不一致，已停止结算"


class NotInsured(PosError):
    code = "ERR_NOT_INSURED"
    default_message = "参保状态不正常，不能使用医保结算"


class PlanMismatch(PosError):
    code = "ERR_PLAN_MISMATCH"
    default_message = "本地计算的支付分项与平台不一致"


class ScanError(PosError):
    code = "ERR_SCAN"
    default_message = "无法识别图像中的条码"


class JournalError(PosError):
    code = "ERR_JOURNAL"
    default_message = "本地交易日志不可用"


class NotSettled(PosError):
    """A money-moving request whose reply was lost has been reversed (2601): nothing happened."""

    code = "ERR_NOT_SETTLED"
    default_message = "结算结果未知，已向平台冲正，本笔交易未完成，请重新结算"


class RecoveryPending(PosError):
    """A new money request is refused while an earlier one for the same person is still unresolved."""

    code = "ERR_RECOVERY_PENDING"
    default_message = "该参保人有结果未知的交易尚未冲正，请先执行恢复（pos-plugin recover）"


class PlatformError(PosError):
    code = "ERR_PLATFORM"
    default_message = "医保平台交易失败"


class TransportError(PlatformError):
    """The connection broke after the request may have been sent: the platform may have processed it."""

    code = "ERR_TRANSPORT"
    default_message = "与医保平台的连接中断"
    sent = True


class PlatformUnreachable(TransportError):
    """Could not connect at all: the request never left this machine, so nothing happened."""

    code = "ERR_UNREACHABLE"
    default_message = "无法连接医保平台，请检查网络"
    sent = False


class PlatformTimeout(TransportError):
    code = "ERR_TIMEOUT"
    default_message = "医保平台响应超时"


class HttpStatusError(PlatformError):
    code = "ERR_HTTP_STATUS"
    default_message = "医保平台网关返回错误状态"


class GatewayRejected(PlatformError):
    """The gateway refused the caller (x-tif, HTTP 401/403) before the platform saw the request."""

    code = "ERR_GATEWAY_REJECTED"
    default_message = "医保网关鉴权失败"


class BadReply(PlatformError):
    code = "ERR_BAD_REPLY"
    default_message = "医保平台返回的报文无法解析"


class BusinessError(PlatformError):
    """infcode -1: the platform refused the request with `err_msg`; nothing moved."""

    code = "ERR_PLATFORM_REFUSED"
    default_message = "医保平台拒绝了交易"

    @property
    def err_msg(self) -> str:
        """The platform's own words (also the `message`)."""
        return self.message

    @property
    def infno(self) -> str | None:
        value = self.details.get("infno")
        return str(value) if value is not None else None

    @property
    def platform_code(self) -> str:
        """The platform's own error code (`err_code`) when it sent one, else ''."""
        return str(self.details.get("platform_code") or "")


class SignInRejected(BusinessError):
    code = "ERR_SIGN_IN_REJECTED"
    default_message = "签到号无效或已过期，需要重新签到"


class EcodeError(PlatformError):
    code = "ERR_ECODE"
    default_message = "医保电子凭证解码失败"


class NotAnInsuranceCode(EcodeError):
    code = "ERR_NOT_AN_INSURANCE_CODE"
    default_message = "请使用医保电子凭证二维码"


class CodeExpired(EcodeError):
    code = "ERR_CODE_EXPIRED"
    default_message = "医保电子凭证二维码已过期，请刷新后重新出示"


class CodeUsed(EcodeError):
    code = "ERR_CODE_USED"
    default_message = "医保电子凭证二维码已使用，请刷新后重新出示"


class UnknownOutcome(PlatformError):
    """A money-moving request was sent and no definitive answer came back.

    `details` carries `msgid` and `infno`; the journal holds the row, and recovery (2601) resolves it.
    """

    code = "ERR_UNKNOWN_OUTCOME"
    default_message = "交易结果未知，已记录，将向平台冲正"

    @property
    def msgid(self) -> str:
        return str(self.details.get("msgid", ""))

    @property
    def infno(self) -> str:
        return str(self.details.get("infno", ""))
