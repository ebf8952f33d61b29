"""The simulator's refusal catalogue: one class per refusal code, its status and its Chinese message.

Every refusal the simulator answers is raised here by name (`raise VisitUnknown(mdtrt_id=...)`) and
rendered in one place (simulator/protocol/errors.py). A class carries:

    code           stable English ERR_* sent on the wire (`err_code` in an envelope, `code` elsewhere)
    template       the Chinese, user-facing message; `str.format` parameters are filled at the raise site
    status         the HTTP status on the JSON APIs (/admin, /app): set by the kind below
    http_status    the HTTP status of an envelope (/fsi) or decode reply: 200 (infcode -1) unless stated
    decode_number  the e-voucher decode service's numeric `code` for this refusal (9 = other)

The kinds (nothing changes on any refusal):

    PlatformError                         abstract root
    ├── RequestRejected                   malformed envelope / input (nothing looked up yet)    400
    ├── NotFound                          a named person, visit, settlement... does not exist   404
    ├── RuleRefused                       a business rule says no (status, balance, payplan...) 400
    ├── Conflict                          reused msgid, already settled / revoked, dead msgid   400
    ├── AuthRejected                      x-tif gateway / admin token check failed              401 (envelope 401)
    │   └── Forbidden                     a known caller whose role may not do this             403
    ├── DecodeRefused                     the e-voucher decode service refused a code           400
    ├── FaultInjected                     an armed fault of kind "error"                        400
    ├── HttpRefused                       unmatched route, wrong method, body too large      404/405/413 (envelope too)
    └── Internal                          an unexpected crash, answered as a refusal            500 (envelope 500)

A code whose text differs with the place it is raised at takes the whole text as `detail`.
docs/simulator-api.md lists every code (tests/simulator_rules/test_refusal_catalogue.py keeps the two equal).
Standard library only.
"""

from __future__ import annotations

from typing import ClassVar


class PlatformError(Exception):
    """A refusal: nothing changed. `code` is stable English, `message` is Chinese."""

    code: ClassVar[str]
    template: ClassVar[str]
    status: ClassVar[int] = 400
    http_status: ClassVar[int] = 200
    decode_number: ClassVar[int] = 9

    def __init__(self, **params: object) -> None:
        message = self.template.format(**params)
        super().__init__(f"{self.code}: {message}")
        self.message = message

    def prefixed(self, where: str) -> PlatformError:
        """The same refusal (code, status) with its message prefixed by where it happened (a file name)."""
        error = type(self).__new__(type(self))
        error.message = f"{where}：{self.message}"
        Exception.__init__(error, f"{self.code}: {error.message}")
        return error


class RequestRejected(PlatformError):
    """The request itself is malformed."""


class NotFound(PlatformError):
    """Something the request names does not exist."""

    status = 404


class RuleRefused(PlatformError):
    """A platform rule refuses the request."""


class Conflict(PlatformError):
    """The request conflicts with recorded state (reuse, double settle, double revoke)."""


class AuthRejected(PlatformError):
    """The gateway (x-tif) or the admin token check refused the caller."""

    status = 401
    http_status = 401


class Forbidden(AuthRejected):
    """The caller is known but its role may not do this (an agency on a person's route)."""

    status = 403
    http_status = 403


class FaultInjected(PlatformError):
    """An armed fault of kind "error" answered instead of the platform (the tester wrote the message)."""

    code, template = "ERR_FAULT_INJECTED", "{message}"


class DecodeRefused(PlatformError):
    """The e-voucher decode service refused a code (`decode_number` is the service's numeric code)."""


class Internal(PlatformError):
    """The simulator crashed while handling a request: answered as a refusal, nothing committed."""

    code, template = "ERR_INTERNAL", "平台内部错误：{kind}，交易未完成，请查询后冲正或重试"
    status = 500
    http_status = 500


class HttpRefused(PlatformError):
    """An HTTP-level refusal before any handler ran (unmatched route, wrong method, body too large): the
    envelope endpoint answers these with the same status as the JSON APIs."""


class BadRequest(HttpRefused):
    code, template = "ERR_BAD_REQUEST", "请求格式错误"
    status = http_status = 400


