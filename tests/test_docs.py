"""The project's documents stand on their own: no tracked file names a path outside the repository, and every
relative link in the Markdown documents leads to a file that exists."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

#: Developer notes kept beside the repository, which users of the project do not have.
OUTSIDE_NOTES = re.compile(
    r"(?:\.\./|\b)shared/(?:design|control-plane|sterling-reference|performance-notes)(?:\.md)?\b"
)
#: Absolute paths of the machine the project was written on, and the notes' folder beside the repository
#: (relative links climbing out of the repository are caught by the link test below).
OUTSIDE_PATHS = re.compile(r"(?<![\w.])(?:/work/|/tmp/coord\b|\.\./shared\b)")
MARKDOWN_LINK = re.compile(r"\]\(([^)\s]+)\)")
DOCS = [
    "README.md",
    "CONTRIBUTING.md",
    *sorted(p.relative_to(ROOT).as_posix() for p in ROOT.glob("docs/*.md")),
]


def tracked_text_files() -> list[Path]:
    names = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout.split(
        b"\0"
    )
    files = []
    for name in names:
        path = ROOT / name.decode()
        if not name or not path.is_file() or path.suffix in {".png", ".jpg", ".gz", ".db", ".ico", ".woff2"}:
            continue
        files.append(path)
    return files


def test_no_tracked_file_names_a_path_outside_the_repository() -> None:
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: no list of tracked files")
    this = Path(__file__).resolve()
    found = []
    for path in tracked_text_files():
        if path.resolve() == this:  # the patterns themselves
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if OUTSIDE_NOTES.search(line) or OUTSIDE_PATHS.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:120]}")
    assert not found, "paths outside the repository:\n" + "\n".join(found)


@pytest.mark.parametrize("doc", DOCS)
def test_relative_links_lead_to_files_of_the_repository(doc: str) -> None:
    path = ROOT / doc
    broken = []
    for target in MARKDOWN_LINK.findall(path.read_text(encoding="utf-8")):
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            continue  # a web address, or an anchor of the same page
        resolved = (path.parent / target.split("#", 1)[0]).resolve()
        if ROOT.resolve() not in resolved.parents or not resolved.exists():
            broken.append(target)
    assert not broken, f"{doc} links to nothing inside the repository: {broken}"


def test_the_user_documents_are_linked_from_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for doc in ("docs/control-plane.md", "docs/wire.md", "docs/polling.md"):
        assert f"]({doc})" in readme, doc
