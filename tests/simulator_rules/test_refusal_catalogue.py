"""The refusal catalogue (simulator/domain/refusals.py) is the one place a code, its status and its text live:
no raise site names a literal code, every code has one class and one status, and the docs list exactly the
catalogue."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from simulator.domain.refusals import PlatformError, catalogue

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "simulator/domain/refusals.py"
DOCS = ROOT / "docs/simulator-api.md"
CODE = re.compile(r"ERR_[A-Z0-9_]+")
# The audit command is a client of the simulator: it prints its own command-line failures, never raises a refusal.
CLIENT_SIDE = ROOT / "simulator/audit"


def literal_codes(source: str) -> list[tuple[int, str]]:
    """(line, code) for every string constant in `source` that is exactly a refusal code."""
    return [(node.lineno, node.value) for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and CODE.fullmatch(node.value)]


def test_the_scanner_finds_a_literal_code():
    planted = 'raise RuleRefused("ERR_PLANTED", "x")\nif exc.code != "ERR_DUPLICATE":\n    pass\n'
    assert literal_codes(planted) == [(1, "ERR_PLANTED"), (2, "ERR_DUPLICATE")]
    assert literal_codes('print(f"ERR_X: {y}")') == []  # a printed line is not a code literal


def test_no_raise_site_names_a_literal_code():
    offenders = [
        (str(path.relative_to(ROOT)), line, code)
        for path in sorted((ROOT / "simulator").rglob("*.py"))
        if path != CATALOGUE and CLIENT_SIDE not in path.parents
        for line, code in literal_codes(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_each_code_is_one_class_with_one_status_and_a_template():
    found = catalogue()
    assert len(found) > 100
    for code, cls in found.items():
        assert CODE.fullmatch(code) and cls.code == code
        assert cls.status in (400, 401, 403, 404, 405, 413, 429, 500), code
        assert cls.template and not cls.template.isascii() or cls.template in ("{detail}", "{message}"), code


def test_a_template_is_filled_by_name_and_missing_parameters_are_an_error():
    cls = catalogue()["ERR_VISIT_UNKNOWN"]
    fields = {name for _, name, _, _ in string.Formatter().parse(cls.template) if name}
    assert fields == {"mdtrt_id"}
    error = cls(mdtrt_id="M1")
    assert (error.code, error.message, error.status) == ("ERR_VISIT_UNKNOWN", "就诊ID mdtrt_id M1 不存在", 404)
    assert isinstance(error, PlatformError)
    with pytest.raises(KeyError):
        cls()


def test_a_prefixed_refusal_keeps_its_code_and_status():
    error = catalogue()["ERR_POLICY_UNKNOWN"](detail="未知政策 'x'").prefixed("world.json")
    assert (error.code, error.message, error.status) == ("ERR_POLICY_UNKNOWN", "world.json：未知政策 'x'", 400)
    assert str(error) == "ERR_POLICY_UNKNOWN: world.json：未知政策 'x'"


def documented() -> dict[str, int]:
    section = DOCS.read_text(encoding="utf-8").split("<!-- refusals:start -->")[1].split("<!-- refusals:end -->")[0]
    rows = re.findall(r"^\| `(ERR_[A-Z0-9_]+)` \| (\d{3}) \|", section, flags=re.M)
    assert len(rows) == len({code for code, _ in rows}), "a code is listed twice"
    return {code: int(status) for code, status in rows}


def test_the_docs_list_every_code_with_its_status_and_nothing_else():
    in_docs = documented()
    in_catalogue = {code: cls.status for code, cls in catalogue().items()}
    assert sorted(set(in_catalogue) - set(in_docs)) == [], "catalogued but not documented"
    assert sorted(set(in_docs) - set(in_catalogue)) == [], "documented but not catalogued"
    assert in_docs == in_catalogue


def raise_sites() -> list[tuple[str, int, str, set[str]]]:
    """(file, line, class name, keyword names) of every call of a catalogue class in the simulator."""
    names = {cls.__name__ for cls in catalogue().values()}
    found = []
    for path in sorted((ROOT / "simulator").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in names:
                found.append((str(path.relative_to(ROOT)), node.lineno, node.func.id,
                              {k.arg for k in node.keywords if k.arg}))
    return found


def test_every_raise_site_fills_exactly_its_template():
    # A renamed parameter would otherwise surface as a KeyError (HTTP 500) on a rarely taken path.
    by_name = {cls.__name__: cls for cls in catalogue().values()}
    sites = raise_sites()
    assert len(sites) > 150  # the scanner sees the raise sites
    wrong = [(path, line, name, sorted(given)) for path, line, name, given in sites
             if given != {f for _, f, _, _ in string.Formatter().parse(by_name[name].template) if f}]
    assert wrong == []