class NoSuchRoute(HttpRefused):
    code, template = "ERR_NO_SUCH_ROUTE", "接口不存在"
    status = http_status = 404


class MethodNotAllowed(HttpRefused):
    code, template = "ERR_METHOD_NOT_ALLOWED", "接口不支持该 HTTP 方法"
    status = http_status = 405


class BodyTooLarge(HttpRefused):
    code, template = "ERR_BODY_TOO_LARGE", "请求体过大{limit}"
    status = http_status = 413


class HttpError(HttpRefused):
    code, template = "ERR_HTTP_ERROR", "HTTP 错误 {status}"
    status = http_status = 400


def catalogue() -> dict[str, type[PlatformError]]:
    """Every refusal class by its code (the classes below; one code, one class)."""
    found: dict[str, type[PlatformError]] = {}
    pending: list[type[PlatformError]] = [PlatformError]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if "code" in vars(cls):
            if cls.code in found and found[cls.code] is not cls:
                raise TypeError(f"{cls.code} is catalogued twice")
            found[cls.code] = cls
    return found


# --- catalogue ---

# RequestRejected

class BadAmount(RequestRejected):
    code, template = "ERR_BAD_AMOUNT", "{what}金额必须大于 0"

class BadAuditRule(RequestRejected):
    code, template = "ERR_AUDIT_RULE_UNKNOWN", "审计规则 {rule!r} 不在规则目录中（可用：{known}）"

class BadCertType(RequestRejected):
    code, template = "ERR_BAD_CERT_TYPE", "就诊凭证类型 mdtrt_cert_type {cert_type!r} 无效（01/02/03）"

class BadDate(RequestRejected):
    code, template = "ERR_BAD_DATE", "{body}.{key} 日期格式错误：{value!r}（YYYY-MM-DD）"

class BadEnvelope(RequestRejected):
    code, template = "ERR_BAD_ENVELOPE", "{detail}"

class BadExpContent(RequestRejected):
    code, template = "ERR_BAD_EXP_CONTENT", "{detail}"

class BadFault(RequestRejected):
    code, template = "ERR_BAD_FAULT", "{detail}"

class BadField(RequestRejected):
    code, template = "ERR_BAD_FIELD", "{detail}"

class BadFile(RequestRejected):
    code, template = "ERR_BAD_FILE", "{detail}"

class BadInfTime(RequestRejected):
    code, template = "ERR_BAD_INF_TIME", "交易时间 inf_time {inf_time!r} 格式错误（yyyy-MM-dd HH:mm:ss）"

class BadInstitutionCode(RequestRejected):
    code, template = "ERR_BAD_INSTITUTION_CODE", ("定点医药机构编码 {fixmedins_code!r} 格式错误：应为 1 位大写字母加 11 位数字"
                                                  "（如 P61010300017）")

class BadJson(RequestRejected):
    code, template = "ERR_BAD_JSON", "{detail}"

class BadMapping(RequestRejected):
    code, template = "ERR_BAD_MAPPING", "{detail}"

class BadMsgid(RequestRejected):
    code, template = "ERR_BAD_MSGID", "报文ID msgid {msgid!r} 格式错误（应为 定点机构编号+yyyyMMddHHmmss+4位顺序号）"

class BadNumber(RequestRejected):
    code, template = "ERR_BAD_NUMBER", "{detail}"

class BadPayplan(RequestRejected):
    code, template = "ERR_BAD_PAYPLAN", "{detail}"

class BadPeriod(RequestRejected):
    code, template = "ERR_BAD_PERIOD", "对账结束日期早于开始日期"

class BadPolicy(RequestRejected):
    code, template = "ERR_BAD_POLICY", "{detail}"

class BadSalesUpload(RequestRejected):
    code, template = "ERR_BAD_SALES_UPLOAD", "{detail}"

class BadStatus(RequestRejected):
    code, template = "ERR_BAD_STATUS", "参保状态 {status!r} 无效（1 正常 / 2 暂停 / 4 终止）"

class BadTarget(RequestRejected):
    code, template = "ERR_BAD_TARGET", "充值对象 {target!r} 无效（account/pool/wallet）"

class BadTime(RequestRejected):
    code, template = "ERR_BAD_TIME", "{detail}"

