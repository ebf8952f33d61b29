"""`python -m simulator serve ...`: run the simulator over HTTP. First stdout line: the base URL."""

from __future__ import annotations

import argparse
import errno
import functools
import logging
import os
import socket
import sys
from typing import Any

from simulator.app import create_app
from simulator.audit import cli as audit_cli
from simulator.config import MAX_BODY_BYTES, SimConfig
from simulator.domain.refusals import PlatformError
from simulator.help_format import HelpFormatter
from simulator.protocol.admin_access import check_bind
from simulator.server import ServerLimits, gunicorn_available, serve_gunicorn, serve_werkzeug

EXIT_ERROR = 2  # as `pos-plugin`: bad input, nothing started
ENVIRONMENT = """environment variables:
  YIBAO_SIM_ADMIN_TOKEN   default of serve --admin-token
  YIBAO_SIM_MAX_BODY_MB   default of serve --max-body-mb (4)

start here: yibao-sim serve --port 8080 --load fixtures/scenarios/own-account-covers-everything.json,
then open http://127.0.0.1:8080/console (README "The simulator")"""



def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="yibao-sim", description="医保平台模拟器 (yibao-pos simulator)",
                                     epilog=ENVIRONMENT, formatter_class=HelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the protocol and admin API over HTTP", epilog=ENVIRONMENT,
                           formatter_class=HelpFormatter,
                           description="Serve the platform simulator; prints its base URL (first line), the console "
                                       "URL and the loaded people. Then open <URL>/console.")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (beyond loopback needs --admin-token)")
    serve.add_argument("--port", type=int, default=8770, help="0 picks a free port")
    serve.add_argument("--db", default="", help="sqlite:///file.db, a file path, or postgresql://... "
                                                 "(default: a fresh SQLite file in a temporary directory)")
    serve.add_argument("--load", nargs="+", action="extend", default=[], help="scenario/world files to load")
    serve.add_argument("--seed", type=int, default=0, help="seed of the id generator (runs replay)")
    serve.add_argument("--auth", choices=("none", "tif"), default="none", help="tif: x-tif gateway signatures")
    serve.add_argument("--tif", action="append", default=[], metavar="PAASID=TOKEN[:CODE1,CODE2]",
                       help="x-tif credentials (repeatable) for --auth tif; the codes are the institutions "
                            "the paasid may act for (none given: any)")
    serve.add_argument("--admin-token", default=os.environ.get("YIBAO_SIM_ADMIN_TOKEN", ""),
                       help="token every /admin request must carry (required beyond loopback; "
                            "env YIBAO_SIM_ADMIN_TOKEN; default: none)")
    serve.add_argument("--workers", type=int, default=1,
                       help="worker processes (gunicorn); more than 1 is meant for PostgreSQL (see README)")
    serve.add_argument("--shared", action="store_true",
                       help="other simulator processes serve the same database (implied by --workers > 1)")
    serve.add_argument("--threads", type=int, default=4, help="threads per worker (gunicorn)")
    serve.add_argument("--server", choices=("auto", "gunicorn", "werkzeug"), default="auto",
                       help="auto: gunicorn where it runs, else Werkzeug (one process)")
    serve.add_argument("--max-body-mb", type=int,
                       default=int(os.environ.get("YIBAO_SIM_MAX_BODY_MB") or MAX_BODY_BYTES // (1024 * 1024)),
                       help="largest request body in MiB (HTTP 413 beyond; env YIBAO_SIM_MAX_BODY_MB)")
    serve.add_argument("--keepalive", type=int, default=5, help="seconds an idle connection stays open")
    seed = sub.add_parser("seed", help="bulk-write insured persons (accounts, bindings, wallets) for scale tests",
                          formatter_class=HelpFormatter)
    seed.add_argument("--db", required=True, help="sqlite:///file.db, a file path, or postgresql://...")
    seed.add_argument("--persons", type=int, required=True)
    seed.add_argument("--batch", type=int, default=20_000, help="persons per transaction")
    seed.add_argument("--insuplc", default="610103", help="insured area (6 digits) of the seeded persons")
    seed.add_argument("--seed", type=int, default=0, help="the id seed the simulator is served with")
    seed.add_argument("--quiet", action="store_true", help="no progress bar")
    audit_cli.add_parsers(sub)
    schema = sub.add_parser("schema", help="print the JSON Schema of world (yibao-world/1) or scenario files")
    schema.add_argument("kind", nargs="?", choices=("world", "scenario"), default="world")
    return parser


def run_seed(args: argparse.Namespace) -> None:
    from simulator.seed import SeedPlan, progress_bar, seed
    from simulator.store.store import Store

    if args.persons < 1 or args.batch < 1 or len(args.insuplc) != 6 or not args.insuplc.isdigit():
        raise SystemExit("seed: --persons and --batch must be positive and --insuplc 6 digits")
    store = Store(args.db)
    try:
        done = seed(store, SeedPlan(args.persons, args.insuplc, args.batch, args.seed),
                    None if args.quiet else progress_bar)
    finally:
        store.dispose()
    print(f"seeded {done.persons} persons, {done.bindings} bindings, {done.wallets} wallets "
          f"in {done.seconds:.1f} s", flush=True)


def _credentials(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        paasid, sep, token = pair.partition("=")
        if not sep or not paasid or not token:
            raise SystemExit(f"--tif expects PAASID=TOKEN[:CODE1,CODE2], got {pair!r}")
        out[paasid] = token
    return out


def _server_kind(args: argparse.Namespace) -> str:
    """gunicorn where it runs (several workers), else Werkzeug (one process); bad combinations refused."""
    if args.workers < 1 or args.threads < 1:
        raise SystemExit("--workers and --threads must be at least 1")
    kind = str(args.server) if args.server != "auto" else ("gunicorn" if gunicorn_available() else "werkzeug")
    if kind == "gunicorn" and not gunicorn_available():
        raise SystemExit("--server gunicorn: gunicorn is not installed or cannot run on this system")
    if kind == "werkzeug" and args.workers > 1:
        raise SystemExit("--workers > 1 needs gunicorn (not available here); run one process per port instead")
    return kind


def serve(args: argparse.Namespace) -> None:
    config = SimConfig(db_url=args.db, seed=args.seed, auth=args.auth, tif_credentials=_credentials(args.tif),
                       load=tuple(args.load), admin_token=args.admin_token,
                       shared=args.shared or args.workers > 1,
                       max_body_bytes=args.max_body_mb * 1024 * 1024).with_default_db()
    check_bind(args.host, args.admin_token)
    kind = _server_kind(args)
    port_is_free(args.host, args.port)
    app = create_app(config)
    if not args.db:
        print(f"simulator: database {config.db_url}", file=sys.stderr, flush=True)
    limits = ServerLimits(max_body=config.max_body_bytes, keepalive=args.keepalive)  # the app enforces it
    platform = app.extensions["simulator"].platform
    banner = functools.partial(welcome, platform.admin.handles())
    if kind == "gunicorn":
        serve_gunicorn(app, args.host, args.port, args.workers, args.threads, limits, platform.store.dispose, banner)
    else:
        serve_werkzeug(app, args.host, args.port, platform.store.dispose, banner)


SHOWN_HANDLES = 20  # people listed at start-up; the rest are at /admin/handles


def welcome(loaded: dict[str, Any], base: str) -> list[str]:
    """What start-up tells a person after the URL: the console, and who is loaded (handle = psn_no)."""
    people = loaded.get("handles") or {}
    lines = [f"控制台 console: {base}/console", f"协议 protocol: POST {base}/fsi/api/rsfComIfsService/callService"]
    if not people:
        return [*lines, "尚未载入人员 no people loaded: --load FILE, or POST /admin/world"]
    listed = [f"  {handle} = {psn_no}  (e-voucher: {base}/admin/evouchers/{psn_no}.png)"
              for handle, psn_no in list(people.items())[:SHOWN_HANDLES]]
    more = [f"  …(+{len(people) - SHOWN_HANDLES}: {base}/admin/handles)"] if len(people) > SHOWN_HANDLES else []
    return [*lines, f"已载入 {len(people)} 人 loaded people (handle = psn_no):", *listed, *more]


def port_is_free(host: str, port: int) -> None:
    """A busy or forbidden port is one line and exit 2, before anything starts (not a server's retry log)."""
    if port == 0:
        return
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                print(f"ERR_PORT_IN_USE: 端口 {port} 已被占用（{host}）：请换一个 --port（0 自动选择空闲端口），"
                      "或先停止占用它的程序", file=sys.stderr)
            else:
                print(f"ERR_PORT_UNAVAILABLE: 无法在 {host}:{port} 监听：{exc.strerror}", file=sys.stderr)
            raise SystemExit(EXIT_ERROR) from None


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    args = _parser().parse_args(argv)
    try:
        if args.command == "serve":
            serve(args)
        elif args.command == "seed":
            run_seed(args)
        elif args.command == "audit":
            sys.exit(audit_cli.run_audit(args))
        elif args.command == "audit-diff":
            sys.exit(audit_cli.run_diff(args))
        elif args.command == "schema":
            from simulator.protocol.file_schema import KINDS, schema_text

            sys.stdout.write(schema_text(KINDS[args.kind]))
    except PlatformError as exc:  # a bad --load file, an unknown policy: one line, no traceback
        print(f"{exc.code}: {exc.message}", file=sys.stderr)
        raise SystemExit(EXIT_ERROR) from None
