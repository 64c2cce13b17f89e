"""The architecture as checked facts: no import cycles, the import-linter contracts of ``.importlinter`` kept, and
one import name (``sterling_mock``) used everywhere -- the generic names ``mock_server``, ``client`` and
``fixtures`` are never imported, so a user project with its own ``client.py`` or ``fixtures/`` keeps them."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
GENERIC = ("mock_server", "client", "fixtures")


def _cycles(graph: grimp.ImportGraph, prefix: str) -> list[list[str]]:
    """Strongly connected components (Tarjan) of the modules under ``prefix``, counting every import
    (functions' and type checkers' ones too) and a package's ``__init__`` as a module of its own."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(module: str) -> None:
        nonlocal counter
        index[module] = low[module] = counter
        counter += 1
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if not imported.startswith(prefix):
                continue
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(m for m in graph.modules if m.startswith(prefix)):
        if module not in index:
            visit(module)
    return found


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("sterling_mock", cache_dir=None)


@pytest.mark.parametrize(
    "package", ["sterling_mock.mock_server", "sterling_mock.client", "sterling_mock.fixtures"]
)
def test_no_import_cycles(graph: grimp.ImportGraph, package: str) -> None:
    assert _cycles(graph, package) == []


def test_a_planted_cycle_is_found() -> None:
    """The cycle finder itself: two modules importing each other are one component."""
    planted = grimp.ImportGraph()
    for name in ("pkg", "pkg.a", "pkg.b", "pkg.c"):
        planted.add_module(name)
    planted.add_import(importer="pkg.a", imported="pkg.b")
    planted.add_import(importer="pkg.b", imported="pkg.a")
    planted.add_import(importer="pkg.c", imported="pkg.a")
    assert _cycles(planted, "pkg") == [["pkg.a", "pkg.b"]]


def test_the_import_contracts_hold() -> None:
    """``.importlinter`` (layers, no cycles, the client and fixtures alone, no HTTP below the doors, the
    console as a client), as ``make lint`` checks it, so CI holds the architecture too."""
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint is not None, "import-linter is a dev dependency (make install)"
    done = subprocess.run([lint, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-4000:]


def _python_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [
        ROOT / name for name in listed if not name.startswith("sterling_mock/") and (ROOT / name).exists()
    ]


def test_nothing_imports_the_generic_names() -> None:
    offenders = []
    for path in _python_files():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            offenders += [
                f"{path.relative_to(ROOT)}:{node.lineno} {name}"
                for name in names
                if name.split(".")[0] in GENERIC
            ]
    assert offenders == []


def test_every_package_folder_is_reached_through_the_one_name() -> None:
    """The top-level folders are linked under ``sterling_mock/``: each of their packages imports by the one
    name, from the files in the folder (not a copy)."""
    import importlib

    for top in GENERIC:
        for init in sorted((ROOT / top).rglob("__init__.py")):
            dotted = ".".join(("sterling_mock", *init.parent.relative_to(ROOT).parts))
            module = importlib.import_module(dotted)
            assert module.__file__ is not None
            assert Path(module.__file__).resolve() == init.resolve(), dotted