class BadTraceCode(RequestRejected):
    code, template = "ERR_BAD_TRACE_CODE", "{detail}"

class BadWorld(RequestRejected):
    code, template = "ERR_BAD_WORLD", "世界文件错误：{message}"

class DuplicatePerson(RequestRejected):
    code, template = "ERR_DUPLICATE_PERSON", "证件号码已存在于模拟平台：{clash}（请先 /admin/reset）"

class FileTotalsMismatch(RequestRejected):
    code, template = "ERR_FILE_TOTALS_MISMATCH", "对账明细文件合计与申报的总额或笔数不一致"

class LineAmount(RequestRejected):
    code, template = "ERR_LINE_AMOUNT", "{here} 明细金额 {amt} 不等于 数量×单价 {cnt}"

class MedfeeMismatch(RequestRejected):
    code, template = "ERR_MEDFEE_MISMATCH", "医疗费总额 medfee_sumamt {medfee_sumamt} 与费用明细合计 {lines_total} 不符"

class MissingField(RequestRejected):
    code, template = "ERR_MISSING_FIELD", "{detail}"

class MissingNode(RequestRejected):
    code, template = "ERR_MISSING_NODE", "{detail}"

class OinfnoMismatch(RequestRejected):
    code, template = "ERR_OINFNO_MISMATCH", "原交易编号 oinfno {oinfno} 与原报文 {infno} 不符"

class PolicyUnknown(RequestRejected):
    code, template = "ERR_POLICY_UNKNOWN", "{detail}"

class UnknownInfno(RequestRejected):
    code, template = "ERR_UNKNOWN_INFNO", "不支持的交易编号 infno {infno}"

class WorldFile(RequestRejected):
    code, template = "ERR_WORLD_FILE", "{detail}"


# NotFound

class AuditDatabaseUnknown(NotFound):
    code, template = "ERR_AUDIT_NO_DATABASE", "{detail}"

class AuditNoTraffic(NotFound):
    code, template = "ERR_AUDIT_NO_TRAFFIC", "机构 {fixmedins_code} {window}没有任何报文：没有可审计的业务（审计不会在空记录上通过）"

class BindingUnknown(NotFound):
    code, template = "ERR_BINDING_UNKNOWN", "共济关系 {binding_id} 不存在"

class FileUnknown(NotFound):
    code, template = "ERR_FILE_UNKNOWN", "文件查询号 {file_qury_no} 不存在{hint}"

class InstitutionUnknown(NotFound):
    code, template = "ERR_INSTITUTION_UNKNOWN", "{detail}"
    decode_number = 5

class ListCodeUnknown(NotFound):
    code, template = "ERR_LIST_CODE_UNKNOWN", "医保目录编码 {code} 不在医保目录中"

class MappingUnknown(NotFound):
    code, template = "ERR_MAPPING_UNKNOWN", "目录对照 {fixmedins_hilist_id} 不存在"

class RecordUnknown(NotFound):
    code, template = "ERR_NOT_FOUND", "路径参数 {name} 所指的记录不存在"

class OriginalUnknown(NotFound):
    code, template = "ERR_ORIGINAL_UNKNOWN", "{detail}"

class PersonUnknown(NotFound):
    code, template = "ERR_PERSON_UNKNOWN", "{detail}"

class PoolUnknown(NotFound):
    code, template = "ERR_POOL_UNKNOWN", "家庭共济账户 {pool_id} 不存在"

class SettlementUnknown(NotFound):
    code, template = "ERR_SETTLEMENT_UNKNOWN", "结算ID setl_id {setl_id} 不存在"

class SignNoUnknown(NotFound):
    code, template = "ERR_SIGN_NO_UNKNOWN", "签到编号 {sign_no} {problem}"

class TransferUnknown(NotFound):
    code, template = "ERR_TRANSFER_UNKNOWN", "转账 {transfer_id} 不存在"

class StayUnknown(NotFound):
    code, template = "ERR_STAY_UNKNOWN", "住院就诊ID mdtrt_id {mdtrt_id} 不存在（未在本机构办理入院 2401）"

class VisitUnknown(NotFound):
    code, template = "ERR_VISIT_UNKNOWN", "就诊ID mdtrt_id {mdtrt_id} 不存在"


