"""The contract suite's switch and rules, run as users run them: ``make contract STERLING_URL=...`` against a
second fake started as if it were a real instance, the marker rule at collection, readable failures."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from contract_tests.target import from_environment, normalise_base_url
from tests.conftest import ROOT, LiveServer

CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.startswith(("STERLING_", "PYTEST_"))}
CLEAN_ENV["PYTEST_ADDOPTS"] = "-p no:faker -p no:hypothesispytest"  # conftest.QUIET_PLUGINS: ~1 s a run


def test_normalise_base_url() -> None:
    for given in ("http://h:9080", "http://h:9080/", "http://h:9080/smcfs", "http://h:9080/smcfs/restapi/"):
        assert normalise_base_url(given) == "http://h:9080/smcfs/restapi"


def test_target_from_environment() -> None:
    assert from_environment({}) is None
    real = from_environment(
        {"STERLING_URL": "https://oms.example", "STERLING_USER": "u", "STERLING_AUTH": "TOKEN"}
    )
    assert real is not None
    assert (real.base_url, real.user, real.password, real.auth, real.is_fake) == (
        "https://oms.example/smcfs/restapi",
        "u",
        "",
        "token",
        False,
    )
    with pytest.raises(ValueError, match="STERLING_AUTH"):
        from_environment({"STERLING_URL": "x", "STERLING_USER": "u", "STERLING_AUTH": "kerberos"})
    with pytest.raises(ValueError, match="STERLING_USER"):
        from_environment({"STERLING_URL": "x"})


def junit_cases(path: Path) -> dict[str, tuple[str, dict[str, str]]]:
    """test id -> (outcome, properties) from a JUnit XML report."""
    cases = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        outcome = "passed"
        for kind in ("failure", "error", "skipped"):
            found = case.find(kind)
            if found is not None:
                outcome = kind if kind != "skipped" else "skipped: " + (found.get("message") or "")
        props = {p.get("name", ""): p.get("value", "") for p in case.iter("property")}
        cases[f"{case.get('classname')}::{case.get('name')}"] = (outcome, props)
    return cases


@pytest.fixture(scope="module")
def as_if_real(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path_factory.mktemp("as-if-real"))
    seeded = requests.post(server.url + "/_fake/seed", json={"orders": 12, "seed": 5}, timeout=60)
    assert seeded.status_code == 200, seeded.text
    yield server
    server.stop()


def make_contract(
    server: LiveServer, tmp: Path, auth: str, args: str
) -> tuple[subprocess.CompletedProcess[str], Path]:
    junit = tmp / f"junit-{auth}.xml"
    command = [
        "make",
        "--no-print-directory",
        "-o",  # never reinstall the venv from a test, even when pyproject.toml is newer than the stamp
        ".venv/.installed",
        "contract",
        f"STERLING_URL={server.url}/smcfs",
        "STERLING_USER=admin",
        "STERLING_PASSWORD=password",
        f"STERLING_AUTH={auth}",
        f"JUNIT={junit}",
        f"ARGS=-p no:cacheprovider {args}",
    ]
    done = subprocess.run(command, cwd=ROOT, env=CLEAN_ENV, capture_output=True, text=True, timeout=600)
    return done, junit


def test_make_contract_read_only_against_a_url(as_if_real: LiveServer, tmp_path: Path) -> None:
    done, junit = make_contract(as_if_real, tmp_path, "basic", "")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    cases = junit_cases(junit)
    outcomes = Counter(outcome.split(":")[0] for outcome, _ in cases.values())
    assert outcomes["passed"] >= 10 and not outcomes["failure"] and not outcomes["error"], outcomes
    assert all(props.get("target") == "real" for _, props in cases.values())
    reasons = {outcome for outcome, props in cases.values() if outcome.startswith("skipped")}
    assert any("--allow-writes" in r for r in reasons) and any("fake_only" in r for r in reasons)
    for outcome, props in cases.values():  # every read-only test ran, every writing one was held back
        if props["contract"] == "fake_only":
            assert outcome.startswith("skipped")


def test_make_contract_with_writes_and_login_token(as_if_real: LiveServer, tmp_path: Path) -> None:
    done, junit = make_contract(as_if_real, tmp_path, "token", "--allow-writes")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    cases = junit_cases(junit)
    for name, (outcome, props) in cases.items():
        if props["contract"] == "fake_only" or "test_login_token" in name:
            continue
        assert outcome == "passed", (name, outcome)
    journal = requests.get(as_if_real.url + "/_fake/journal", params={"api": "login"}, timeout=10).json()
    assert journal["entries"], "STERLING_AUTH=token logs in through /invoke/login"


def suite_copy(tmp: Path, extra: str) -> Path:
    """The contract suite copied beside an extra test module, so collection rules can be tried safely."""
    copy = tmp / "contract_tests"
    shutil.copytree(
        ROOT / "contract_tests", copy, ignore=shutil.ignore_patterns("__pycache__", "regression", "parity")
    )
    (copy / "test_extra.py").write_text(textwrap.dedent(extra))
    return copy


def run_copy(copy: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {**CLEAN_ENV, "PYTHONPATH": str(ROOT), **(env or {})}
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--rootdir", str(copy.parent)]
    return subprocess.run(
        [*command, *args], cwd=copy.parent, env=env, capture_output=True, text=True, timeout=300
    )


def test_a_test_that_changes_the_target_needs_the_writes_marker(tmp_path: Path) -> None:
    """An unmarked test shares the read namespace: an order it made there became the read-only tests' "newest
    order" whenever it ran first, so the regression snapshots moved with the order files ran in."""
    copy = suite_copy(
        tmp_path,
        """
        import pytest

        pytestmark = pytest.mark.unverified

        @pytest.mark.parametrize("fmt", ["json"])
        def test_creates_unmarked(new_order):
            new_order(lines=1)

        @pytest.mark.parametrize("fmt", ["json"])
        def test_controls_unmarked(control):
            control("POST", "clock", {"freeze": True})

        @pytest.mark.writes
        @pytest.mark.parametrize("fmt", ["json"])
        def test_creates_marked(new_order, control):
            new_order(lines=1)
        """,
    )
    done = run_copy(copy, str(copy / "test_extra.py"))
    assert done.returncode == 1, done.stdout
    assert (
        "test_creates_unmarked[json]: new_order creates orders, so the test needs @pytest.mark.writes"
        in done.stdout
    )
    assert (
        "test_controls_unmarked[json]: control changes the fake's settings, so the test needs" in done.stdout
    )
    assert "2 errors" in done.stdout and "1 passed" in done.stdout, done.stdout


