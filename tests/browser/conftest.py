"""Browser tests of the demo console: Playwright driving the system Chromium against a real server.

Chromium comes from the system (Debian's ``chromium`` package), never from a Playwright download: set
``STERLING_MOCK_CHROMIUM`` to use another binary.  Without one (or without the ``playwright`` package) every
test here is skipped with a message saying how to install it.  Screenshots go to ``var/screenshots`` or to
``STERLING_MOCK_SCREENSHOTS`` (``make screenshots`` writes ``docs/screenshots`` for the README).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.conftest import ROOT, LiveServer

CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
INSTALL_HINT = (
    "no Chromium found: install Debian's package (`apt-get install -y chromium`; `make test` does it when "
    "run as root) or point STERLING_MOCK_CHROMIUM at a Chromium binary"
)


def chromium_path() -> str | None:
    given = os.environ.get("STERLING_MOCK_CHROMIUM")
    if given:
        return given if os.access(given, os.X_OK) else None
    for candidate in CANDIDATES:
        if os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which("chromium")
    return found


def screenshot_dir() -> Path:
    target = Path(os.environ.get("STERLING_MOCK_SCREENSHOTS") or ROOT / "var" / "screenshots")
    target.mkdir(parents=True, exist_ok=True)
    return target


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    executable = chromium_path()
    if executable is None:
        pytest.skip(INSTALL_HINT)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is missing: `make install` installs the dev dependencies")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            # root in a container: no sandbox; a small /dev/shm: use /tmp
            args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def console_server(tmp_path_factory: pytest.TempPathFactory, browser: Any) -> Iterator[LiveServer]:
    """A real server (gunicorn, 2 workers) with 60 orders across statuses, frozen at a fixed time."""
    server = LiveServer(tmp_path_factory.mktemp("console"))
    try:
        requests.post(
            f"{server.url}/_fake/clock", json={"set": "2025-03-14T09:00:00Z", "freeze": True}, timeout=10
        )
        mix = {"1100": 3, "1500": 1, "3200": 1, "3700": 2, "9000": 0.5}
        seeded = requests.post(
            f"{server.url}/_fake/seed", json={"orders": 60, "seed": 42, "statuses": mix}, timeout=60
        )
        assert seeded.status_code == 200, seeded.text
        requests.delete(f"{server.url}/_fake/journal", timeout=10)
        yield server
    finally:
        server.stop()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, device_scale_factor=1)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    context.close()
