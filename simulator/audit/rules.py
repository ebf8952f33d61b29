"""The conformance rule catalogue: every rule a till is audited against, in one place.

Each rule has a stable id (reports and diffs key on it; never renumber), a Chinese and an English
statement, its check (`checks.py`, the stay rules in `stays.py`) and its scope: `every` till, or only a till whose
traffic has stays (`stay`, docs/audit.md "Scope"). docs/audit.md lists the same rules; a test keeps the two equal.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulator.audit import checks, stays
from simulator.audit.checks import Check


@dataclass(frozen=True)
class Rule:
    id: str
    zh: str
    en: str
    check: Check
    scope: str = "every"  # every | stay (SCOPES)


SCOPES = {"every": "每个收银机 every till", "stay": "有住院业务的收银机 a till with stays"}


RULES: tuple[Rule, ...] = (
    Rule("SIGNIN-FIRST",
         "当日首笔业务之前须先签到（9001）。",
         "The till signs in (9001) before any business of the day.",
         checks.sign_in_first),
    Rule("SIGNNO-CURRENT",
         "每笔业务使用当日签到所得、尚未签退的签到编号 sign_no。",
         "Every request carries the sign_no of the day's sign-in, not an old or signed-out one.",
         checks.sign_no_current),
    Rule("MSGID-FORMAT",
         "报文ID msgid 为 定点机构编号 + yyyyMMddHHmmss + 4 位顺序号。",
         "Every msgid is the institution code + yyyyMMddHHmmss + a 4-digit sequence number.",
         checks.msgid_format),
    Rule("MSGID-UNIQUE",
         "报文ID 不重复使用（含被拒绝与应答丢失的报文）。",
         "No msgid is used twice (refused and lost requests included).",
         checks.msgid_unique),
    Rule("MSGID-ORDER",
         "同一机构的报文ID 按发送顺序严格递增。",
         "An institution's msgids strictly increase in the order they arrive.",
         checks.msgid_order),
    Rule("PRESETTLE-FIRST",
         "结算（2102/2207/2304）之前须有同一人员/就诊的预结算（2101/2206/2303），且金额一致。",
         "Each settlement (2102/2207/2304) follows a pre-settlement (2101/2206/2303) of the same person, visit or "
         "stay with matching amounts.",
         checks.presettle_first),
    Rule("PAYPLAN-HONOURED",
         "结算附带收银员确认的支付计划 exp_content.payplan，结算的支付项与之完全一致。",
         "Each settlement carries the payplan the cashier confirmed (exp_content.payplan), and the settled "
         "legs equal it.",
         checks.payplan_honoured),
    Rule("UNKNOWN-RESOLVED",
         "资金交易应答丢失（丢失应答、提交后断开）后，收银机在时限内以 2601 冲正或 5203 查询确定结果。",
         "After a money request's reply is lost (lost reply, commit-then-drop), the till resolves the "
         "outcome with 2601 or 5203 within the allowed time.",
         checks.unknown_resolved),
    Rule("NO-RESETTLE",
         "结果未知的结算处理之前，不得再次结算同一人员（不重复扣款）。",
         "A settlement whose outcome is unknown is resolved before the same person is settled again "
         "(never a second debit).",
         checks.no_resettle),
    Rule("REVOKE-TARGET",
         "撤销（2103/2208/2305）指向本机构此前成功、尚未撤销或冲正的结算，类型、人员与就诊ID一致。",
         "Each revoke (2103/2208/2305) names a settlement this institution made, of the right kind, person and "
         "visit, not already revoked or reversed.",
         checks.revoke_target),
    Rule("ADMIT-FIRST",
         "住院费用（2301）只上传到本机构已入院登记（2401）、在院的住院：未取消入院、未出院、未结算。",
         "Stay fees (2301) go only to a stay this institution admitted (2401) that is in hospital: not cancelled, "
         "discharged or settled.",
         stays.admit_before_fees, "stay"),
    Rule("DISCHARGE-FIRST",
         "住院预结算与结算（2303/2304）只在出院办理（2402）之后。",
         "A stay is pre-settled and settled (2303/2304) only after its discharge (2402).",
         stays.discharge_before_settle, "stay"),
    Rule("SETTLE-ONCE",
         "已结算的住院不再结算（2304），除非其结算已撤销（2305）或冲正（2601）。",
         "A settled stay is not settled again (2304) unless its settlement was revoked (2305) or reversed (2601).",
         stays.settle_once, "stay"),
    Rule("REVOKE-FIRST",
         "撤销出院（2405）之前须先撤销住院结算（2305）；未结算的出院可直接撤销。",
         "A discharge is cancelled (2405) only once its settlement is revoked (2305), or when it was never settled.",
         stays.revoke_before_cancel_discharge, "stay"),
    Rule("DAYEND-TOTALS",
         "日终 3201 对总账的金额与笔数与平台一致。",
         "The day-end 3201 totals equal the platform's.",
         checks.dayend_totals),
    Rule("DAYEND-DETAIL",
         "3201 不平时，须发送同一期间的 3202 明细对账。",
         "When 3201 totals differ, the till sends 3202 detail reconciliation for the same period.",
         checks.dayend_detail),
    Rule("SIGNOUT",
         "日终（对账之后或日切）每个用过的签到编号都须签退（9002）。",
         "Every sign_no used for business is signed out (9002) at day end (after reconciliation, or once "
         "the day is over).",
         checks.sign_out),
    Rule("TRACE-CODES",
         "须追溯的药品（目录 trac_rqr_flag 1）每一行都附带药品追溯码，一盒一码（drugtracinfo）。",
         "Every line of a drug that must be traced (catalogue trac_rqr_flag 1) carries its traceability codes, "
         "one per box (drugtracinfo).",
         checks.trace_codes),
    Rule("NO-FULL-CERTNO",
         "协议不需要处不发送完整身份证号（仅 1101 的 certno 与凭证类型 02 的 mdtrt_cert_no 可以）。",
         "No full ID number is sent where the protocol does not need it (only 1101 certno and mdtrt_cert_no "
         "with certificate type 02).",
         checks.no_full_certno),
)

BY_ID = {rule.id: rule for rule in RULES}
