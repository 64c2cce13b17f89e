"""The contract suite takes every value it needs from the instance through options (``--sterling-*``, the
environment, ini keys), so the same tests pass against a second instance with other master data: a fake loaded
with ``contract_tests/alternate/masterdata.json`` (another enterprise, seller, items in other units and product
class, other nodes, another sub-status and transaction) -- as the suite's own fake, and behind ``STERLING_URL``
in strict master-data mode as if it were a real instance -- and fails when the options do not match."""

from __future__ import annotations

import os
import subprocess
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from contract_tests.instance import OPTIONS, Item, resolve
from tests.conftest import ROOT, LiveServer

ALTERNATE = ROOT / "contract_tests" / "alternate"
MASTER_DATA = ALTERNATE / "masterdata.json"
SECOND = (ALTERNATE / "options.txt").read_text(encoding="utf-8").split()
CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.startswith(("STERLING_", "PYTEST_"))}
if "STERLING_MOCK_DB_REDIRECT" in os.environ:  # the PostgreSQL pass: child servers land in its cluster too
    CLEAN_ENV["STERLING_MOCK_DB_REDIRECT"] = os.environ["STERLING_MOCK_DB_REDIRECT"]


def make_contract(
    tmp: Path, env: dict[str, str], *args: str
) -> tuple[subprocess.CompletedProcess[str], Path]:
    junit = tmp / "junit.xml"
    command = [
        "make",
        "--no-print-directory",
        "-o",  # never reinstall the venv from a test
        ".venv/.installed",
        "contract",
        f"JUNIT={junit}",
        "ARGS=-p no:cacheprovider " + " ".join(args),
        *(f"{k}={v}" for k, v in env.items() if k in ("STERLING_URL", "STERLING_USER", "STERLING_PASSWORD")),
    ]
    done = subprocess.run(
        command, cwd=ROOT, env={**CLEAN_ENV, **env}, capture_output=True, text=True, timeout=600
    )
    return done, junit


def outcomes(junit: Path) -> dict[str, str]:
    """test id -> passed / failure / error / skipped: <message>."""
    found = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        outcome = "passed"
        for kind in ("failure", "error", "skipped"):
            element = case.find(kind)
            if element is not None:
                outcome = kind if kind != "skipped" else "skipped: " + (element.get("message") or "")
        found[f"{case.get('classname')}::{case.get('name')}"] = outcome
    return found


def assert_passed(done: subprocess.CompletedProcess[str], junit: Path) -> dict[str, str]:
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-2000:]
    found = outcomes(junit)
    counts = Counter(outcome.split(":")[0] for outcome in found.values())
    assert counts["passed"] >= 60 and not counts["failure"] and not counts["error"], counts
    return found


def test_second_option_set_against_the_suites_own_fake(tmp_path: Path) -> None:
    """The fake the suite starts itself, loaded with the other master data, strict: an ItemID, unit, node,
    enterprise or seller the options do not name would be refused (YCM0033, YFS10048, MOCK0202)."""
    env = {"STERLING_MOCK_MASTER_DATA_FILE": str(MASTER_DATA), "STERLING_MOCK_STRICT_MASTER_DATA": "1"}
    done, junit = make_contract(tmp_path, env, *SECOND)
    found = assert_passed(done, junit)
    skipped = {name: why for name, why in found.items() if why.startswith("skipped")}
    assert all("test_seeded_orders_are_listed" in name for name in skipped), (
        skipped
    )  # Faker's seed needs its data
    assert any("two_nodes" in name and why == "passed" for name, why in found.items())


@pytest.fixture(scope="module")
def second_instance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = LiveServer(
        tmp_path_factory.mktemp("second"), "--strict-master-data", "--master-data-file", str(MASTER_DATA)
    )
    yield server
    server.stop()


def test_second_option_set_against_a_url_as_if_real(second_instance: LiveServer, tmp_path: Path) -> None:
    """Behind STERLING_URL the fake is treated as a real instance: no control plane, its own data only."""
    env = {
        "STERLING_URL": second_instance.url + "/smcfs",
        "STERLING_USER": "admin",
        "STERLING_PASSWORD": "password",
    }
    done, junit = make_contract(tmp_path, env, "--allow-writes", *SECOND)
    found = assert_passed(done, junit)
    for name, outcome in found.items():
        if outcome != "passed":
            assert "fake_only" in outcome or "test_login_token" in name, (name, outcome)