def test_collection_fails_without_exactly_one_marker(tmp_path: Path) -> None:
    copy = suite_copy(
        tmp_path,
        """
        import pytest

        def test_unmarked():
            pass

        @pytest.mark.unverified
        @pytest.mark.fake_only
        def test_two_markers():
            pass
        """,
    )
    done = run_copy(copy, str(copy / "test_extra.py"))
    assert done.returncode != 0
    output = done.stdout + done.stderr
    assert "exactly one of" in output
    assert "test_extra.py::test_unmarked: no marker" in output
    assert "test_extra.py::test_two_markers: ['unverified', 'fake_only']" in output


def test_failure_shows_the_request_and_the_answer(tmp_path: Path) -> None:
    copy = suite_copy(
        tmp_path,
        """
        import pytest

        pytestmark = pytest.mark.unverified

        @pytest.mark.parametrize("fmt", ["json"])
        def test_wrong_expectation(sterling):
            out = sterling.invoke("getOrderList", {"OrderNo": "NO-SUCH-ORDER"})
            assert out["TotalOrderList"] == "1"
        """,
    )
    done = run_copy(copy, str(copy / "test_extra.py"))
    assert done.returncode == 1
    assert "sterling calls (last 3)" in done.stdout
    assert "POST http://127.0.0.1:" in done.stdout and "/smcfs/restapi/invoke/getOrderList" in done.stdout
    assert '{"OrderNo":"NO-SUCH-ORDER"}' in done.stdout and "-> HTTP 200" in done.stdout
