"""The architecture's import rules, checked on the source: domain is pure; plugin and simulator never meet."""

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def modules_in(tree: ast.AST):
    """Every module a parsed file imports: plain and from-imports (`from a import b` also as `a.b`, which may
    name a submodule), relative ones as written ("." * level + name), and importlib.import_module("x.y") /
    find_spec("x.y") calls with a literal name."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            prefix = "." * node.level
            if node.module or node.level == 0:
                yield prefix + (node.module or "")
            for alias in node.names:
                if alias.name != "*":
                    yield prefix + ".".join(part for part in (node.module, alias.name) if part)
        elif (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str)
              and getattr(node.func, "attr", getattr(node.func, "id", None)) in ("import_module", "find_spec")):
            yield node.args[0].value


def imported_modules(package: str):
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for module in modules_in(tree):
            yield path, module


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


def test_the_product_never_imports_the_tools():
    offenders = [(str(p.relative_to(ROOT)), m) for package in ("pos_plugin", "simulator")
                 for p, m in imported_modules(package) if m.split(".")[0] in {"tools", "tests"}]
    assert offenders == []


def test_the_tools_are_one_package_that_borrows_nothing_by_path():
    # tools/ (bench, soak, fuzz, pg, worlds) imports as a package: no sys.path edits, no file-path module
    # loading, nothing from tests/.
    files = sorted((ROOT / "tools").rglob("*.py"))
    assert {p.parent.name for p in files} >= {"tools", "bench", "soak", "fuzz"}
    assert all((p.parent / "__init__.py").exists() for p in files)
    offenders = [(str(p.relative_to(ROOT)), m) for p, m in imported_modules("tools") if m.split(".")[0] == "tests"]
    offenders += [(str(p.relative_to(ROOT)), text) for p in files for text in ("sys.path", "spec_from_file_location")
                  if text in p.read_text(encoding="utf-8")]
    assert offenders == []


# --- the plugin's layers: production code, the lab, and one adapter per outside library -------------

LAB = "pos_plugin/lab"
# The one place production code names the lab: the CLI's registry of lab commands, loaded by dotted name
# on first use (pos_plugin/cli/__init__.py, LAB_COMMANDS).
LAB_REGISTRY = "pos_plugin/cli/__init__.py"


def plugin_imports():
    """(path relative to ROOT, absolute module) for every import in pos_plugin, relative imports resolved
    and importlib.import_module("x.y") / find_spec("x.y") calls with a literal name included."""
    for path in sorted((ROOT / "pos_plugin").rglob("*.py")):
        relative = path.relative_to(ROOT)
        package = list(relative.parent.parts)  # the package a relative import starts from
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield relative.as_posix(), alias.name
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package[: len(package) - node.level + 1]
                    module = ".".join([*base, node.module] if node.module else base)
                else:
                    module = node.module or ""
                yield relative.as_posix(), module
                yield from ((relative.as_posix(), f"{module}.{alias.name}") for alias in node.names)
            elif (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
                  and getattr(node.func, "attr", getattr(node.func, "id", None)) in ("import_module", "find_spec")):
                yield relative.as_posix(), str(node.args[0].value)


def users_of(top_level: set[str]) -> set[str]:
    """The plugin's files that import any of these top-level packages."""
    return {path for path, module in plugin_imports() if module.split(".")[0] in top_level}


def test_the_plugin_scanner_sees_every_kind_of_import():
    # Guards the plugin checks below against passing vacuously: plain, from-, and importlib imports.
    found = set(plugin_imports())
    assert ("pos_plugin/platform/transport.py", "http.client") in found
    assert ("pos_plugin/lab/cli.py", "pos_plugin.lab.demo") in found  # `from pos_plugin.lab import demo`
    assert ("pos_plugin/qr/zbar.py", "pyzbar.pyzbar") in found or ("pos_plugin/qr/zbar.py", "pyzbar") in found
    assert any(path == "pos_plugin/agent/app.py" and module.startswith("flask") for path, module in found)


def test_no_production_module_imports_the_lab():
    offenders = {(path, module) for path, module in plugin_imports()
                 if not path.startswith(LAB + "/") and (module == "pos_plugin.lab" or module.startswith("pos_plugin.lab."))}
    assert offenders == set()


