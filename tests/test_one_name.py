"""One name on the import path: a user project with its own ``client.py``, ``fixtures/`` package and
``conftest.py`` installs the fake into its own virtual environment and uses the pytest plugin's fixture, the
in-process mode and the client from that project's folder, where its own modules come first on ``sys.path``.

The project is installed as a wheel (a copy of the working tree is built, so nothing is written into the
checkout); its dependencies come from this environment through a ``.pth`` line, so no download is needed
beyond what pip's build isolation fetches for setuptools.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

USER_CLIENT = '''"""The user's own client module, named like the fake's subpackage."""
WHO = "the user's client"
'''

USER_FIXTURES = '''"""The user's own fixtures package, named like the fake's subpackage."""
WHO = "the user's fixtures"
'''

USER_CONFTEST = """import pytest


@pytest.fixture
def enterprise() -> str:
    return "Matrix-R"
"""

USER_TEST = """import client
import fixtures
import requests

import sterling_mock
from sterling_mock.client import SterlingClient
from sterling_mock.mock_server import sterling_mock as in_process


def test_the_user_modules_are_theirs() -> None:
    assert client.WHO == "the user's client"
    assert fixtures.WHO == "the user's fixtures"
    assert "site-packages" in sterling_mock.__file__


def test_the_plugin_fixture(sterling, enterprise) -> None:
    made = sterling.client.invoke("createOrder", {"EnterpriseCode": enterprise, "OrderLines": {"OrderLine": [
        {"OrderedQty": "1", "Item": {"ItemID": "SHOE-1", "UnitOfMeasure": "EACH"}}]}})
    assert made["EnterpriseCode"] == enterprise and made["OrderHeaderKey"]


def test_the_client_against_the_plugin_server(sterling_server, enterprise) -> None:
    with SterlingClient(sterling_server.url, sterling_server.user, sterling_server.password) as api:
        made = api.invoke("createOrder", {"EnterpriseCode": enterprise})
        read = api.invoke("getOrderDetails", {"OrderHeaderKey": made["OrderHeaderKey"]})
    assert read["OrderNo"] == made["OrderNo"]


def test_the_in_process_mode(enterprise) -> None:
    with in_process():
        answer = requests.post(
            "http://oms.example.com/smcfs/restapi/invoke/createOrder",
            json={"EnterpriseCode": enterprise},
            auth=("admin", "password"),
            timeout=10,
        )
    assert answer.status_code == 200, answer.text
    assert answer.json()["EnterpriseCode"] == enterprise
"""


def _copy_tree(to: Path) -> None:
    """The working tree as git sees it (tracked and untracked, not ignored), links kept as links."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    for name in filter(None, listed):
        source = ROOT / name
        if not source.exists() and not source.is_symlink():
            continue
        target = to / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            target.symlink_to(os.readlink(source))
        elif source.is_file():
            shutil.copy2(source, target)


@pytest.mark.skipif(
    os.environ.get("STERLING_MOCK_TEST_BACKEND") == "postgresql",
    reason="packaging does not depend on the store",
)
def test_a_user_project_with_its_own_client_and_fixtures(tmp_path: Path) -> None:
    source = tmp_path / "source"
    _copy_tree(source)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # the fake's dependencies (flask, requests, pytest, ...) from this environment: a plain path line, so the
    # editable install of the checkout (a finder started by a .pth of its own) stays out
    Path(site, "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    install = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--quiet",
            "--no-deps",
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if install.returncode != 0 and "No matching distribution" in install.stderr:
        pytest.skip(f"setuptools could not be fetched for the build: {install.stderr[-300:]}")
    assert install.returncode == 0, install.stderr[-3000:]
    installed = Path(site, "sterling_mock")
    assert (installed / "mock_server" / "doors" / "app.py").is_file()  # the wheel holds the linked folders
    for generic in ("mock_server", "client", "fixtures"):
        assert not Path(site, generic).exists(), f"{generic} must not be installed as a top-level name"

    project = tmp_path / "project"
    (project / "fixtures").mkdir(parents=True)
    (project / "client.py").write_text(USER_CLIENT)
    (project / "fixtures" / "__init__.py").write_text(USER_FIXTURES)
    (project / "conftest.py").write_text(USER_CONFTEST)
    (project / "test_user.py").write_text(USER_TEST)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "STERLING_MOCK_TEST"))}
    done = subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=240,
        env=env,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "4 passed" in done.stdout