# RuleRefused

class AlreadyMember(RuleRefused):
    code, template = "ERR_ALREADY_MEMBER", "{psn_no} 已是本家庭共济账户成员"

class AmountMismatch(RuleRefused):
    code, template = "ERR_AMOUNT_MISMATCH", "{name} {declared} 与平台计算 {mine} 不符，请重新预结算（{presettle}）"

class BeneficiaryNotInsured(RuleRefused):
    code, template = "ERR_BENEFICIARY_NOT_INSURED", "{role}参保状态异常（非正常参保）"

class BindingEnded(RuleRefused):
    code, template = "ERR_BINDING_ENDED", "共济关系 {binding_id} 已终止或未通过审核（{state}）"

class BindingExists(RuleRefused):
    code, template = "ERR_BINDING_EXISTS", "双方已存在有效或待审核的共济关系"

class BindingNotPending(RuleRefused):
    code, template = "ERR_BINDING_NOT_PENDING", "共济关系 {binding_id} 不在待审核状态（{state}）"

class DatesRequired(RuleRefused):
    code, template = "ERR_DATES_REQUIRED", "{policy} 的共济关系须填写起止日期（start 与 end）"

class EndBeforeStart(RuleRefused):
    code, template = "ERR_END_BEFORE_START", "终止日期 {end} 早于开始日期 {start}"

class EndInPast(RuleRefused):
    code, template = "ERR_END_IN_PAST", "终止日期 {end} 已过（今天 {today}）"

class ExclusiveFamily(RuleRefused):
    code, template = "ERR_EXCLUSIVE_FAMILY", "{psn_no} 已加入其他家庭共济组（每人只能加入一个）"

class FaceCheckFailed(RuleRefused):
    code, template = "ERR_FACE_CHECK_FAILED", "人脸识别未通过（缺少或不匹配的人脸核验凭据 face），转账未执行"

class FaceCheckRequired(RuleRefused):
    code, template = "ERR_FACE_CHECK_REQUIRED", "{role}须完成人脸识别（{policy}：{age}需人脸核验）"

class FamilyTooLarge(RuleRefused):
    code, template = "ERR_FAMILY_TOO_LARGE", "家庭共济成员（含{founder}）最多 {max_size} 人{after}"

class FunderNotEmployee(RuleRefused):
    code, template = "ERR_FUNDER_NOT_EMPLOYEE", "{role}须为职工医保参保人（有个人账户）"

class DischargeBeforeAdmission(RuleRefused):
    code, template = "ERR_DISCHARGE_BEFORE_ADMISSION", "出院时间 {endtime} 早于入院时间 {begntime}"

class FeeOutsideStay(RuleRefused):
    code, template = "ERR_FEE_OUTSIDE_STAY", "{here} 费用发生时间 fee_ocur_time {at} 不在住院期间（{begin} 至 {end}）"

class FunderNotNormal(RuleRefused):
    code, template = "ERR_FUNDER_NOT_NORMAL", "{role}参保状态异常，不能使用个人账户"

class GuardianExists(RuleRefused):
    code, template = "ERR_GUARDIAN_EXISTS", "{psn_no} 已在该亲情账户中"

class IdentityMismatch(RuleRefused):
    code, template = "ERR_IDENTITY_MISMATCH", "{detail}"

class InsufficientBalance(RuleRefused):
    code, template = "ERR_INSUFFICIENT_BALANCE", "{detail}"

class InsuplcMismatch(RuleRefused):
    code, template = "ERR_INSUPLC_MISMATCH", "参保地 insuplc_admdvs {insuplc_admdvs} 与人员参保地 {insuplc} 不一致"

class InsutypeMismatch(RuleRefused):
    code, template = "ERR_INSUTYPE_MISMATCH", "险种 {insutype} 与参保人险种 {insured} 不符"

class ListCodeRefused(RuleRefused):
    code, template = "ERR_LIST_CODE_REFUSED", "医保目录编码 {code} 不在有效期内（{window}），目录规定不得医保结算"

class MappingUnapproved(RuleRefused):
    code, template = ("ERR_MAPPING_UNAPPROVED",
                      "{here} 的本机构目录编码 {fixmedins_hilist_id} 目录对照{state}，不得医保结算（审核通过后再结算，或按自费商品销售）")

