"""`yibao-sim audit` and `yibao-sim audit-diff`: the conformance report on the command line.

Exit codes (docs/audit.md): audit 0 PASS (every rule exercised or waived, none fails), 1 FAIL, 3 INCOMPLETE
(a rule not exercised and not waived); audit-diff 0, or 1 when a rule newly fails; 2 bad usage, no such
database, no traffic of the institution in the window, or the journal could not be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import requests

from simulator.audit.report import (
    DEFAULT_RESOLVE_WITHIN,
    FORMAT,
    build_report,
    check_institution,
    diff_reports,
    parse_since,
    render_table,
    waived_rules,
)
from simulator.audit.source import journal_rows
from simulator.help_format import HelpFormatter

EXIT = {"pass": 0, "fail": 1, "incomplete": 3}


def add_parsers(sub: Any) -> None:
    audit = sub.add_parser("audit", help="conformance report of one institution's recorded traffic",
                           formatter_class=HelpFormatter,
                           description="Exit 0 PASS, 1 FAIL, 3 INCOMPLETE (a rule not exercised and not waived), "
                                       "2 refused (no database, no traffic, bad code). docs/audit.md")
    audit.add_argument("--institution", required=True, metavar="CODE",
                       help="fixmedins_code of the till: one upper-case letter and 11 digits (P61010300017)")
    where = audit.add_mutually_exclusive_group(required=True)
    where.add_argument("--db", help="the simulator's database (sqlite:///file.db, a path, postgresql://...)")
    where.add_argument("--url", help="a running simulator's base URL (reads /admin/audit)")
    audit.add_argument("--admin-token", default="", help="with --url: the simulator's admin token")
    audit.add_argument("--since", help="judge only requests from this time (YYYY-MM-DD[THH:MM:SS])")
    audit.add_argument("--resolve-within", type=float, default=DEFAULT_RESOLVE_WITHIN, metavar="SECONDS",
                       help="time allowed to resolve a lost money request")
    audit.add_argument("--waive", action="append", default=[], metavar="RULE[,RULE]",
                       help="rules you accept as not exercised, by id (repeatable); any other rule not "
                            "exercised makes the verdict INCOMPLETE (exit 3)")
    audit.add_argument("--json", action="store_true", help="print the report as JSON (save it for --diff)")
    audit.add_argument("--diff", type=Path, metavar="OLD.json", help="also compare with a saved report")
    diff = sub.add_parser("audit-diff", help="compare two saved audit reports (JSON)")
    diff.add_argument("old", type=Path)
    diff.add_argument("new", type=Path)


def _from_db(args: argparse.Namespace, since: datetime | None) -> dict[str, Any]:
    rows = journal_rows(args.db, args.institution)
    # The settable platform clock lives in the server process; its last reading is the journal's last row.
    now = max((datetime.fromisoformat(r["at"]) for r in rows), default=datetime.now())
    return build_report(rows, args.institution, now=now, since=since, resolve_within=args.resolve_within,
                        waive=args.waive)


def _from_url(args: argparse.Namespace) -> dict[str, Any]:
    params: dict[str, Any] = {"institution": args.institution, "resolve_within": str(args.resolve_within),
                              "waive": list(waived_rules(args.waive))}  # one ?waive= per rule
    if args.since:
        params["since"] = args.since
    headers = {"Authorization": f"Bearer {args.admin_token}"} if args.admin_token else {}
    try:
        reply = requests.get(args.url.rstrip("/") + "/admin/audit", params=params, headers=headers, timeout=60)
        body = reply.json()
    except (requests.RequestException, ValueError) as exc:
        print(f"ERR_SIMULATOR_UNREACHABLE: 无法从 {args.url} 取得审计报告：{exc}", file=sys.stderr)
        raise SystemExit(2) from None
    if reply.status_code != 200 or not isinstance(body, dict):
        code, message = (body.get("code"), body.get("message")) if isinstance(body, dict) else ("ERR_BAD_REPLY", "")
        print(f"{code}: {message}", file=sys.stderr)
        raise SystemExit(2)
    return dict(body)


def _load(path: Path) -> dict[str, Any]:
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        print(f"ERR_BAD_REPORT: 无法读取审计报告 {path}: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    if not isinstance(report, dict) or report.get("format") != FORMAT:
        print(f"ERR_BAD_REPORT: {path} 不是 {FORMAT} 格式的审计报告", file=sys.stderr)
        raise SystemExit(2)
    return report


def run_audit(args: argparse.Namespace) -> int:
    try:
        since = parse_since(args.since)
    except ValueError:
        print(f"ERR_BAD_TIME: --since {args.since!r} 格式错误（YYYY-MM-DD[THH:MM:SS]）", file=sys.stderr)
        return 2
    check_institution(args.institution)  # refusals (PlatformError) are one line from simulator.cli.main
    waived_rules(args.waive)
    old = _load(args.diff) if args.diff else None
    report = _from_db(args, since) if args.db else _from_url(args)
    print(json.dumps(report, ensure_ascii=False, indent=1) if args.json else render_table(report), end="\n"
          if args.json else "")
    if old is not None:
        lines, _worse = diff_reports(old, report)
        print("\n".join(["与旧报告比较 diff:", *lines]), file=sys.stderr if args.json else sys.stdout)
    return EXIT[report["verdict"]]


def run_diff(args: argparse.Namespace) -> int:
    lines, worse = diff_reports(_load(args.old), _load(args.new))
    print("\n".join(lines))
    return 1 if worse else 0
