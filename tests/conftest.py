"""Generic fixtures shared by every test directory (keep this file small)."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator

import pg
import pytest


@pytest.fixture
def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def pg_server() -> Iterator[pg.PgServer]:
    """A throwaway PostgreSQL server for the whole session. If it cannot start the tests using it FAIL,
    unless YIBAO_SKIP_POSTGRES=1 is set (then they are skipped, saying so)."""
    if os.environ.get("YIBAO_SKIP_POSTGRES") == "1":
        pytest.skip("YIBAO_SKIP_POSTGRES=1: PostgreSQL tests skipped on request")
    server = pg.start()
    try:
        yield server
    finally:
        server.stop()
