"""One adapter per external imaging library (checked on the source): the decode path's inside pos_plugin/qr,
the lab's test-image generators inside pos_plugin/lab/scanner."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

ADAPTERS = {
    # the decode path / the lab's test-image generators
    "PIL": {"pos_plugin/qr/image.py", "pos_plugin/qr/regions.py", "pos_plugin/lab/scanner/synth.py", "pos_plugin/lab/scanner/hard.py"},
    "pyzbar": {"pos_plugin/qr/zbar.py"},
    "zxingcpp": {"pos_plugin/qr/zxing.py"},
    "segno": {"pos_plugin/lab/scanner/render.py"},
}


def imports_of(path: Path) -> set[str]:
    """Top-level package names imported by `path`, including importlib.import_module("x.y") calls."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) in ("import_module", "find_spec")
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            names.add(str(node.args[0].value))
    return {name.split(".")[0] for name in names}


def test_each_imaging_library_is_imported_by_its_adapter_only():
    users: dict[str, set[str]] = {library: set() for library in ADAPTERS}
    for path in sorted((ROOT / "pos_plugin").rglob("*.py")):
        for library in imports_of(path) & set(ADAPTERS):
            users[library].add(str(path.relative_to(ROOT)))
    assert users == ADAPTERS
