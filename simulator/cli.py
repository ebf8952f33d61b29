"""`python -m simulator serve ...`: run the simulator over HTTP. First stdout line: the base URL."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from types import FrameType

from werkzeug.serving import WSGIRequestHandler, make_server

from simulator.app import create_app
from simulator.config import MAX_BODY_BYTES, SimConfig
from simulator.protocol.admin_access import check_bind


class KeepAliveHandler(WSGIRequestHandler):
    """HTTP/1.1 so clients can reuse connections (the dev server defaults to 1.0)."""

    protocol_version = "HTTP/1.1"
    timeout = 60  # seconds a kept-alive connection may sit idle before its thread lets it go

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass  # per-request logging costs throughput; errors are still logged


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
    serve.add_argument("--max-body-bytes", type=int,
                       default=int(os.environ.get("YIBAO_SIM_MAX_BODY_BYTES") or MAX_BODY_BYTES),
                       help="larger request bodies are refused with HTTP 413 (default 4 MiB)")
    serve.add_argument("--admin-token", default=os.environ.get("YIBAO_SIM_ADMIN_TOKEN", ""),
                       help="token every /admin request must carry (required beyond loopback)")
    return parser


def _credentials(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        paasid, sep, token = pair.partition("=")
        if not sep or not paasid or not token:
            raise SystemExit(f"--tif expects PAASID=TOKEN[:CODE1,CODE2], got {pair!r}")
        out[paasid] = token
    return out


def serve(args: argparse.Namespace) -> None:
    config = SimConfig(db_url=args.db, seed=args.seed, auth=args.auth, tif_credentials=_credentials(args.tif),
                       load=tuple(args.load), admin_token=args.admin_token,
                       max_body_bytes=args.max_body_bytes).with_default_db()
    check_bind(args.host, args.admin_token)
    if not args.db:
        print(f"simulator: database {config.db_url}", file=sys.stderr, flush=True)
    app = create_app(config)
    server = make_server(args.host, args.port, app, threaded=True, request_handler=KeepAliveHandler)
    setattr(server, "daemon_threads", True)  # noqa: B010 - exit without waiting for keep-alive threads

    def stop(_signum: int, _frame: FrameType | None) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"http://{args.host}:{server.server_port}", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
        app.extensions["simulator"].platform.store.dispose()


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    args = _parser().parse_args(argv)
    if args.command == "serve":
        serve(args)