class MidSettlementRefused(RuleRefused):
    code, template = "ERR_MID_SETTLEMENT", "暂不支持中途结算（mid_setl_flag=1），请办理出院（2402）后结算"

class ModelDrawdown(RuleRefused):
    code, template = "ERR_MODEL_DRAWDOWN", "{policy} 采用共济绑定模式（按顺位使用共济人个人账户），不设家庭共济账户"

class ModelFamilyPool(RuleRefused):
    code, template = "ERR_MODEL_FAMILY_POOL", "{policy} 采用家庭共济账户模式：请由家庭创建人创建共济账户并邀请成员"

class NotAMember(RuleRefused):
    code, template = "ERR_NOT_A_MEMBER", "{psn_no} 不是本家庭共济账户成员"

class NotAMinor(RuleRefused):
    code, template = "ERR_NOT_A_MINOR", "{psn_no} 已满 {adult_age} 周岁（{age} 岁），请本人使用电子凭证"

class NotAParty(RuleRefused):
    code, template = "ERR_NOT_A_PARTY", "只有共济人或被共济人本人可以解除共济关系"

class NotBeneficiary(RuleRefused):
    code, template = "ERR_NOT_BENEFICIARY", "只有被共济人本人可以调整共济顺位"

class NotCreator(RuleRefused):
    code, template = "ERR_NOT_CREATOR", "只有家庭共济账户创建人可以办理此业务"

class NotGuardian(RuleRefused):
    code, template = "ERR_NOT_GUARDIAN", "{minor_psn_no} 不在 {guardian_psn_no} 的亲情账户中"

class NotInsured(RuleRefused):
    code, template = "ERR_NOT_INSURED", "参保人参保状态异常（{status}），不能{what}"

class NotReceiver(RuleRefused):
    code, template = "ERR_NOT_RECEIVER", "只有收款人本人可以确认收款"

class NotSignedIn(RuleRefused):
    code, template = "ERR_NOT_SIGNED_IN", "未签到：请先调用 9001 签到并在报文中携带 sign_no"

class NoAccount(RuleRefused):
    code, template = "ERR_NO_ACCOUNT", "{who}为居民医保参保人，没有个人账户"

class NoFeeLines(RuleRefused):
    code, template = "ERR_NO_FEE_LINES", "没有待结算的费用明细，请先上传（{upload}）"

class OriginalMismatch(RuleRefused):
    code, template = "ERR_ORIGINAL_MISMATCH", "原报文 {omsgid} 的人员编号与 psn_no {psn_no} 不符，不能冲正"

class OutOfScope(RuleRefused):
    code, template = "ERR_OUT_OF_SCOPE", "双方参保地（{insuplc}、{other_insuplc}）不在{scope}内，{policy} 政策不允许"

class PayplanMismatch(RuleRefused):
    code = "ERR_PAYPLAN_MISMATCH"
    template = "支付计划与平台计算不一致：第 {segment} 段 预期 {expected}，平台计算 {actual}（余额或共济关系可能已变化，请重新预结算）"

class PinMalformed(RequestRejected):
    code, template = "ERR_PIN_MALFORMED", "支付密码须为 6 位 ASCII 数字的 JSON 字符串（如 \"123456\"），转账未执行"

class PinWrong(RuleRefused):
    code, template = "ERR_PIN_WRONG", "支付密码错误，转账未执行"

class PoolDissolved(RuleRefused):
    code, template = "ERR_POOL_DISSOLVED", "家庭共济账户 {pool_id} 已解散"

class RankOutOfRange(RuleRefused):
    code, template = "ERR_RANK_OUT_OF_RANGE", "共济顺位 {rank} 超出范围（1–{max_funders}）"

class RankTaken(RuleRefused):
    code, template = "ERR_RANK_TAKEN", "共济顺位 {wanted} 已被占用"

class RelationNotAllowed(RuleRefused):
    code, template = "ERR_RELATION_NOT_ALLOWED", "{detail}"

class SelfBinding(RuleRefused):
    code, template = "ERR_SELF_BINDING", "{detail}"