def test_options_that_do_not_match_the_instance_fail(second_instance: LiveServer, tmp_path: Path) -> None:
    """The fake's default values against the second instance: refused, so the suite can disagree."""
    env = {
        "STERLING_URL": second_instance.url + "/smcfs",
        "STERLING_USER": "admin",
        "STERLING_PASSWORD": "password",
    }
    done, _ = make_contract(tmp_path, env, "--allow-writes", "-x")
    assert done.returncode != 0
    assert "YCM0033" in done.stdout or "MOCK0202" in done.stdout, done.stdout[-3000:]


# ------------------------------------------------------------------------------------------ resolution


def test_defaults_are_the_fakes_values() -> None:
    got = resolve({}, {}, {})
    assert (got.enterprise, got.seller, got.document_type) == ("Matrix-R", "Matrix-R", "0001")
    assert got.items[:2] == (Item("SHOE-100", "EACH", "GOOD"), Item("MUG-100", "EACH", "GOOD"))
    assert (got.nodes, got.node) == (("DC_EAST", "DC_WEST"), "DC_EAST")
    assert (got.hold_type, got.status_transaction, got.drop_status) == (
        "CUSTOMER_HOLD",
        "READY_FOR_SHIP.0001.ex",
        "3200.10",
    )


def test_command_line_beats_environment_beats_ini() -> None:
    ini = {"sterling_enterprise": "FROM-INI", "sterling_items": ["A:CASE", "B"], "sterling_seller": "S-INI"}
    env = {"STERLING_ENTERPRISE": "FROM-ENV", "STERLING_NODES": "N1, N2 N3"}
    cli = {"sterling_enterprise": "FROM-CLI"}
    got = resolve(cli, ini, env)
    assert (got.enterprise, got.seller, got.nodes) == ("FROM-CLI", "S-INI", ("N1", "N2", "N3"))
    assert got.items == (Item("A", "CASE", ""), Item("B", "EACH", ""))
    assert got.items[1].doc() == {"ItemID": "B", "UnitOfMeasure": "EACH"}  # no ProductClass when none given
    assert resolve({}, ini, env).enterprise == "FROM-ENV"
    assert resolve({"sterling_items": ["X:BOX:NEW", "Y::USED"]}, ini, env).items == (
        Item("X", "BOX", "NEW"),
        Item("Y", "EACH", "USED"),
    )


def test_bad_values_are_usage_errors() -> None:
    with pytest.raises(pytest.UsageError, match="two items"):
        resolve({"sterling_items": ["ONLY-ONE"]}, {}, {})
    with pytest.raises(pytest.UsageError, match="ITEMID"):
        resolve({"sterling_items": ["A:B:C:D", "E"]}, {}, {})
    with pytest.raises(pytest.UsageError, match="drop-status"):
        resolve({"sterling_drop_status": " "}, {}, {})


def test_every_option_is_documented() -> None:
    readme = (ROOT / "contract_tests" / "README.md").read_text(encoding="utf-8")
    for option in OPTIONS:
        assert option.flag in readme and option.env in readme and option.ini in readme, option.flag


def test_fake_only_needs_a_reason_and_shows_it_on_a_real_target(tmp_path: Path) -> None:
    from tests.test_contract_switch import run_copy, suite_copy

    copy = suite_copy(
        tmp_path,
        """
        import pytest

        @pytest.mark.fake_only
        def test_no_reason():
            pass
        """,
    )
    refused = run_copy(copy, str(copy / "test_extra.py"), "--collect-only")
    assert refused.returncode != 0
    assert "test_extra.py::test_no_reason: fake_only without reason=..." in refused.stdout + refused.stderr
    (copy / "test_extra.py").write_text(
        "import pytest\n\n"
        '@pytest.mark.fake_only(reason="the clock is the control plane")\n'
        "def test_with_reason():\n    pass\n"
    )
    real = {"STERLING_URL": "http://127.0.0.1:9/smcfs", "STERLING_USER": "nobody"}
    skipped = run_copy(copy, str(copy / "test_extra.py"), "-rs", env=real)
    assert skipped.returncode == 0, skipped.stdout
    assert "fake_only on a real instance: the clock is the control plane" in skipped.stdout
