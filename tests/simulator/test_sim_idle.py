"""Idle connections are let go (issue 12: 300 idle connections held 301 threads)."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

from werkzeug.serving import make_server

from simulator.server import KeepAliveHandler


class QuickIdle(KeepAliveHandler):
    timeout = 0.5  # the served value is 60 s; the mechanism is the same


def test_the_served_handler_has_an_idle_timeout() -> None:
    assert KeepAliveHandler.timeout is not None and 0 < KeepAliveHandler.timeout <= 120


def test_an_idle_connection_is_closed_and_its_thread_ends(app: Any) -> None:
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuickIdle)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        before = threading.active_count()
        with socket.create_connection(("127.0.0.1", server.server_port), timeout=5) as conn:
            time.sleep(0.2)
            assert threading.active_count() == before + 1  # a thread holds the idle connection
            time.sleep(1.0)
            assert conn.recv(1) == b""  # the server closed it
        deadline = time.monotonic() + 5
        while threading.active_count() > before and time.monotonic() < deadline:
            time.sleep(0.05)
        assert threading.active_count() == before
    finally:
        server.shutdown()
        server.server_close()
