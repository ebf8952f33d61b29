"""`schemathesis run` on both OpenAPI documents, short and seeded, in every `make test` (issue 15 item 3):
0 failures, and the agent's open quote survives the fuzz. `make fuzz` runs it longer (ST_EXAMPLES)."""

from __future__ import annotations

import pytest

from tools.fuzz.schemathesis_run import main


def test_schemathesis_finds_no_failure_in_either_document(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--examples", "4", "--seed", "7"])
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if line.startswith(("schemathesis ", "agent open quote"))]
    assert len(lines) == 3, out
    assert lines[0].startswith("schemathesis simulator: exit 0: ") and "failure" not in lines[0], out
    assert lines[1].startswith("schemathesis agent: exit 0: ") and "failure" not in lines[1], out
    assert "generated" in lines[0] and "generated" in lines[1], out  # it did send requests
    assert lines[2] == "agent open quote after the fuzz: kept, confirm 201", out
    assert code == 0
