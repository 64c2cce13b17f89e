"""Mutation testing of the core with mutmut 3: ``make mutate`` (every mutant of the JSON/XML mapping in
``client/wire.py``, the query language in ``mock_server/domain/queries/query.py`` and the status ordering in
``mock_server/domain/statuses.py``, against the tests that cover them) and ``make mutate-check`` (a small, fast
subset: the mutants of the rules most likely to be wrong unnoticed, with a budget of survivors).

mutmut imports the code under the module name its path gives, so it runs in a copy of the tree
(``var/mutate/<profile>/``) where ``sterling_mock/`` holds the code itself instead of links to the top-level
folders; mutmut's own ``mutants/`` folder lands there, never in the working tree.  The configuration is
``[tool.mutmut]`` in pyproject.toml (what ``make mutate`` runs); ``--check`` narrows it.

    python scripts/mutate.py            # the full run: score per module, every survivor with its diff
    python scripts/mutate.py --check    # the subset: fails when more than BUDGET mutants survive
"""

from __future__ import annotations

import argparse
import fnmatch
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parent.parent
MUTMUT = Path(sys.executable).parent / "mutmut"
MODULES = {
    "sterling_mock.client.wire": "client/wire.py",
    "sterling_mock.mock_server.domain.queries.query": "mock_server/domain/queries/query.py",
    "sterling_mock.mock_server.domain.statuses": "mock_server/domain/statuses.py",
}
#: The fast subset: mutants of the functions where a wrong rule hides best (the JSON array rule, QryType
#: comparisons, status ordering), each run against the tests written to kill them.
CHECK_MUTANTS = (
    "sterling_mock.client.wire.x_is_list_child__mutmut_*",
    "sterling_mock.client.wire.x_to_jsonable__mutmut_*",
    "sterling_mock.mock_server.domain.statuses.x_sort_key__mutmut_*",
    "sterling_mock.mock_server.domain.queries.query.xǁCondǁtest_one__mutmut_*",
)
CHECK_TESTS = ["tests/test_mutants_core.py"]
#: Survivors the fast subset may have (each is listed with its diff when the check runs).  Today 2, both
#: equivalent: statuses.sort_key with ``zfill(9)[-8:]`` or ``zfill(8)[-9:]`` orders every code whose segments
#: have at most 8 digits exactly as ``zfill(8)[-8:]`` does.
BUDGET = 2
KILLED = ("killed", "timeout")


def copy_tree(workdir: Path, *, again: bool = False) -> None:
    """The tree as mutmut needs it: sterling_mock/ with real folders, the tests, the pytest configuration.
    ``again`` keeps the previous run's code and mutants and refreshes only the tests."""
    ignore = shutil.ignore_patterns("__pycache__", "mutants", "*.db", "*.db-wal", "*.db-shm", "*.db-spool")
    names = ["sterling_mock", "tests", "contract_tests"]
    if again:
        names.remove("sterling_mock")
        for name in names:
            shutil.rmtree(workdir / name, ignore_errors=True)
            shutil.rmtree(workdir / "mutants" / name, ignore_errors=True)
    elif workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    for name in names:  # symlinks=False: the links to the top-level folders become folders
        shutil.copytree(ROOT / name, workdir / name, symlinks=False, ignore=ignore)
    shutil.copy2(ROOT / "conftest.py", workdir / "conftest.py")
    if not again:
        shutil.copy2(ROOT / "pyproject.toml", workdir / "pyproject.toml")


def configure(workdir: Path, check: bool) -> list[str]:
    """Write the copy's [tool.mutmut] (narrowed for --check); answer the mutant names to run ([] = all)."""
    pyproject = workdir / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    settings = dict(tomllib.loads(text)["tool"]["mutmut"])
    if check:
        settings["pytest_add_cli_args_test_selection"] = CHECK_TESTS
    section = "\n".join(f"{key} = {toml_value(value)}" for key, value in settings.items())
    text = re.sub(r"\[tool\.mutmut\][^\[]*", f"[tool.mutmut]\n{section}\n\n", text, flags=re.S)
    pyproject.write_text(text, encoding="utf-8")
    return list(CHECK_MUTANTS) if check else []


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, (int, float)):
        return str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def results(workdir: Path) -> dict[str, str]:
    """mutant name -> status (killed, survived, no tests, timeout, suspicious, skipped)."""
    done = subprocess.run(
        [str(MUTMUT), "results", "--all", "true"], cwd=workdir, capture_output=True, text=True, check=True
    )
    found = {}
    for line in done.stdout.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep and name.startswith("sterling_mock."):
            found[name] = status
    return found


