"""How each rule of the catalogue (`rules.py`) is checked against one institution's traffic.

Every check returns what it looked at (`seen`) and what broke the rule (`breaches`), each as evidence
naming the msgids involved: nothing seen = not exercised; any breach = fail; otherwise pass. Requests
before `--since` give context (a revoke may name an earlier settlement) but are not judged.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from simulator.audit.exchanges import (
    MONEY,
    PRESETTLE_OF,
    REVOKED_BY,
    REVOKES,
    SETTLES,
    Exchange,
    amount_of,
    msgid_well_formed,
)


@dataclass(frozen=True)
class Evidence:
    """The msgids a finding rests on and a sentence (Chinese) saying what was seen."""

    msgids: tuple[str, ...]
    note: str


@dataclass
class Findings:
    seen: list[Evidence] = field(default_factory=list)
    breaches: list[Evidence] = field(default_factory=list)

    def ok(self, note: str, *msgids: str) -> None:
        self.seen.append(Evidence(tuple(msgids), note))

    def breach(self, note: str, *msgids: str) -> None:
        self.breaches.append(Evidence(tuple(msgids), note))


@dataclass(frozen=True)
class Context:
    institution: str
    history: tuple[Exchange, ...]  # every request of the institution, in arrival order
    since: datetime | None
    now: datetime  # the platform clock when the audit ran
    resolve_within: float  # seconds allowed to resolve a lost money request

    def judged(self) -> list[Exchange]:
        return [x for x in self.history if self.since is None or x.at >= self.since]

    def after(self, first: Exchange) -> list[Exchange]:
        return [x for x in self.history if x.id > first.id]


Check = Callable[[Context], Findings]


def sign_in_first(ctx: Context) -> Findings:
    found, signed_days = Findings(), set()
    for x in ctx.history:
        if x.infno == "9001":
            if x.ok:
                signed_days.add(x.day)
            continue
        if ctx.since is not None and x.at < ctx.since:
            continue
        if x.day in signed_days:
            found.ok(f"{x.infno} 在当日签到之后", x.msgid)
        else:
            found.breach(f"{x.infno} 发送于 {x.day} 当日签到（9001）之前", x.msgid)
    return found


def sign_no_current(ctx: Context) -> Findings:
    found: Findings = Findings()
    issued: dict[str, tuple[str, str]] = {}  # sign_no -> (day, 9001 msgid)
    signed_out: dict[str, str] = {}  # sign_no -> 9002 msgid
    for x in ctx.history:
        if x.infno == "9001":
            node = x.output.get("signinoutb") or {}
            if x.ok and node.get("sign_no"):
                issued[str(node["sign_no"])] = (x.day, x.msgid)
                signed_out.pop(str(node["sign_no"]), None)
            continue
        judged = ctx.since is None or x.at >= ctx.since
        if judged and any(day == x.day for day, _ in issued.values()):
            origin = issued.get(x.sign_no)
            if origin is None:
                found.breach(f"{x.infno} 的签到编号 sign_no {x.sign_no or '（空）'} 不是本机构签到所得", x.msgid)
            elif origin[0] != x.day:
                found.breach(f"{x.infno} 使用 {origin[0]} 的签到编号（已过期）", x.msgid, origin[1])
            elif x.sign_no in signed_out:
                found.breach(f"{x.infno} 使用已签退的签到编号", x.msgid, signed_out[x.sign_no])
            else:
                found.ok(f"{x.infno} 使用当日有效签到编号", x.msgid)
        if x.infno == "9002" and x.ok:
            signed_out[x.text("sign_no") or x.sign_no] = x.msgid
    return found


def msgid_format(ctx: Context) -> Findings:
    found = Findings()
    for x in ctx.judged():
        if msgid_well_formed(x.msgid, ctx.institution):
            found.ok("格式正确", x.msgid)
        else:
            found.breach(f"报文ID {x.msgid or '（空）'} 不是 机构编码+yyyyMMddHHmmss+4位顺序号", x.msgid)
    return found


def msgid_unique(ctx: Context) -> Findings:
    found: Findings = Findings()
    first: dict[str, Exchange] = {}
    for x in ctx.history:
        if x.msgid in first and (ctx.since is None or x.at >= ctx.since):
            found.breach(f"报文ID 重复使用（{first[x.msgid].infno} 与 {x.infno}）", x.msgid)
        elif ctx.since is None or x.at >= ctx.since:
            found.ok("首次使用", x.msgid)
        first.setdefault(x.msgid, x)
    return found


def msgid_order(ctx: Context) -> Findings:
    found, last = Findings(), ""
    for x in ctx.history:
        if not msgid_well_formed(x.msgid, ctx.institution):
            continue
        if ctx.since is None or x.at >= ctx.since:
            if x.msgid > last:
                found.ok("大于之前的报文ID", x.msgid)
            elif x.msgid != last:
                found.breach(f"报文ID 小于此前已用的 {last}", x.msgid, last)
        last = max(last, x.msgid)
    return found


_PRE_AMOUNTS = ("fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt")


def presettle_first(ctx: Context) -> Findings:
    found = Findings()
    for x in ctx.judged():
        if x.infno not in SETTLES:
            continue
        pre_infno = PRESETTLE_OF[x.infno]
        key = "psn_no" if x.infno == "2102" else "mdtrt_id"
        # A pre-settlement licenses one settlement: it must come after the previous settlement that went
        # through (or whose reply was lost) for the same person / visit.
        used = max((s.id for s in ctx.history if s.id < x.id and s.infno == x.infno and (s.ok or s.lost)
                    and s.text(key) == x.text(key)), default=0)
        earlier = [p for p in ctx.history if used < p.id < x.id and p.infno == pre_infno and p.ok
                   and p.text(key) == x.text(key)]
        if not earlier:
            found.breach(f"{x.infno} 之前没有同一{'人员' if key == 'psn_no' else '就诊'}的预结算 {pre_infno}", x.msgid)
            continue
        pre = earlier[-1]
        if pre.amount("medfee_sumamt") != x.amount("medfee_sumamt"):
            found.breach(f"{x.infno} 医疗费总额 {x.text('medfee_sumamt')} ≠ 预结算 {pre.text('medfee_sumamt')}",
                         x.msgid, pre.msgid)
            continue
        info = pre.output.get("setlinfo") or {}
        differing = [k for k in _PRE_AMOUNTS if x.infno != "2102"
                     and amount_of(x.data().get(k)) != amount_of(info.get(k))]
        if differing:
            found.breach(f"{x.infno} 的 {', '.join(differing)} 与 {pre_infno} 应答不符", x.msgid, pre.msgid)
        else:
            found.ok(f"预结算 {pre_infno} 在先，金额一致", x.msgid, pre.msgid)
    return found


def _payplan(x: Exchange) -> list[tuple[str, Decimal]] | None:
    import json

    raw = x.data().get("exp_content", x.data().get("expContent"))
    if isinstance(raw, str) and raw.strip():
        try:
            raw = json.loads(raw, parse_float=Decimal)
        except ValueError:
            return None
    plan = raw.get("payplan") if isinstance(raw, dict) else None
    if not isinstance(plan, list):
        return None
    legs = [(str(leg.get("source")), amount_of(leg.get("amount"))) for leg in plan if isinstance(leg, dict)]
    return sorted((s, a) for s, a in legs if a is not None and a != 0)


def payplan_honoured(ctx: Context) -> Findings:
    found = Findings()
    for x in ctx.judged():
        if x.infno not in SETTLES or not x.ok:
            continue
        plan = _payplan(x)
        if plan is None:
            found.breach(f"{x.infno} 未附收银员确认的支付计划 exp_content.payplan", x.msgid)
            continue
        legs = x.output.get("payleg") or []
        settled = sorted((str(leg.get("source")), a) for leg in legs if isinstance(leg, dict)
                         and (a := amount_of(leg.get("amount"))) is not None and a != 0)
        if settled == plan:
            found.ok(f"结算的 {len(plan)} 个支付项与支付计划一致", x.msgid)
        else:
            found.breach(f"结算的支付项 {settled} 与支付计划 {plan} 不符", x.msgid)
    return found


def _resolution(ctx: Context, lost: Exchange, revoked_setl_id: str) -> Exchange | None:
    for later in ctx.after(lost):
        if later.infno == "2601" and later.ok and later.text("omsgid") == lost.msgid:
            return later
        if later.infno == "5203" and later.ok and revoked_setl_id and later.text("setl_id") == revoked_setl_id:
            return later
    return None


def _lost_money(ctx: Context) -> list[Exchange]:
    return [x for x in ctx.judged() if x.infno in MONEY and x.lost]


def unknown_resolved(ctx: Context) -> Findings:
    found = Findings()
    for lost in _lost_money(ctx):
        target = lost.text("setl_id") if lost.infno in REVOKES else ""
        done = _resolution(ctx, lost, target)
        if done is None:
            found.breach(f"{lost.infno} 的应答丢失（故障 {lost.fault}）后未见 2601 冲正或 5203 查询", lost.msgid)
            continue
        waited = (done.at - lost.at).total_seconds()
        if waited > ctx.resolve_within:
            found.breach(f"{lost.infno} 应答丢失后 {waited:.0f} 秒才以 {done.infno} 处理（上限 "
                         f"{ctx.resolve_within:.0f} 秒）", lost.msgid, done.msgid)
        else:
            found.ok(f"{lost.infno} 应答丢失（{lost.fault}）后 {waited:.1f} 秒内以 {done.infno} 处理", lost.msgid,
                     done.msgid)
    return found


def no_resettle(ctx: Context) -> Findings:
    found = Findings()
    for lost in _lost_money(ctx):
        if lost.infno not in SETTLES:
            continue
        done = _resolution(ctx, lost, "")
        again = [x for x in ctx.after(lost) if x.infno in SETTLES and x.psn_no == lost.psn_no
                 and (done is None or x.id < done.id)]
        if again:
            found.breach(f"结果未知的 {lost.infno} 尚未处理就再次结算同一人员", lost.msgid, *(x.msgid for x in again))
        else:
            found.ok("结果未知的结算处理之前没有再次结算", lost.msgid)
    return found


def revoke_target(ctx: Context) -> Findings:
    found = Findings()
    settled: dict[str, Exchange] = {}
    undone: dict[str, str] = {}  # setl_id -> msgid of the revoke / reversal that ended it
    for x in ctx.history:
        if x.infno in SETTLES and x.ok and x.setl_id:
            settled[x.setl_id] = x
        if x.infno == "2601" and x.ok:
            for settled_id, settle in settled.items():
                if settle.msgid == x.text("omsgid"):
                    undone.setdefault(settled_id, x.msgid)
        if x.infno not in REVOKES or (ctx.since is not None and x.at < ctx.since):
            if x.infno in REVOKES and x.ok:
                undone.setdefault(x.text("setl_id"), x.msgid)
            continue
        setl_id = x.text("setl_id")
        origin = settled.get(setl_id)
        expected = REVOKED_BY[x.infno]
        if origin is None:
            found.breach(f"{x.infno} 撤销的结算 {setl_id or '（空）'} 不是本机构此前成功的结算", x.msgid)
        elif origin.infno != expected:
            found.breach(f"{x.infno} 不能撤销 {origin.infno} 的结算", x.msgid, origin.msgid)
        elif origin.psn_no != x.psn_no or (x.text("mdtrt_id") != str(
                (origin.output.get("setlinfo") or {}).get("mdtrt_id") or "")):
            found.breach(f"{x.infno} 的人员编号或就诊ID与原结算不符", x.msgid, origin.msgid)
        elif setl_id in undone:
            found.breach(f"{x.infno} 撤销的结算已被撤销或冲正", x.msgid, undone[setl_id])
        else:
            found.ok(f"{x.infno} 撤销本机构的结算 {setl_id}", x.msgid, origin.msgid)
        if x.ok:
            undone.setdefault(setl_id, x.msgid)
    return found


def _period(x: Exchange) -> tuple[str, str, str, str]:
    return (x.text("clr_type"), x.text("setl_optins"), x.text("stmt_begndate")[:10], x.text("stmt_enddate")[:10])


def dayend_totals(ctx: Context) -> Findings:
    found = Findings()
    for x in ctx.judged():
        if x.infno != "3201" or not x.ok:
            continue
        info = x.output.get("stmtinfo") or {}
        if str(info.get("stmt_rslt")) == "0":
            found.ok(f"3201 {'/'.join(_period(x))} 总额与平台一致", x.msgid)
        else:
            found.breach(f"3201 总额与平台不符：{info.get('stmt_rslt_dscr') or info.get('stmt_rslt')}", x.msgid)
    return found


def dayend_detail(ctx: Context) -> Findings:
    found = Findings()
    for x in ctx.judged():
        if x.infno != "3201" or not x.ok:
            continue
        period = _period(x)
        detail = next((d for d in ctx.after(x) if d.infno == "3202" and d.ok and _period(d) == period), None)
        balanced = str((x.output.get("stmtinfo") or {}).get("stmt_rslt")) == "0"
        if detail is not None:
            found.ok("3201 之后发送了 3202 明细对账", x.msgid, detail.msgid)
        elif balanced:
            found.ok("3201 平账，无须 3202", x.msgid)
        else:
            found.breach("3201 不平，之后没有发送同一期间的 3202 明细对账", x.msgid)
    return found


def sign_out(ctx: Context) -> Findings:
    found = Findings()
    used: dict[str, Exchange] = {}  # sign_no -> last business request on it
    for x in ctx.history:
        if x.infno not in ("9001", "9002") and x.ok and x.sign_no:
            used[x.sign_no] = x
    for sign_no, last in used.items():
        if ctx.since is not None and last.at < ctx.since:
            continue
        signed_out = next((o for o in ctx.after(last) if o.infno == "9002" and o.ok
                           and (o.text("sign_no") or o.sign_no) == sign_no), None)
        if signed_out is not None:
            found.ok(f"签到编号 {sign_no} 的业务结束后签退", last.msgid, signed_out.msgid)
            continue
        day_over = ctx.now.date() > last.at.date() or any(
            d.infno == "3201" and d.ok and d.day == last.day for d in ctx.history)
        if day_over:
            found.breach(f"签到编号 {sign_no} 在 {last.day} 日终（对账或日切）后没有签退 9002", last.msgid)
    return found


_CERTNO = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


TRACE_REFUSALS = ("ERR_TRACE_COUNT", "ERR_BAD_TRACE_CODE")


def trace_codes(ctx: Context) -> Findings:
    """A fee-line request refused for missing or malformed codes is a breach; an accepted one whose split
    lines say `trac_rqr_flag` 1 shows the rule kept."""
    found = Findings()
    for x in ctx.judged():
        if x.infno not in ("2101", "2102", "2204"):
            continue
        if x.err_code in TRACE_REFUSALS:
            found.breach(f"{x.infno} 的须追溯药品未附齐或附错药品追溯码（{x.err_code}）", x.msgid)
            continue
        if not x.ok:
            continue
        rows = x.output.get("detlcutinfo") or x.output.get("result") or []
        traced = [r for r in rows if isinstance(r, dict) and r.get("trac_rqr_flag") == "1"]
        if traced:
            found.ok(f"{x.infno} 的 {len(traced)} 行须追溯药品均附药品追溯码", x.msgid)
    return found


def _is_certno(text: str) -> bool:
    try:
        born = date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return False
    return 1900 <= born.year <= 2100


def _full_certnos(node: object, infno: str, path: str, allowed: bool = False) -> list[str]:
    """Paths of string values holding a full ID number where the protocol does not ask for one."""
    if isinstance(node, dict):
        out = []
        for key, value in node.items():
            needs = (key == "mdtrt_cert_no" and str(node.get("mdtrt_cert_type")) == "02") or (
                key == "certno" and infno == "1101")
            out += _full_certnos(value, infno, f"{path}.{key}", needs)
        return out
    if isinstance(node, list):
        return [hit for i, item in enumerate(node) for hit in _full_certnos(item, infno, f"{path}[{i}]")]
    if isinstance(node, str) and not allowed:
        return [path for m in _CERTNO.finditer(node) if _is_certno(m.group(0))]
    return []


def no_full_certno(ctx: Context) -> Findings:
    found = Findings()
    for x in ctx.judged():
        hits = _full_certnos(x.input, x.infno, "input")
        if hits:
            found.breach(f"{x.infno} 在 {', '.join(hits)} 中发送了完整身份证号", x.msgid)
        else:
            found.ok(f"{x.infno} 没有多余的完整身份证号", x.msgid)
    return found