class SelfTransfer(RuleRefused):
    code, template = "ERR_SELF_TRANSFER", "{detail}"

class SettlementMismatch(RuleRefused):
    code, template = "ERR_SETTLEMENT_MISMATCH", "结算ID 与{field} 不符"

class StayNotDischarged(RuleRefused):
    code, template = "ERR_STAY_NOT_DISCHARGED", "该住院尚未办理出院（2402），{then}"

class SignedOut(RuleRefused):
    code, template = "ERR_SIGNED_OUT", "该签到已签退，请重新签到（9001）"

class SigninExpired(RuleRefused):
    code, template = "ERR_SIGNIN_EXPIRED", "签到已过期（签到日期 {day}），请重新签到（9001）"

class TokenExpired(RuleRefused):
    code, template = "ERR_TOKEN_EXPIRED", "电子凭证令牌已过期（30 分钟），请重新扫码"

class TokenInvalid(RuleRefused):
    code, template = "ERR_TOKEN_INVALID", "电子凭证令牌 ecToken 无效，请重新扫码"

class TooManyFunders(RuleRefused):
    code, template = "ERR_TOO_MANY_FUNDERS", "被共济人最多绑定 {max_funders} 名共济人（{policy}）"

class TraceCountMismatch(RuleRefused):
    code, template = "ERR_TRACE_COUNT", "{detail}"

class TransferNotPending(RuleRefused):
    code, template = "ERR_TRANSFER_NOT_PENDING", "转账 {transfer_id} 已{state}，不能确认收款"

class VerificationRequired(RuleRefused):
    code, template = "ERR_VERIFICATION_REQUIRED", "{detail}"

class VisitMismatch(RuleRefused):
    code, template = "ERR_VISIT_MISMATCH", "就诊ID 与人员编号 psn_no 不属于同一人"

class WalletAmount(RuleRefused):
    code, template = "ERR_WALLET_AMOUNT", "单笔转账金额须大于 0 且不超过 {max_amount}（本次 {amount}）"

class WalletDailyLimit(RuleRefused):
    code, template = "ERR_WALLET_DAILY_LIMIT", "每人每天最多转账 {max_per_day} 笔"

class WalletExists(RuleRefused):
    code, template = "ERR_WALLET_EXISTS", "{psn_no} 已开通医保钱包"

class WalletInactive(RuleRefused):
    code, template = "ERR_WALLET_INACTIVE", "{role} {psn_no} 的医保钱包状态异常（{status}）"

class WalletNight(RuleRefused):
    code, template = "ERR_WALLET_NIGHT", "22:00 至次日 06:00 不能向医保钱包转账（平台时间 {now:%H:%M}）"

class WalletPending(RuleRefused):
    code, template = "ERR_WALLET_PENDING", "您有一笔转账尚待对方确认收款，确认或退回前不能再次转账"

class WalletRegionDisabled(RuleRefused):
    code, template = "ERR_WALLET_REGION_DISABLED", "参保地 {insuplc}（{policy}）未开通医保钱包"

class WalletUnknown(RuleRefused):
    code, template = "ERR_WALLET_UNKNOWN", "{who} 未开通医保钱包"

class WrongRevoke(RuleRefused):
    code, template = "ERR_WRONG_REVOKE", "该结算为{kind}结算，请使用对应的撤销交易"


# Conflict

class AlreadyRevoked(Conflict):
    code, template = "ERR_ALREADY_REVOKED", "结算 {setl_id} 已撤销或已冲正，不能重复撤销"

class AlreadySettled(Conflict):
    code, template = "ERR_ALREADY_SETTLED", "收费批次 {chrg_bchno} 的费用已结算，不能重复结算"

class BalanceChanged(Conflict):
    code, template = "ERR_BALANCE_CHANGED", "账户余额不足或已变化，交易未执行，请重新预结算"

class Duplicate(Conflict):
    code, template = "ERR_DUPLICATE", "重复的报文ID或单据（并发提交），交易未执行"

class DuplicateFeeLine(Conflict):
    code, template = "ERR_DUPLICATE_FEE_LINE", "{detail}"

class MsgidReused(Conflict):
    code, template = "ERR_MSGID_REUSED", "报文ID {msgid} 已使用，不能重复提交（未重复扣款）"

