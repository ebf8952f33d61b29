"""`python -m simulator serve ...`: run the simulator over HTTP. First stdout line: the base URL."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from simulator.app import create_app
from simulator.audit import cli as audit_cli
from simulator.config import MAX_BODY_BYTES, SimConfig
from simulator.domain.refusals import PlatformError
from simulator.protocol.admin_access import check_bind
from simulator.server import ServerLimits, gunicorn_available, serve_gunicorn, serve_werkzeug

EXIT_ERROR = 2  # as `pos-plugin`: bad input, nothing started


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m simulator", description="医保平台模拟器 (yibao-pos simulator)")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the protocol and admin API over HTTP")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8770, help="0 picks a free port")
    serve.add_argument("--db", default="", help="sqlite:///file.db, a file path, or postgresql://...")
    serve.add_argument("--load", nargs="+", action="extend", default=[], help="scenario/world files to load")
    serve.add_argument("--seed", type=int, default=0)
    serve.add_argument("--auth", choices=("none", "tif"), default="none")
    serve.add_argument("--tif", action="append", default=[], metavar="PAASID=TOKEN[:CODE1,CODE2]",
                       help="x-tif credentials (repeatable) for --auth tif; the codes are the institutions "
                            "the paasid may act for (none given: any)")
    serve.add_argument("--admin-token", default=os.environ.get("YIBAO_SIM_ADMIN_TOKEN", ""),
                       help="token every /admin request must carry (required beyond loopback)")
    serve.add_argument("--workers", type=int, default=1,
                       help="worker processes (gunicorn); more than 1 is meant for PostgreSQL (see README)")
    serve.add_argument("--shared", action="store_true",
                       help="other simulator processes serve the same database (implied by --workers > 1)")
    serve.add_argument("--threads", type=int, default=4, help="threads per worker (gunicorn)")
    serve.add_argument("--server", choices=("auto", "gunicorn", "werkzeug"), default="auto",
                       help="auto: gunicorn where it runs, else Werkzeug (one process)")
    serve.add_argument("--max-body-mb", type=int,
                       default=int(os.environ.get("YIBAO_SIM_MAX_BODY_MB") or MAX_BODY_BYTES // (1024 * 1024)),
                       help="largest request body in MiB (HTTP 413 beyond; default 4)")
    serve.add_argument("--keepalive", type=int, default=5, help="seconds an idle connection stays open")
    seed = sub.add_parser("seed", help="bulk-write insured persons (accounts, bindings, wallets) for scale tests")
    seed.add_argument("--db", required=True, help="sqlite:///file.db, a file path, or postgresql://...")
    seed.add_argument("--persons", type=int, required=True)
    seed.add_argument("--batch", type=int, default=20_000)
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
    app = create_app(config)
    if not args.db:
        print(f"simulator: database {config.db_url}", file=sys.stderr, flush=True)
    limits = ServerLimits(max_body=config.max_body_bytes, keepalive=args.keepalive)  # the app enforces it
    store = app.extensions["simulator"].platform.store
    if kind == "gunicorn":
        serve_gunicorn(app, args.host, args.port, args.workers, args.threads, limits, store.dispose)
    else:
        serve_werkzeug(app, args.host, args.port, store.dispose)


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
