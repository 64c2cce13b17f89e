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