class MsgidReversed(Conflict):
    code, template = "ERR_MSGID_REVERSED", "报文 {msgid} 已被冲正（2601），迟到的原交易不予处理"

class TraceCodeSold(Conflict):
    code, template = "ERR_TRACE_CODE_SOLD", "药品追溯码 {code} 已在结算 {setl_id} 中销售，同一盒药不能再次销售"

class NotReversible(Conflict):
    code, template = "ERR_NOT_REVERSIBLE", "{detail}"

class StayCancelled(Conflict):
    code, template = "ERR_STAY_CANCELLED", "该住院已取消入院（2404）{then}"

class StayDischarged(Conflict):
    code, template = "ERR_STAY_DISCHARGED", "该住院已办理出院（{endtime}），{then}"

class StayOpen(Conflict):
    code, template = "ERR_STAY_OPEN", "参保人在本机构有未结算的住院（{mdtrt_id}），不能重复办理入院"

class StaySettled(Conflict):
    code, template = "ERR_STAY_SETTLED", "该住院已结算（{setl_id}），{then}"

class VisitCancelled(Conflict):
    code, template = "ERR_VISIT_CANCELLED", "该就诊已撤销挂号{then}"

class VisitHasSettlement(Conflict):
    code, template = "ERR_VISIT_HAS_SETTLEMENT", "该就诊存在未撤销的结算，请先撤销结算（2208）"


# AuthRejected

class AdminToken(AuthRejected):
    code, template = "ERR_ADMIN_TOKEN", "管理接口需要管理员令牌（Authorization: Bearer <token>）"

class LoginFailed(AuthRejected):
    code, template = "ERR_LOGIN_FAILED", "登录失败：账号或密码错误"

class LoginLocked(AuthRejected):
    code, template = "ERR_LOGIN_LOCKED", "密码错误次数过多，该账号已锁定，请 {minutes} 分钟后再试"
    status = 429

class LoginRequired(AuthRejected):
    code, template = "ERR_LOGIN_REQUIRED", "请先登录（POST /app/login，携带 Authorization: Bearer <token>）"

class NotAPerson(Forbidden):
    code, template = "ERR_NOT_A_PERSON", "该操作须由参保人本人登录后办理"

class TifInstitution(AuthRejected):
    code, template = "ERR_TIF_INSTITUTION", "网关鉴权失败：paasid {paasid} 无权代表定点医药机构 {fixmedins_code}"

class TifMissing(AuthRejected):
    code, template = "ERR_TIF_MISSING", "网关鉴权失败：缺少 x-tif-paasid/timestamp/nonce/signature 请求头"

class TifNonce(AuthRejected):
    code, template = "ERR_TIF_NONCE", "网关鉴权失败：nonce {problem}"

class TifPaasid(AuthRejected):
    code, template = "ERR_TIF_PAASID", "网关鉴权失败：未知的 paasid"

class TifSignature(AuthRejected):
    code, template = "ERR_TIF_SIGNATURE", "网关鉴权失败：签名错误"

class TifStale(AuthRejected):
    code, template = "ERR_TIF_STALE", "网关鉴权失败：时间戳无效或过期（Unix 秒，与服务器时间相差不超过 300 秒）"


# DecodeRefused

class BadBusinessType(DecodeRefused):
    code, template = "ERR_BAD_BUSINESS_TYPE", "业务类型 businessType {business_type!r} 无效（01101/01301/02121）"
    decode_number = 6

class CodeExpired(DecodeRefused):
    code, template = "ERR_CODE_EXPIRED", "电子凭证二维码已过期，请患者刷新二维码后重试"
    decode_number = 2

class CodeUnknown(DecodeRefused):
    code, template = "ERR_CODE_UNKNOWN", "电子凭证二维码无效，请患者刷新二维码后重试"
    decode_number = 4

class CodeUsed(DecodeRefused):
    code, template = "ERR_CODE_USED", "电子凭证二维码已使用，请患者刷新二维码后重试"
    decode_number = 3

class NotAnInsuranceCode(DecodeRefused):
    code, template = "ERR_NOT_AN_INSURANCE_CODE", "请使用医保电子凭证二维码"
    decode_number = 1
