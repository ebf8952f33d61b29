"""Start the platform simulator as a separate process (`python -m simulator serve --port 0`).

The plugin never imports the simulator: the demo, the scenario runner and the tests talk to it over
HTTP on 127.0.0.1 exactly as they would to the real platform.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from pos_plugin.errors import PlatformUnreachable

START_TIMEOUT = 30.0


@contextmanager
def running_simulator(db_url: str | None = None, args: Sequence[str] = ()) -> Iterator[str]:
    """Run the simulator until the block ends; yields its base URL (the first line it prints)."""
    with tempfile.TemporaryDirectory(prefix="yibao-sim-") as tmp:
        url_db = db_url or f"sqlite:///{Path(tmp) / 'platform.sqlite'}"
        command = [sys.executable, "-m", "simulator", "serve", "--host", "127.0.0.1", "--port", "0",
                   "--db", url_db, *args]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   env={**os.environ, "PYTHONUNBUFFERED": "1"})
        try:
            yield _first_line(process)
        finally:
            stop_process(process, timeout=10)


def stop_process(process: subprocess.Popen[str], timeout: float) -> None:
    """SIGTERM, then SIGKILL if it has not exited within `timeout` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _first_line(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    box: list[str] = []
    reader = threading.Thread(target=lambda: box.append(process.stdout.readline() if process.stdout else ""),
                              daemon=True)
    reader.start()
    reader.join(START_TIMEOUT)
    line = box[0].strip() if box else ""
    if not line.startswith("http"):
        process.kill()
        _, err = process.communicate(timeout=5)
        raise PlatformUnreachable(f"模拟平台未能启动: {err.strip()[-500:] or '无输出'}")
    threading.Thread(target=_drain, args=(process,), daemon=True).start()
    return line


def _drain(process: subprocess.Popen[str]) -> None:
    """Keep reading the child's pipes so a chatty server never blocks on a full pipe."""
    for stream in (process.stdout, process.stderr):
        if stream is not None:
            threading.Thread(target=lambda s=stream: [None for _ in s], daemon=True).start()