def module_of(name: str) -> str:
    return next((m for m in MODULES if name.startswith(m + ".")), "?")


def scoped(found: dict[str, str], patterns: list[str]) -> dict[str, str]:
    """The results of the mutants the patterns name (all of them when there are none)."""
    if not patterns:
        return found
    return {k: v for k, v in found.items() if any(fnmatch.fnmatchcase(k, p) for p in patterns)}


def report(workdir: Path, found: dict[str, str], names: list[str], *, diffs: bool) -> tuple[str, list[str]]:
    """A readable report (score per module, each survivor, with its diff when ``diffs``) and the survivors."""
    found = scoped(found, names)
    lines = []
    for module, path in MODULES.items():
        mine = {k: v for k, v in found.items() if module_of(k) == module}
        if not mine:
            continue
        counts = Counter(mine.values())
        killed = sum(counts[k] for k in KILLED)
        score = 100.0 * killed / len(mine)
        detail = ", ".join(f"{status} {n}" for status, n in sorted(counts.items()))
        lines.append(f"{path}: {len(mine)} mutants, score {score:.1f}% ({detail})")
    survivors = sorted(k for k, v in found.items() if v not in KILLED)
    total = len(found)
    killed_all = sum(1 for v in found.values() if v in KILLED)
    lines.append(f"all: {total} mutants, {killed_all} killed, {len(survivors)} not killed")
    for name in survivors:
        if not diffs:
            lines.append(f"{name}: {found[name]}")
            continue
        shown = subprocess.run(
            [str(MUTMUT), "show", name], cwd=workdir, capture_output=True, text=True, check=False
        )
        lines.append(f"\n--- {name}: {found[name]}\n{shown.stdout.strip()}")
    if survivors and not diffs:
        lines.append(f"(each one's diff: cd {workdir} && {MUTMUT} show NAME)")
    return "\n".join(lines) + "\n", survivors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="the fast subset, with its budget of survivors")
    parser.add_argument("--max-children", default="2", help="mutmut's parallel workers (default 2)")
    parser.add_argument(
        "--workdir", type=Path, default=None, help="where the copy goes (var/mutate/<profile>)"
    )
    parser.add_argument(
        "--again",
        action="store_true",
        help="after adding tests: rerun only the mutants the last run left alive, with the tests as they are "
        "now (the code must be unchanged since that run)",
    )
    parser.add_argument("--report", action="store_true", help="only report on the last run in the workdir")
    args = parser.parse_args(argv)
    profile = "check" if args.check else "full"
    workdir = args.workdir or ROOT / "var" / "mutate" / profile
    started = time.monotonic()
    if args.report:
        return finish(workdir, profile, args.check, started)
    scope = list(CHECK_MUTANTS) if args.check else []
    alive = [k for k, v in scoped(results(workdir), scope).items() if v not in KILLED] if args.again else []
    if args.again and not alive:
        print("no mutant left alive by the last run")
        return 0
    copy_tree(workdir, again=args.again)
    names = alive or configure(workdir, args.check)
    run = subprocess.run(
        [str(MUTMUT), "run", "--max-children", str(args.max_children), *names],
        cwd=workdir,
        capture_output=True,
        text=True,
        check=False,
    )
    if run.returncode != 0:
        print(run.stdout[-4000:] + run.stderr[-4000:], file=sys.stderr)
        return run.returncode
    return finish(workdir, profile, args.check, started)


def finish(workdir: Path, profile: str, check: bool, started: float) -> int:
    """Write and print the report; for --check, fail past the budget."""
    scope = list(CHECK_MUTANTS) if check else []
    text, survivors = report(workdir, results(workdir), scope, diffs=check)
    (workdir.parent / f"{profile}-report.txt").write_text(text, encoding="utf-8")
    print(text)
    print(
        f"({profile}: {time.monotonic() - started:.0f} s; report: {workdir.parent / f'{profile}-report.txt'})"
    )
    if check and len(survivors) > BUDGET:
        print(f"mutate-check: {len(survivors)} survivors, budget {BUDGET}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
