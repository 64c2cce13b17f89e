"""Write COVERAGE.md: every Sterling API the fake serves, its door notes and deviations (from the API
function's docstring), and how many tests name it — unit tests and contract tests by marker.

Run: ``.venv/bin/python scripts/coverage_page.py [--stubs recordings/NAME ...] [--out FILE]`` (``make coverage
[STUBS=recordings/NAME]``).  The hand-written parts of the page live in ``scripts/coverage_intro.md`` and
``scripts/coverage_outro.md``; each ``--stubs`` recording or stub file adds a section listing the APIs it answers
that the fake does not model, apart from the modelled ones it overrides.
"""

from __future__ import annotations

import argparse
import ast
import inspect
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sterling_mock.mock_server.apis import APIS  # noqa: E402

MARKERS = ("verified", "unverified", "fake_only")


def _markers(decorators: list[ast.expr]) -> set[str]:
    found = set()
    for deco in decorators:
        text = ast.unparse(deco)
        for marker in MARKERS:
            if f"mark.{marker}" in text:
                found.add(marker)
    return found


def _module_markers(tree: ast.Module) -> set[str]:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "pytestmark" for t in node.targets):
            return {m for m in MARKERS if f"mark.{m}" in ast.unparse(node.value)}
    return set()


def test_functions(folder: Path) -> list[tuple[str, set[str]]]:
    """(source of each test function, its markers) under ``folder``."""
    out = []
    for path in sorted(folder.rglob("test_*.py")):
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        module = _module_markers(tree)
        nodes = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
        for node in nodes:
            if node.name.startswith("test"):
                out.append(
                    (ast.get_source_segment(source, node) or "", module | _markers(node.decorator_list))
                )
    return out


def mentions(source: str, api: str) -> bool:
    return f'"{api}"' in source or f"'{api}'" in source or f"/{api}" in source


def error_table() -> list[str]:
    """Every error code the fake answers, from its error classes (one row per code; the first class's text)."""
    import sterling_mock.mock_server.calls.dispatch  # noqa: F401  (loads every error class, the stubs' too)
    from sterling_mock.mock_server.base.errors import SterlingError

    found: dict[str, tuple[int, str]] = {}
    todo = [SterlingError]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls is not SterlingError:
            found.setdefault(cls.code, (cls.http_status, cls.description))
    rows = ["| Code | HTTP | Description |", "|---|---|---|"]
    rows += [f"| `{code}` | {status} | {text} |" for code, (status, text) in sorted(found.items())]
    return [*rows, ""]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write COVERAGE.md")
    parser.add_argument("--stubs", action="append", default=[], help="a recording folder or stub file")
    parser.add_argument("--out", default=str(ROOT / "COVERAGE.md"))
    args = parser.parse_args(argv)
    unit = test_functions(ROOT / "tests")
    contract = test_functions(ROOT / "contract_tests") if (ROOT / "contract_tests").is_dir() else []
    lines = [(ROOT / "scripts" / "coverage_intro.md").read_text(encoding="utf-8").rstrip(), ""]
    lines += error_table()
    lines.append("## APIs\n")
    lines.append(
        "Counts are test functions (not parametrised cases) whose own source names the API; a test reaching it\n"
        "through a helper is not counted. No contract test is `verified` yet: none has run against a real Sterling.\n"
    )
    lines.append("| API | family | tests | contract tests (verified / unverified / fake_only) |")
    lines.append("|---|---|---|---|")
    for name, spec in sorted(APIS.items()):
        family = spec.fn.__module__.rsplit(".", 1)[-1]
        n_unit = sum(mentions(src, name) for src, _ in unit)
        counts: Counter[str] = Counter()
        for src, marks in contract:
            if mentions(src, name):
                counts.update(marks or {"(none)"})
        contract_text = " / ".join(str(counts.get(m, 0)) for m in MARKERS)
        lines.append(f"| `{name}` | {family} | {n_unit} | {contract_text} |")
    lines.append("")
    lines.append("## What each API does and leaves out\n")
    lines.append(
        "Collected from the API functions' docstrings (`mock_server/apis/`, `mock_server/apis/flows.py`).\n"
    )
    for name, spec in sorted(APIS.items()):
        doc = inspect.cleandoc(spec.fn.__doc__ or "(no notes)")
        void = " — void: HTTP 204 over REST, `<Output/>` in multiApi and interop" if spec.void else ""
        lines.append(f"### {name}\n\nInput `<{spec.input_root}>`, output `<{spec.output_root}>`{void}.\n")
        lines.append(doc + "\n")
    if args.stubs:
        from sterling_mock.mock_server.calls.stubs import StubError
        from sterling_mock.mock_server.recording.stubs import coverage_section

        for path in args.stubs:
            try:
                lines.append(coverage_section(path, frozenset(APIS)).rstrip() + "\n")
            except StubError as exc:
                print(f"coverage_page: {exc}", file=sys.stderr)
                return 2
    lines.append((ROOT / "scripts" / "coverage_outro.md").read_text(encoding="utf-8").rstrip())
    Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{args.out}: {len(APIS)} APIs, {len(unit)} unit tests, {len(contract)} contract tests")
    return 0


if __name__ == "__main__":
    sys.exit(main())
