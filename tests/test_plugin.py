"""The pytest plugin, tested as pytest plugins are: inner suites run with pytester."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from tests.conftest import LiveServer

INNER = """
import requests

def test_create_advance_and_journal(sterling):
    made = sterling.create_order(EnterpriseCode="Aurora", seed=3)
    assert sterling.client.get_order(made["OrderHeaderKey"])["EnterpriseCode"] == "Aurora"
    sterling.advance(made["OrderHeaderKey"], "3700")
    assert sterling.client.get_order(made["OrderHeaderKey"])["Status"] == "Shipped"
    assert len(sterling.calls("createOrder")) == 1
    assert sterling.base_url.endswith("/smcfs/restapi")

def test_faults_throttle_clock(sterling):
    sterling.clock.freeze("2025-01-27T10:00:00Z")
    sterling.fault("getOrderList", {"type": "error", "code": "YFS10003", "description": "YFS:Invalid Order"}, times=1)
    r = requests.post(sterling.base_url + "/invoke/getOrderList", json={}, auth=("admin", "password"),
                      headers=sterling.headers, timeout=10)
    assert r.json()["errors"][0]["ErrorCode"] == "YFS10003"
    sterling.throttle(rate=1, burst=1)
    sterling.create_order()
    r = requests.post(sterling.base_url + "/invoke/getOrderList", json={}, auth=("admin", "password"),
                      headers=sterling.headers, timeout=10)
    assert r.status_code == 429
    sterling.clock.advance(5)
    assert sterling.client.invoke("getOrderList", {})["TotalOrderList"] == "1"
"""

ISOLATION = """
import pytest

@pytest.mark.parametrize("n", range(8))
def test_each_test_sees_only_its_orders(sterling, n):
    for _ in range(n % 3 + 1):
        sterling.create_order()
    assert sterling.client.invoke("getOrderList", {})["TotalOrderList"] == str(n % 3 + 1)
"""


def test_fixtures(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(INNER)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", timeout=120)
    result.assert_outcomes(passed=2)


def test_isolation_with_xdist(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(ISOLATION)
    result = pytester.runpytest_subprocess("-n", "4", "-p", "no:cacheprovider", timeout=180)
    result.assert_outcomes(passed=8)


def test_failure_shows_the_server_log(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
def test_fails(sterling):
    sterling.create_order()
    assert False, "on purpose"
""")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", timeout=120)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*sterling-mock server log*", "*POST /smcfs/restapi/invoke/createOrder*"])


def test_external_fake_keeps_its_control_plane(pytester: pytest.Pytester, live_server: LiveServer) -> None:
    pytester.makepyfile("""
def test_external(sterling, sterling_server):
    assert sterling_server.process is None and sterling_server.is_fake
    made = sterling.create_order()
    assert sterling.calls("createOrder")[0]["output"]["OrderHeaderKey"] == made["OrderHeaderKey"]
""")
    result = pytester.runpytest_subprocess(
        "--sterling-url", live_server.base_url, "-p", "no:cacheprovider", timeout=120
    )
    result.assert_outcomes(passed=1)


class _NotSterling(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def real_like() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _NotSterling)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_real_instance_refuses_control_helpers(pytester: pytest.Pytester, real_like: str) -> None:
    pytester.makepyfile("""
import pytest
from mock_server.pytest_plugin import NoControlPlane

def test_real(sterling):
    assert not sterling.server.is_fake and sterling.headers == {}
    with pytest.raises(NoControlPlane, match="no /_fake/ control plane"):
        sterling.fault("createOrder", {"type": "http", "status": 503})
""")
    result = pytester.runpytest_subprocess(
        "--sterling-url", real_like, "--sterling-user", "ops", "-p", "no:cacheprovider", timeout=60
    )
    result.assert_outcomes(passed=1)
