"""The stay rules of the audit (docs/audit.md "Scope" and the four stay rules): each stay's state replayed from
the institution's own journal, independently of the platform's refusals, and each stay request judged against
the state its stay was in when the request arrived.

A request changes a stay when the platform ran it: answered `ok`, or committed and then dropped
(`drop_after_commit`). A 2601 that reverses a 2304 puts the stay back to discharged; one that reverses a 2305
puts the settlement back. Stays are those this institution admitted (2401 `result.mdtrt_id`); a request naming
any other mdtrt_id finds no stay.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from simulator.audit.checks import Context, Findings
from simulator.audit.exchanges import Exchange

STAY_STEPS = ("2401", "2402", "2403", "2404", "2405", "2301", "2302", "2303", "2304", "2305")
STAY_MONEY = ("2304", "2305")
_NODES = ("data", "dscginfo", "adminfo", "mdtrtinfo")
_STATE_ZH = {"admitted": "在院", "discharged": "已出院", "settled": "已结算", "cancelled": "已取消入院"}


def is_stay_request(x: Exchange) -> bool:
    """A request of the stay flow: a stay step, a 2601 of a stay's money request, a clr_type 21 reconciliation."""
    if x.infno in STAY_STEPS:
        return True
    if x.infno == "2601":
        return x.text("oinfno") in STAY_MONEY
    return x.infno in ("3201", "3202") and x.text("clr_type") == "21"


def stay_node(x: Exchange) -> dict[str, Any]:
    """The input node naming the stay: `data`, `dscginfo`, `adminfo`, or the first 2301 `feedetail` line."""
    lines = x.input.get("feedetail")
    if isinstance(lines, list):
        return lines[0] if lines and isinstance(lines[0], dict) else {}
    for key in _NODES:
        node = x.input.get(key)
        if isinstance(node, dict):
            return node
    return {}


def mdtrt_of(x: Exchange) -> str:
    return str(stay_node(x).get("mdtrt_id") or "")


@dataclass(frozen=True)
class Stay:
    """A stay as the journal shows it: its state, the msgid that put it there, its settlement when settled."""

    mdtrt_id: str
    state: str  # admitted | discharged | settled | cancelled
    by: str  # msgid of the request that made this state
    admitted_by: str
    settled_by: str = ""  # msgid of the 2304 in effect
    setl_id: str = ""
    revoked_by: str = ""  # msgid of the last 2305 (or the 2601 reversing the 2304) that unsettled it


@dataclass(frozen=True)
class Step:
    """One judged stay request and its stay just before it arrived (None: no stay of this institution)."""

    request: Exchange
    stay: Stay | None


def _took_effect(x: Exchange) -> bool:
    return x.ok or x.fault == "drop_after_commit"


def _stay_id(x: Exchange) -> str:
    if x.infno == "2401":
        result = x.output.get("result")
        return str(result.get("mdtrt_id") or "") if isinstance(result, dict) else ""
    return mdtrt_of(x)


def _after(stay: Stay | None, x: Exchange, stays: dict[str, Stay]) -> Stay | None:
    """The stay once `x` took effect."""
    if x.infno == "2401":
        mdtrt_id = _stay_id(x)
        return Stay(mdtrt_id, "admitted", x.msgid, x.msgid) if mdtrt_id else None
    if x.infno == "2601":
        return _reversed(x, stays)
    if stay is None:
        return None
    moves = {"2402": "discharged", "2404": "cancelled", "2405": "admitted"}
    if x.infno in moves:
        return replace(stay, state=moves[x.infno], by=x.msgid)
    if x.infno == "2304":
        return replace(stay, state="settled", by=x.msgid, settled_by=x.msgid, setl_id=x.setl_id)
    if x.infno == "2305":
        return replace(stay, state="discharged", by=x.msgid, revoked_by=x.msgid)
    return stay


def _reversed(x: Exchange, stays: dict[str, Stay]) -> Stay | None:
    """A 2601 undoing a 2304 (the stay is discharged again) or a 2305 (settled again)."""
    omsgid = x.text("omsgid")
    for stay in stays.values():
        if x.text("oinfno") == "2304" and stay.state == "settled" and stay.settled_by == omsgid:
            return replace(stay, state="discharged", by=x.msgid, revoked_by=x.msgid)
        if x.text("oinfno") == "2305" and stay.state == "discharged" and stay.revoked_by == omsgid:
            return replace(stay, state="settled", by=x.msgid)
    return None


