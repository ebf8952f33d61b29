"""Build, render and compare conformance reports (format `yibao-audit/1`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from simulator.audit.checks import Context, Evidence
from simulator.audit.exchanges import exchange_of
from simulator.audit.rules import RULES

FORMAT = "yibao-audit/1"
DEFAULT_RESOLVE_WITHIN = 600.0  # seconds: a lost money request must be resolved within this
SHOWN = 3  # evidence msgids per passing rule in the table


def _evidence(items: list[Evidence]) -> list[dict[str, Any]]:
    return [{"msgids": list(e.msgids), "note": e.note} for e in items]


def build_report(rows: list[dict[str, Any]], institution: str, *, now: datetime, since: datetime | None = None,
                 resolve_within: float = DEFAULT_RESOLVE_WITHIN) -> dict[str, Any]:
    """Check every rule against the institution's journal rows (`TrafficLog.rows`)."""
    history = tuple(exchange_of(r) for r in rows if r["kind"] == "request" and r["fixmedins_code"] == institution)
    ctx = Context(institution, history, since, now, resolve_within)
    results = []
    for rule in RULES:
        found = rule.check(ctx)
        status = "fail" if found.breaches else "pass" if found.seen else "not_exercised"
        results.append({"id": rule.id, "zh": rule.zh, "en": rule.en, "status": status, "checked":
                        len(found.seen) + len(found.breaches), "breaches": _evidence(found.breaches),
                        "evidence": _evidence(found.seen)})
    faults = [{"at": r["at"], "kind": r["kind"], "infno": r["infno"], "fault": r["fault"]}
              for r in rows if r["kind"] in ("arm", "clear") and (since is None or r["at"] >= since.isoformat())]
    counts = {s: sum(r["status"] == s for r in results) for s in ("pass", "fail", "not_exercised")}
    return {"format": FORMAT, "institution": institution, "since": since.isoformat() if since else None,
            "generated_at": now.isoformat(timespec="seconds"), "resolve_within": resolve_within,
            "requests": len(ctx.judged()), "passed": counts["fail"] == 0, "counts": counts, "faults": faults,
            "rules": results}


STATUS_ZH = {"pass": "通过 pass", "fail": "违规 FAIL", "not_exercised": "未涉及 not exercised"}


def render_table(report: dict[str, Any]) -> str:
    """The report as a plain-text table (what `yibao-sim audit` prints)."""
    c = report["counts"]
    out = [f"一致性审计 conformance audit  机构 {report['institution']}  请求 {report['requests']} 笔"
           + (f"  自 {report['since']}" if report["since"] else ""),
           f"{'规则 rule':<18} {'结果 result':<22} {'查验':>4}  证据 evidence (msgid)"]
    for rule in report["rules"]:
        shown = [m for e in rule["evidence"][:SHOWN] for m in e["msgids"][:1]]
        more = f" …(+{len(rule['evidence']) - SHOWN})" if len(rule["evidence"]) > SHOWN else ""
        out.append(f"{rule['id']:<18} {STATUS_ZH[rule['status']]:<22} {rule['checked']:>4}  "
                   f"{', '.join(shown)}{more}")
        for breach in rule["breaches"]:
            out.append(f"    ✗ {breach['note']}  [{', '.join(breach['msgids'])}]")
    out.append(f"结论 verdict: {'通过 PASS' if report['passed'] else '不通过 FAIL'}  "
               f"(pass {c['pass']}, fail {c['fail']}, not exercised {c['not_exercised']})")
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
    if not lines:
        lines.append("无变化 no change")
    return lines, worse


def parse_since(text: str | None) -> datetime | None:
    """`--since` / `?since=`: `YYYY-MM-DD` or `YYYY-MM-DD[T ]HH:MM[:SS]`; ValueError otherwise."""
    if not text:
        return None
    return datetime.fromisoformat(text.strip().replace(" ", "T"))
