"""Serving the app over HTTP: gunicorn (pre-forked workers, keep-alive) wherever it runs, and Werkzeug's
threaded server as the fallback where gunicorn cannot (Windows has no fork/fcntl).

Both print the base URL as their first stdout line (`--port 0` picks a free port) and stop on SIGTERM.
With several workers every worker is its own process over the one database given by `--db`; the world
given by `--load` is loaded once, before the workers fork.
"""

from __future__ import annotations

import importlib.util
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType
from typing import Any

from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server


@dataclass(frozen=True)
class ServerLimits:
    """`max_body`: largest request body in bytes (HTTP 413 beyond it); `keepalive`: seconds an idle
    keep-alive connection stays open; `timeout`: seconds a worker may spend on one request before the
    master replaces it; the request line and each header are capped at 8 KiB (gunicorn's defaults)."""

    max_body: int = 4 * 1024 * 1024
    keepalive: int = 5
    timeout: int = 60
    header_bytes: int = 8190
    header_count: int = 100


def gunicorn_available() -> bool:
    """True when gunicorn is installed and can run here (it needs fork and fcntl: not on Windows)."""
    if sys.platform.startswith("win"):
        return False
    return importlib.util.find_spec("gunicorn") is not None


Banner = Callable[[str], list[str]]


def announce(host: str, port: int, banner: Banner | None = None) -> None:
    """The base URL as the first stdout line (what scripts read), then the banner's lines for a person."""
    base = f"http://{host}:{port}"
    print("\n".join([base, *(banner(base) if banner else [])]), flush=True)


def serve_gunicorn(app: Flask, host: str, port: int, workers: int, threads: int, limits: ServerLimits,
                   on_exit: Callable[[], None], banner: Banner | None = None) -> None:
    """Run `app` (already built: schema created, worlds loaded) in `workers` forked processes of
    `threads` threads each, until SIGTERM/SIGINT."""
    from gunicorn.app.base import BaseApplication

    def post_fork(_server: Any, _worker: Any) -> None:
        # Connections opened by the master must not be shared by the children (SQLAlchemy's fork rule).
        app.extensions["simulator"].platform.store.engine.dispose(close=False)

    def when_ready(server: Any) -> None:
        # SIGTERM stops at once, like SIGINT: a test tool must not linger on idle keep-alive connections,
        # and a request cut short rolls its transaction back whole.
        server.handle_term = server.handle_int
        announce(host, int(server.LISTENERS[0].getsockname()[1]), banner)

    options: dict[str, Any] = {
        "bind": f"{host}:{port}", "workers": workers, "threads": threads, "worker_class": "gthread",
        "keepalive": limits.keepalive, "timeout": limits.timeout, "graceful_timeout": 1,
        "limit_request_line": limits.header_bytes, "limit_request_field_size": limits.header_bytes,
        "limit_request_fields": limits.header_count, "preload_app": True, "accesslog": None,
        "errorlog": "-", "loglevel": "warning", "post_fork": post_fork, "when_ready": when_ready,
        "worker_tmp_dir": "/dev/shm" if _is_dir("/dev/shm") else None, "proc_name": "yibao-sim",
    }

    class _App(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                if value is not None:
                    self.cfg.set(key, value)

        def load(self) -> Flask:
            return app

    try:
        _App().run()
    finally:
        on_exit()


def _is_dir(path: str) -> bool:
    import os

    return os.path.isdir(path)


class KeepAliveHandler(WSGIRequestHandler):
    """HTTP/1.1 so clients can reuse connections (the dev server defaults to 1.0)."""

    protocol_version = "HTTP/1.1"
    timeout = 60  # seconds a kept-alive connection may sit idle before its thread lets it go

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass  # per-request logging costs throughput; errors are still logged


def serve_werkzeug(app: Flask, host: str, port: int, on_exit: Callable[[], None], banner: Banner | None = None) -> None:
    """The fallback: Werkzeug's threaded server, one process."""
    server = make_server(host, port, app, threaded=True, request_handler=KeepAliveHandler)
    setattr(server, "daemon_threads", True)  # noqa: B010 - exit without waiting for keep-alive threads

    def stop(_signum: int, _frame: FrameType | None) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    announce(host, server.server_port, banner)
    try:
        server.serve_forever()
    finally:
        server.server_close()
        on_exit()
