"""`schemathesis run` — the real command line a tester would type — against both OpenAPI documents:
the simulator's (/openapi.json of `yibao-sim serve`) and the local agent's (`pos-plugin agent`, against that
simulator with a worked scenario loaded). Every default check and phase runs, seeded, with the settings of
tools/fuzz/schemathesis.toml. Exit 0 only when both report no failure and the agent's open quote survived
every fuzzed call (none of them may drop it: docs/agent-api.md "One sale at a time").

    python -m tools.fuzz.schemathesis_run --examples 25 --seed 12     # `make fuzz` (ST_EXAMPLES, FUZZ_SEED)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from pos_plugin.lab.embedded import running_simulator, stop_process
from pos_plugin.lab.sim_admin import SimulatorAdmin
from pos_plugin.profiles import installed_fixtures

HERE = Path(__file__).resolve().parent
CONFIG = HERE / "schemathesis.toml"
SCENARIO = installed_fixtures() / "scenarios" / "own-account-covers-everything.json"
LINE = {"code": "D4001", "name": "二甲双胍缓释片", "class": "A", "qty": "2", "price": "28.40"}


def schemathesis(url: str, *, seed: int, examples: int, timeout: float = 900) -> tuple[int, str]:
    """(exit code, last lines of the report) of one `schemathesis run` over the document at `url`."""
    command = [str(Path(sys.executable).with_name("schemathesis")), "--config-file", str(CONFIG), "--no-color",
               "run", url, "--seed", str(seed), "--max-examples", str(examples), "--workers", "1",
               "--generation-database", "none", "--request-timeout", "30"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "SCHEMATHESIS_TELEMETRY": "false"})
    return done.returncode, done.stdout + done.stderr


@contextmanager
def running_agent(platform: str, state: Path) -> Iterator[str]:
    inst = json.loads(SCENARIO.read_text(encoding="utf-8"))["institution"]
    process = subprocess.Popen([sys.executable, "-m", "pos_plugin", "agent", "--port", "0", "--platform", platform,
                                "--institution", inst["code"], "--institution-name", inst["name"],
                                "--admdvs", inst["admdvs"], "--state-dir", str(state)],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert process.stdout is not None
        yield process.stdout.readline().strip()
    finally:
        stop_process(process, timeout=10)


def summary(report: str) -> str:
    """The report's count of test cases (`468 generated, 468 passed`) and its closing line."""
    lines = report.splitlines()
    cases = [lines[i + 1].strip() for i, line in enumerate(lines[:-1]) if line.strip() == "Test cases:"]
    closing = [line.strip("= ") for line in lines if line.startswith("=====")]
    return "; ".join(cases[-1:] + closing[-1:]) or "(no summary)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=int(os.environ.get("ST_EXAMPLES") or 25),
                        help="test cases per operation (ST_EXAMPLES)")
    parser.add_argument("--seed", type=int, default=int(os.environ.get("FUZZ_SEED") or 12))
    args = parser.parse_args(argv)
    failed = False
    with running_simulator() as sim, tempfile.TemporaryDirectory(prefix="yibao-st-") as tmp:
        code, report = schemathesis(f"{sim}/openapi.json", seed=args.seed, examples=args.examples)
        print(f"schemathesis simulator: exit {code}: {summary(report)}", flush=True)
        if code != 0:
            failed = True
            print(report[-6000:])
        admin = SimulatorAdmin(sim)
        admin.reset()
        admin.clear_faults()
        loaded = admin.load_world(json.loads(SCENARIO.read_text(encoding="utf-8")))
        with running_agent(sim, Path(tmp)) as agent:
            http = requests.Session()
            who = http.post(f"{agent}/identify", json={"code": admin.evoucher(loaded["handles"]["zhao"])[0]},
                            timeout=30).json()
            quote = http.post(f"{agent}/sales", json={"patient_id": who["patient_id"], "lines": [LINE]},
                              timeout=30).json()["quote_id"]
            code, report = schemathesis(f"{agent}/openapi.json", seed=args.seed, examples=args.examples)
            print(f"schemathesis agent: exit {code}: {summary(report)}", flush=True)
            if code != 0:
                failed = True
                print(report[-6000:])
            still = http.get(f"{agent}/health", timeout=30).json()["open_quote"]
            confirmed = http.post(f"{agent}/sales/{quote}/confirm", timeout=30).status_code
            print(f"agent open quote after the fuzz: {'kept' if still == quote else f'lost ({still})'}, "
                  f"confirm {confirmed}", flush=True)
            failed = failed or still != quote or confirmed != 201
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
