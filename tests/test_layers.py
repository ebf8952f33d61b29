"""The architecture's import rules, checked on the source: domain is pure; plugin and simulator never meet."""

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def imported_modules(package: str):
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield path, alias.name
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                yield path, node.module
            elif isinstance(node, ast.ImportFrom) and node.level > 0:
                yield path, "." * node.level + (node.module or "")


def test_the_scanner_sees_imports():
    # Guards the checks below against passing vacuously.
    found = {module for _, module in imported_modules("pos_plugin/domain")}
    assert "decimal" in found and "pos_plugin.domain.money" in found


def test_domain_imports_only_the_standard_library():
    offenders = [
        (str(path.relative_to(ROOT)), module)
        for path, module in imported_modules("pos_plugin/domain")
        if not module.startswith(("pos_plugin.domain", "."))
        and module.split(".")[0] not in sys.stdlib_module_names
        and module != "__future__"
    ]
    assert offenders == []


def test_plugin_never_imports_the_simulator():
    offenders = [(str(p.relative_to(ROOT)), m) for p, m in imported_modules("pos_plugin") if m.split(".")[0] == "simulator"]
    assert offenders == []


def test_simulator_never_imports_the_plugin():
    offenders = [(str(p.relative_to(ROOT)), m) for p, m in imported_modules("simulator") if m.split(".")[0] == "pos_plugin"]
    assert offenders == []