def stay_steps(ctx: Context) -> list[Step]:
    """Every judged stay step with its stay as it was when the step arrived (the whole history replayed)."""
    stays: dict[str, Stay] = {}
    steps = []
    for x in ctx.history:
        if x.infno not in STAY_STEPS and not (x.infno == "2601" and x.text("oinfno") in STAY_MONEY):
            continue
        stay = stays.get(_stay_id(x)) if x.infno != "2401" else None
        if x.infno in STAY_STEPS and (ctx.since is None or x.at >= ctx.since):
            steps.append(Step(x, stay))
        if _took_effect(x):
            changed = _after(stay, x, stays)
            if changed is not None:
                stays[changed.mdtrt_id] = changed
    return steps


def _where(stay: Stay | None, mdtrt_id: str) -> tuple[str, tuple[str, ...]]:
    """What the stay was (in Chinese) and the msgid that made it so."""
    if stay is None:
        return f"住院 {mdtrt_id or '（空）'} 不是本机构入院登记（2401）的住院", ()
    return f"住院 {mdtrt_id} {_STATE_ZH[stay.state]}（{stay.by}）", (stay.by,)


def admit_before_fees(ctx: Context) -> Findings:
    """2301 only for a stay this institution admitted that is in hospital (not cancelled, discharged or settled)."""
    found = Findings()
    for step in stay_steps(ctx):
        x = step.request
        if x.infno != "2301":
            continue
        said, origin = _where(step.stay, mdtrt_of(x))
        if step.stay is not None and step.stay.state == "admitted":
            found.ok(f"2301 上传费用时{said}", x.msgid, step.stay.admitted_by)
        else:
            found.breach(f"2301 上传费用，但{said}", x.msgid, *origin)
    return found


def discharge_before_settle(ctx: Context) -> Findings:
    """2303/2304 only for a stay this institution discharged (2402, not cancelled by 2405)."""
    found = Findings()
    for step in stay_steps(ctx):
        x = step.request
        if x.infno not in ("2303", "2304"):
            continue
        said, origin = _where(step.stay, mdtrt_of(x))
        if step.stay is not None and step.stay.state in ("discharged", "settled"):
            found.ok(f"{x.infno} 在出院办理之后：{said}", x.msgid, *origin)
        else:
            found.breach(f"{x.infno} 结算，但尚未出院：{said}", x.msgid, *origin)
    return found


def settle_once(ctx: Context) -> Findings:
    """No 2304 for a stay whose settlement is in effect (not revoked by 2305 nor reversed by 2601)."""
    found = Findings()
    for step in stay_steps(ctx):
        x, stay = step.request, step.stay
        if x.infno != "2304" or stay is None or stay.state not in ("discharged", "settled"):
            continue
        if stay.state == "settled":
            found.breach(f"住院 {stay.mdtrt_id} 已由 {stay.settled_by} 结算（{stay.setl_id or '结果未知'}），"
                         f"未撤销（2305）或冲正（2601）又发送 2304", x.msgid, stay.settled_by)
        elif stay.revoked_by:
            found.ok(f"住院 {stay.mdtrt_id} 的结算已撤销或冲正（{stay.revoked_by}）后再次结算", x.msgid, stay.revoked_by)
        else:
            found.ok(f"住院 {stay.mdtrt_id} 首次结算", x.msgid)
    return found


def revoke_before_cancel_discharge(ctx: Context) -> Findings:
    """2405 only for a discharged stay whose settlement was revoked (or reversed) or never made."""
    found = Findings()
    for step in stay_steps(ctx):
        x, stay = step.request, step.stay
        if x.infno != "2405" or stay is None or stay.state not in ("discharged", "settled"):
            continue
        if stay.state == "settled":
            found.breach(f"住院 {stay.mdtrt_id} 的结算 {stay.setl_id or stay.settled_by} 未撤销（2305）就撤销出院",
                         x.msgid, stay.settled_by)
        elif stay.revoked_by:
            found.ok(f"住院 {stay.mdtrt_id} 的结算已撤销（{stay.revoked_by}）后撤销出院", x.msgid, stay.revoked_by)
        else:
            found.ok(f"住院 {stay.mdtrt_id} 未结算即撤销出院", x.msgid)
    return found
