"""A README shell block run as written (`bash -euo pipefail`, the console scripts of this Python on PATH): one
place for the README tests of the sale, the visit and the stay by hand and of the agent's curl examples."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_block(heading: str) -> str:
    """The first ```sh block after the README text matching the regex `heading`."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(heading + r".*?```sh\n(.*?)```", text, re.S)
    assert found is not None, f"README has no shell block after {heading!r}"
    return found.group(1)


def run_block(script: str, cwd: Path, *, timeout: float, **env: str) -> tuple[str, str]:
    """Run the block in its own process group (an agent it starts in the background dies with it); a failure
    shows both streams. Returns (stdout, stderr)."""
    environ = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}", **env)
    proc = subprocess.Popen(["bash", "-euo", "pipefail", "-c", script], cwd=cwd, env=environ, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    assert proc.returncode == 0, (out, err)
    return out, err