def test_only_the_cli_registry_names_the_lab():
    # A dotted name in a string is how a lazy import would sneak in: only the CLI's registry may hold one.
    naming = set()
    for path in sorted((ROOT / "pos_plugin").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith(LAB + "/"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and "pos_plugin.lab" in node.value:
                naming.add(relative)
    assert naming == {LAB_REGISTRY}


def test_http_to_the_platform_only_in_the_transport():
    # One adapter speaks HTTP to the platform (http.client, ssl, sockets; http_env.py reads its proxy and CA bundle
    # from the environment once); requests and urllib3 are left to the lab's admin client of the simulator.
    assert users_of({"http", "ssl", "socket", "select"}) == {"pos_plugin/platform/transport.py",
                                                             "pos_plugin/platform/http_env.py"}
    assert users_of({"requests", "urllib3"}) == {"pos_plugin/lab/sim_admin.py"}


def test_imaging_libraries_only_in_qr_and_the_lab_scanner():
    # pyzbar and zxing-cpp decode: pos_plugin/qr only. Pillow: qr's decode path and the lab's test-image
    # generators (pos_plugin/lab/scanner); tests/unit/test_qr_adapters.py pins the exact files.
    assert {path.rsplit("/", 1)[0] for path in users_of({"pyzbar", "zxingcpp"})} == {"pos_plugin/qr"}
    assert {path.rsplit("/", 1)[0] for path in users_of({"PIL"})} == {"pos_plugin/qr", "pos_plugin/lab/scanner"}


def test_psycopg_only_in_the_shared_till_store():
    assert users_of({"psycopg"}) == {"pos_plugin/platform/state_pg.py"}


def test_flask_only_in_the_agent():
    assert {path.rsplit("/", 1)[0] for path in users_of({"flask", "werkzeug"})} == {"pos_plugin/agent"}


# --- the simulator's layers: domain (pure) <- store; domain <- platform (use cases) <- protocol (HTTP) -----

def simulator_imports(package: str):
    """(path relative to ROOT, absolute module) for every import under simulator/<package>."""
    for path, module in imported_modules(f"simulator/{package}"):
        relative = path.relative_to(ROOT).as_posix()
        if module.startswith("."):  # resolve a relative import against the file's package
            level = len(module) - len(module.lstrip("."))
            base = list(path.relative_to(ROOT).parent.parts)[: len(path.relative_to(ROOT).parent.parts) - level + 1]
            module = ".".join([*base, module.lstrip(".")] if module.lstrip(".") else base)
        yield relative, module


def test_the_simulator_scanner_sees_imports():
    # Guards the simulator checks below against passing vacuously.
    assert ("simulator/domain/money.py", "decimal") in set(simulator_imports("domain"))
    assert any(m.startswith("sqlalchemy") for _, m in simulator_imports("store"))
    assert ("simulator/platform/deps.py", "simulator.platform.ports") in set(simulator_imports("platform"))
    # the composition root wires the concrete store into the platform
    assert "simulator.store.store" in set(modules_in(ast.parse((ROOT / "simulator/app.py").read_text(encoding="utf-8"))))
    assert any(m.startswith("flask") for _, m in simulator_imports("protocol"))


def test_the_import_scanner_sees_every_kind_of_import():
    # Guards the layer rules against a relative, from-a-package or importlib import slipping past them.
    source = ("from simulator import store\nfrom ..store import tables\nfrom . import x\n"
              "import importlib\nimportlib.import_module('simulator.store.deferred')\n")
    found = set(modules_in(ast.parse(source)))
    assert {"simulator.store", "..store", "..store.tables", ".x", "simulator.store.deferred"} <= found


def test_simulator_domain_imports_only_the_standard_library():
    offenders = [(path, module) for path, module in simulator_imports("domain")
                 if not module.startswith("simulator.domain") and module != "__future__"
                 and module.split(".")[0] not in sys.stdlib_module_names]
    assert offenders == []


def test_simulator_platform_imports_neither_flask_nor_sqlalchemy():
    offenders = [(path, module) for path, module in simulator_imports("platform")
                 if module.split(".")[0] in {"flask", "werkzeug", "sqlalchemy"}]
    assert offenders == []


def test_simulator_store_never_imports_platform_or_protocol():
    offenders = [(path, module) for path, module in simulator_imports("store")
                 if module.startswith(("simulator.platform", "simulator.protocol"))]
    assert offenders == []


def test_store_table_modules_do_not_import_each_other_back():
    # tables.py registers tables_family / tables_traffic; they share simulator/store/metadata.py instead.
    offenders = [(path, module) for path, module in simulator_imports("store")
                 if path.startswith("simulator/store/tables_") and module == "simulator.store.tables"]
    assert offenders == []


def test_simulator_protocol_never_imports_the_store():
    # The Flask layer parses, calls the platform and shapes replies: nonces, app sessions, console reads
    # and the deferred commit are the platform's (simulator/platform/access.py, console.py).
    offenders = [(path, module) for path, module in simulator_imports("protocol")
                 if module == "simulator.store" or module.startswith("simulator.store.")]
    assert offenders == []


def platform_store_imports():
    """The imports of simulator.store under simulator/platform (which talks to the store through
    simulator/platform/ports.py; the composition root simulator/app.py wires the concrete Store)."""
    return [(path, module) for path, module in simulator_imports("platform")
            if module == "simulator.store" or module.startswith("simulator.store.")]


def test_simulator_platform_never_imports_the_store():
    assert platform_store_imports() == []


def test_the_platform_store_rule_catches_a_planted_import(tmp_path, monkeypatch):
    # Guards the rule above: a platform module importing the store (relatively, too) is an offender.
    planted = tmp_path / "simulator" / "platform" / "settlement"
    planted.mkdir(parents=True)
    (planted / "leak.py").write_text("from ...store.store import Tx\nfrom simulator.store import inspection\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert set(platform_store_imports()) == {("simulator/platform/settlement/leak.py", "simulator.store.store.Tx"),
                                             ("simulator/platform/settlement/leak.py", "simulator.store.store"),
                                             ("simulator/platform/settlement/leak.py", "simulator.store.inspection"),
                                             ("simulator/platform/settlement/leak.py", "simulator.store")}


def test_the_receipt_does_not_import_the_checkout():
    """Layout and masking (pos_plugin/receipt.py) know nothing of the checkout; checkout/sale_receipt.py adapts
    a Sale to a Receipt, so the two never import each other (issue 16 item 5)."""
    receipt = [m for p, m in imported_modules("pos_plugin") if p.name == "receipt.py" and p.parent.name == "pos_plugin"]
    assert "pos_plugin.present" in receipt  # the scanner saw the file
    assert [m for m in receipt if m.startswith("pos_plugin.checkout")] == []


# --- the platform's ports: repositories per aggregate, typed, small; composition, not inheritance ----------

PORT_FILES = ("simulator/platform/ports.py", "simulator/platform/repositories.py",
              "simulator/platform/catalogue/repository.py")


def protocol_classes(relative: str):
    tree = ast.parse((ROOT / relative).read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and any(getattr(b, "id", None) == "Protocol" for b in node.bases):
            yield node


def test_the_port_scanner_sees_the_ports():
    names = {c.name for f in PORT_FILES for c in protocol_classes(f)}
    assert {"UnitOfWork", "StorePort", "SettlementRepository", "VisitRepository", "PersonRepository"} <= names


def test_no_port_has_more_than_twelve_methods():
    sizes = {c.name: sum(isinstance(n, ast.FunctionDef) for n in c.body) for f in PORT_FILES for c in protocol_classes(f)}
    assert sizes and {name: n for name, n in sizes.items() if n > 12 and name != "UnitOfWork"} == {}
    # the unit of work is one read-only property per repository, no methods of its own
    unit = next(c for c in protocol_classes("simulator/platform/ports.py") if c.name == "UnitOfWork")
    assert all(any(getattr(d, "id", None) == "property" for d in n.decorator_list)
               for n in unit.body if isinstance(n, ast.FunctionDef))


def untyped_port_parts():
    """Every `Any` and every `**values` in the ports and repositories."""
    offenders = []
    for relative in PORT_FILES:
        tree = ast.parse((ROOT / relative).read_text(encoding="utf-8"))
        offenders += [(relative, type(node).__name__) for node in ast.walk(tree)
                      if (isinstance(node, ast.Name) and node.id == "Any")
                      or (isinstance(node, ast.arguments) and node.kwarg is not None)]
    return offenders


def test_ports_and_repositories_take_no_any_and_no_column_keywords():
    assert untyped_port_parts() == []


def test_the_any_rule_catches_a_planted_any(tmp_path, monkeypatch):
    planted = tmp_path / "simulator" / "platform"
    planted.mkdir(parents=True)
    for relative in PORT_FILES:
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text("from typing import Any, Protocol\nclass P(Protocol):\n"
                                         "    def f(self, **values: Any) -> None: ...\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert sorted(untyped_port_parts()) == sorted([(f, kind) for f in PORT_FILES for kind in ("Name", "arguments")])


def test_platform_areas_are_composed_not_inherited():
    # PlatformBase / FamilyBase are gone: a use-case area holds its collaborators (platform/deps.py).
    subclassing = []
    for path in sorted((ROOT / "simulator/platform").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases = {getattr(b, "id", getattr(b, "attr", "")) for b in node.bases}
                if bases - {"Protocol", "Exception"}:
                    subclassing.append((path.relative_to(ROOT).as_posix(), node.name, sorted(bases)))
    assert subclassing == []
    assert not (ROOT / "simulator/platform/base.py").exists() and not (ROOT / "simulator/platform/family/base.py").exists()


def test_the_memory_store_needs_no_database():
    offenders = [(p, m) for p, m in simulator_imports("store/memory") if m.split(".")[0] == "sqlalchemy"
                 or m.startswith(("simulator.platform", "simulator.protocol"))]
    assert offenders == [] and any(m == "simulator.store.memory.state" for _, m in simulator_imports("store/memory"))


def test_only_the_composition_roots_join_platform_and_store():
    joined = []
    for path in sorted((ROOT / "simulator").glob("*.py")):
        modules = set(modules_in(ast.parse(path.read_text(encoding="utf-8"))))
        if any(m.startswith("simulator.platform") for m in modules) and any(m.startswith("simulator.store") for m in modules):
            joined.append(path.name)
    assert {"app.py", "memory.py"} <= set(joined)
