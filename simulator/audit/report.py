"""Build, render and compare conformance reports (format `yibao-audit/1`).

A report never passes on nothing (docs/audit.md "Verdict"): an institution code of the wrong shape and an
institution with no request in the window are refused, and a rule the traffic did not exercise makes the
verdict `incomplete` unless the tester waived that rule by name. A rule whose scope the traffic does not touch
(the stay rules for a till with no stay request in the window) is `not_applicable`: neither passed nor missing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from simulator.audit.checks import Context, Evidence
from simulator.audit.exchanges import exchange_of
from simulator.audit.rules import RULES, SCOPES
from simulator.audit.stays import is_stay_request
from simulator.domain.refusals import AuditNoTraffic, BadAuditRule, BadInstitutionCode

FORMAT = "yibao-audit/1"
DEFAULT_RESOLVE_WITHIN = 600.0  # seconds: a lost money request must be resolved within this
SHOWN = 3  # evidence msgids per passing rule in the table
# fixmedins_code: one upper-case letter (H medical institution, P pharmacy) and 11 digits (docs/protocol.md §2)
INSTITUTION_CODE = re.compile(r"[A-Z][0-9]{11}\Z", re.ASCII)
VERDICTS = ("pass", "fail", "incomplete")


def check_institution(code: str) -> str:
    """The institution code as given, if it has the documented shape; BadInstitutionCode otherwise."""
    if not INSTITUTION_CODE.match(code):
        raise BadInstitutionCode(fixmedins_code=code)
    return code


def waived_rules(names: Iterable[str]) -> tuple[str, ...]:
    """Rule ids the tester accepts as not exercised (`--waive A,B`), each a catalogue id; in catalogue order."""
    asked = {n.strip() for name in names for n in name.split(",") if n.strip()}
    known = [rule.id for rule in RULES]
    for name in sorted(asked - set(known)):
        raise BadAuditRule(rule=name, known=", ".join(known))
    return tuple(rule_id for rule_id in known if rule_id in asked)


def _evidence(items: list[Evidence]) -> list[dict[str, Any]]:
    return [{"msgids": list(e.msgids), "note": e.note} for e in items]


def build_report(rows: list[dict[str, Any]], institution: str, *, now: datetime, since: datetime | None = None,
                 resolve_within: float = DEFAULT_RESOLVE_WITHIN, waive: Iterable[str] = ()) -> dict[str, Any]:
    """Check every rule against the institution's journal rows (`TrafficLog.rows`).

    Refused: a malformed institution code, an unknown rule in `waive`, no request of the institution in
    the window (AuditNoTraffic). A waived rule that was not exercised counts as `waived`, not against the
    verdict; a waived rule the traffic did exercise is judged as usual."""
    check_institution(institution)
    waived = waived_rules(waive)
    history = tuple(exchange_of(r) for r in rows if r["kind"] == "request" and r["fixmedins_code"] == institution)
    ctx = Context(institution, history, since, now, resolve_within)
    judged = len(ctx.judged())
    if not judged:
        window = f"自 {since.isoformat(sep=' ')} 起" if since else ""
        raise AuditNoTraffic(fixmedins_code=institution, window=window)
    scopes = {"every": True, "stay": any(is_stay_request(x) for x in ctx.judged())}
    results = []
    for rule in RULES:
        found = rule.check(ctx)
        status = ("fail" if found.breaches else "pass" if found.seen else
                  "not_applicable" if not scopes[rule.scope] else "waived" if rule.id in waived else "not_exercised")
        results.append({"id": rule.id, "zh": rule.zh, "en": rule.en, "scope": rule.scope, "status": status, "checked":
                        len(found.seen) + len(found.breaches), "breaches": _evidence(found.breaches),
                        "evidence": _evidence(found.seen)})
    faults = [{"at": r["at"], "kind": r["kind"], "infno": r["infno"], "fault": r["fault"]}
              for r in rows if r["kind"] in ("arm", "clear") and (since is None or r["at"] >= since.isoformat())]
    counts = {s: sum(r["status"] == s for r in results) for s in STATUS_ZH}
    verdict = "fail" if counts["fail"] else "incomplete" if counts["not_exercised"] else "pass"
    return {"format": FORMAT, "institution": institution, "since": since.isoformat() if since else None,
            "generated_at": now.isoformat(timespec="seconds"), "resolve_within": resolve_within,
            "exchanges": len(history), "requests": judged, "verdict": verdict, "passed": verdict == "pass",
            "waived": list(waived), "scopes": scopes, "counts": counts, "faults": faults, "rules": results}


STATUS_ZH = {"pass": "通过 pass", "fail": "违规 FAIL", "not_exercised": "未涉及 not exercised",
             "waived": "免查 waived", "not_applicable": "不适用 not applicable"}
VERDICT_ZH = {"pass": "通过 PASS", "fail": "不通过 FAIL", "incomplete": "不完整 INCOMPLETE"}


def render_table(report: dict[str, Any]) -> str:
    """The report as a plain-text table (what `yibao-sim audit` prints)."""
    c = report["counts"]
    out = [f"一致性审计 conformance audit  机构 {report['institution']}  读取报文 {report['exchanges']} 笔"
           f"  评判 {report['requests']} 笔" + (f"  自 {report['since']}" if report["since"] else ""),
           f"{'规则 rule':<18} {'结果 result':<22} {'查验':>4}  证据 evidence (msgid)"]
    for rule in report["rules"]:
        shown = [m for e in rule["evidence"][:SHOWN] for m in e["msgids"][:1]]
        more = f" …(+{len(rule['evidence']) - SHOWN})" if len(rule["evidence"]) > SHOWN else ""
        out.append(f"{rule['id']:<18} {STATUS_ZH[rule['status']]:<22} {rule['checked']:>4}  "
                   f"{', '.join(shown)}{more}")
        for breach in rule["breaches"]:
            out.append(f"    ✗ {breach['note']}  [{', '.join(breach['msgids'])}]")
    out.append(f"结论 verdict: {VERDICT_ZH[report['verdict']]}  (pass {c['pass']}, fail {c['fail']}, "
               f"not exercised {c['not_exercised']}, waived {c['waived']}, not applicable {c['not_applicable']})")
    idle = [scope for scope, touched in report["scopes"].items() if not touched]
    if idle:
        out.append(f"不适用 not applicable: {', '.join(SCOPES[s] for s in idle)} 的规则 — 窗口内没有这类报文"
                   f"（no {', '.join(idle)} request in the window）")
    if report["verdict"] == "incomplete":
        missing = [r["id"] for r in report["rules"] if r["status"] == "not_exercised"]
        out.append(f"未涉及 not exercised: {', '.join(missing)} — 让收银机走到这些情形再审计，"
                   f"或明确免查 or waive them: --waive {','.join(missing)}")
    return "\n".join(out) + "\n"


def diff_reports(old: dict[str, Any], new: dict[str, Any]) -> tuple[list[str], bool]:
    """Lines saying what changed per rule, and whether any rule newly fails."""
    before = {r["id"]: r for r in old.get("rules", [])}
    after = {r["id"]: r for r in new.get("rules", [])}
    lines, worse = [], False
    for rule_id in [*after, *(k for k in before if k not in after)]:
        a, b = before.get(rule_id), after.get(rule_id)
        if b is None:
            lines.append(f"{rule_id}: 规则已移除 removed (was {a and a['status']})")
            continue
        if a is None:
            lines.append(f"{rule_id}: 新规则 new → {b['status']}")
            worse = worse or b["status"] == "fail"
            continue
        if a["status"] != b["status"] or len(a["breaches"]) != len(b["breaches"]):
            lines.append(f"{rule_id}: {a['status']} ({len(a['breaches'])} 违规) → {b['status']} "
                         f"({len(b['breaches'])} 违规)")
            worse = worse or (b["status"] == "fail" and len(b["breaches"]) > len(a["breaches"]))
    if old.get("verdict") != new.get("verdict") and "verdict" in new:
        lines.append(f"结论 verdict: {old.get('verdict', '?')} → {new['verdict']}")
    if not lines:
        lines.append("无变化 no change")
    return lines, worse


def parse_since(text: str | None) -> datetime | None:
    """`--since` / `?since=`: `YYYY-MM-DD` or `YYYY-MM-DD[T ]HH:MM[:SS]`; ValueError otherwise."""
    if not text:
        return None
    return datetime.fromisoformat(text.strip().replace(" ", "T"))
