"""COVERAGE.md names every API the fake serves (regenerate with ``make coverage``)."""

from __future__ import annotations

from pathlib import Path

from sterling_mock.mock_server.apis import APIS

ROOT = Path(__file__).resolve().parent.parent


def test_every_api_is_on_the_coverage_page() -> None:
    page = (ROOT / "COVERAGE.md").read_text(encoding="utf-8")
    missing = [name for name in APIS if f"| `{name}` |" not in page]
    assert missing == [], f"run `make coverage`: {missing} missing from COVERAGE.md"


def test_every_api_documents_itself() -> None:
    undocumented = [name for name, spec in APIS.items() if not (spec.fn.__doc__ or "").strip()]
    assert undocumented == []


def test_a_recording_s_stubbed_apis_are_listed_apart(tmp_path: Path) -> None:
    """``make coverage STUBS=...``: the APIs a stub file answers that the fake does not model get a section of
    their own, and a modelled API a stub overrides is named as such."""
    import json
    import subprocess
    import sys

    stubs = tmp_path / "stubs.json"
    stubs.write_text(
        json.dumps(
            {
                "stubs": [
                    {"api": "getLoyaltyTierList", "answer": "<LoyaltyTierList/>"},
                    {"api": "getOrderDetails", "override": True, "answer": "<Order/>"},
                ]
            }
        )
    )
    out = tmp_path / "COVERAGE.md"
    script = ROOT / "scripts" / "coverage_page.py"
    done = subprocess.run(
        [sys.executable, str(script), "--stubs", str(stubs), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    page = out.read_text(encoding="utf-8")
    section = page[page.index("## Answered from a recording: stubs.json") :]
    assert "getLoyaltyTierList" in section
    assert "getOrderDetails" in section[section.index("override") :]
    assert "| `getLoyaltyTierList` |" not in page[: page.index("## Answered from a recording")]


def test_every_error_code_means_one_thing() -> None:
    """One class per code: two conditions sharing a code (an unknown customer and an unknown reservation both
    answered MOCK0900 once) would make a client's error handling guess."""
    import sterling_mock.mock_server.calls.dispatch  # noqa: F401  (every error class loaded)
    from sterling_mock.mock_server.base.errors import SterlingError

    by_code: dict[str, list[str]] = {}
    todo: list[type[SterlingError]] = [SterlingError]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls is not SterlingError:
            by_code.setdefault(cls.code, []).append(cls.__name__)
    assert {code: names for code, names in by_code.items() if len(names) > 1} == {}
    page = (ROOT / "COVERAGE.md").read_text(encoding="utf-8")
    assert [code for code in by_code if f"| `{code}` |" not in page] == []
