"""The short seeded fuzz that runs with every `make test` (the long one is `FUZZ_N=10000 make fuzz`)."""

from __future__ import annotations

import pytest

from tools.fuzz.run import main


def test_a_short_seeded_fuzz_finds_no_5xx_no_odd_shape_and_no_state_change(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--n", "100", "--openapi", "1", "--seed", "5"])  # 1: one example per operation
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert "http_5xx=0 undocumented_shapes=0 state_changes_from_refusals=0" in line, line
    assert code == 0
    requests = int(line.split("requests=")[1].split()[0])
    assert requests >= 150, line
