"""The embedded plugin's public API is pinned (issue 16 item 5): pos_plugin.__all__ is this list, every
name resolves, the README's example imports only from pos_plugin, and every error has one root."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

import pos_plugin
from pos_plugin import PosError
from pos_plugin.domain.errors import DomainError, InvalidAmount, InvalidCartLine, InvariantViolation
from pos_plugin.domain.money import parse_amount
from pos_plugin.errors import BusinessError, InputError, UnknownOutcome
from pos_plugin.qr.errors import DecoderMissing

ROOT = Path(__file__).resolve().parents[2]
PUBLIC = ["__version__", "PosError", "TerminalSettings", "Terminal", "open_terminal", "Credential", "Expected",
          "Patient", "credential_from_text", "identify", "Order", "Quote", "Sale", "BookedSale", "CartLine",
          "cart_line_from_mapping", "Choices", "Leg", "decode_image"]


def test_the_public_api_is_pinned():
    assert pos_plugin.__all__ == PUBLIC
    for name in PUBLIC:
        assert getattr(pos_plugin, name) is not None
    assert sorted(dir(pos_plugin)) == sorted(PUBLIC)


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no_such"):
        pos_plugin.no_such  # noqa: B018


def test_importing_the_domain_loads_no_outside_library():
    code = ("import sys, pos_plugin.domain.payer_chain, pos_plugin; "
            "print(sorted(m for m in ('flask', 'requests', 'PIL', 'pyzbar', 'sqlite3') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_the_readme_example_imports_only_from_pos_plugin():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    code = re.search(r"### From Python\n\n```python\n(.*?)```", text, re.S).group(1)
    imports = [node for node in ast.walk(ast.parse(code)) if isinstance(node, ast.Import | ast.ImportFrom)]
    assert imports, "the example imports something"
    assert all(isinstance(node, ast.ImportFrom) and node.module == "pos_plugin" for node in imports)
    assert {alias.name for node in imports for alias in node.names} <= set(PUBLIC)


@pytest.mark.parametrize("cls", [DomainError, InvalidAmount, InvalidCartLine, InvariantViolation, InputError,
                                 BusinessError, UnknownOutcome, DecoderMissing])
def test_one_exception_root(cls):
    assert issubclass(cls, PosError)


def test_a_domain_error_is_caught_as_a_pos_error():
    with pytest.raises(PosError) as info:
        parse_amount("12.345", field="price")
    assert info.value.code == "ERR_INVALID_AMOUNT" and info.value.message and info.value.details == {}
    assert str(info.value).startswith("ERR_INVALID_AMOUNT: ")
    assert DomainError("消息", code="ERR_X").code == "ERR_X"
