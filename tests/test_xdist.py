"""pytest-xdist: an inner suite run with ``-n 4`` against one live server, each worker in its own namespace."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import requests

from tests.conftest import ROOT, LiveServer

INNER_CONFTEST = """
import os
import pytest
from sterling_mock.mock_server.control.helper import FakeControl


@pytest.fixture
def fc():
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with FakeControl(os.environ["FAKE_URL"], namespace=f"xdist-{worker}") as control:
        control.reset()
        yield control
"""

INNER_TESTS = """
import os
import pytest
import requests

AUTH = ("admin", "password")


def call(fc, api, doc):
    response = requests.post(f"{fc.url}/smcfs/restapi/invoke/{api}", json=doc, auth=AUTH, timeout=30,
                             headers={"X-Sterling-Mock-Namespace": fc.namespace})
    return response


@pytest.mark.parametrize("n", range(12))
def test_orders_are_mine_alone(fc, n):
    for i in range(n % 4 + 1):
        assert call(fc, "createOrder", {"EnterpriseCode": "Aurora", "OrderNo": f"X{i}"}).status_code == 200
    listed = call(fc, "getOrderList", {}).json()
    assert listed["TotalOrderList"] == str(n % 4 + 1)
    assert fc.summary()["orders"] == n % 4 + 1
    assert [e["api"] for e in fc.journal()["entries"]] == ["createOrder"] * (n % 4 + 1) + ["getOrderList"]


@pytest.mark.parametrize("n", range(8))
def test_faults_and_clock_are_mine_alone(fc, n):
    fc.freeze(f"2025-0{n % 9 + 1}-01T00:00:00Z")
    fc.add_fault("createOrder", {"type": "error", "code": "YFS10003", "description": "x"}, times=1)
    assert call(fc, "createOrder", {"EnterpriseCode": "Aurora"}).status_code == 400
    made = call(fc, "createOrder", {"EnterpriseCode": "Aurora"}).json()
    assert made["OrderHeaderKey"].startswith(f"20250{n % 9 + 1}01")
    assert fc.faults() == []


@pytest.mark.parametrize("n", range(4))
def test_throttle_is_mine_alone(fc, n):
    fc.freeze("2025-01-01T00:00:00Z")
    fc.set_throttle(enabled=True, rate=1, burst=3)
    codes = [call(fc, "getOrderList", {}).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    fc.set_throttle(enabled=False)
"""


def test_four_xdist_workers_share_one_server_in_separate_namespaces(tmp_path: Path) -> None:
    server = LiveServer(tmp_path, "--workers", "2")
    try:
        suite = tmp_path / "inner"
        suite.mkdir()
        (suite / "conftest.py").write_text(textwrap.dedent(INNER_CONFTEST))
        (suite / "test_inner.py").write_text(textwrap.dedent(INNER_TESTS))
        (suite / "pytest.ini").write_text("[pytest]\n")
        env = {**os.environ, "FAKE_URL": server.url, "PYTHONPATH": str(ROOT)}
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-n",
                "4",
                "-p",
                "no:cacheprovider",
                "-c",
                str(suite / "pytest.ini"),
                str(suite),
            ],
            cwd=suite,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
        assert "24 passed" in result.stdout
        namespaces = {f"xdist-gw{i}" for i in range(4)}
        seen = set(requests.get(server.url + "/_fake/namespaces", timeout=10).json()["namespaces"])
        assert len(namespaces & seen) >= 2  # the workers really ran in parallel namespaces
    finally:
        server.stop()
