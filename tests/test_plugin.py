"""The pytest plugin, tested as pytest plugins are: inner suites run in a subprocess with pytester."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from sterling_mock.mock_server.pytest_plugin import SterlingServer, start_server

PLUGIN_ENV = ("URL", "USER", "PASSWORD", "AUTH", "CONTROL_TOKEN")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Inner runs inherit the environment: nothing set for another purpose may steer them."""
    for name in PLUGIN_ENV:
        monkeypatch.delenv("PYTEST_STERLING_" + name, raising=False)
        monkeypatch.delenv("STERLING_" + name, raising=False)


def run(pytester: pytest.Pytester, *args: str, timeout: float = 120) -> pytest.RunResult:
    # faker's and hypothesis's plugins off, as conftest.QUIET_PLUGINS does for other runs (~1 s a run)
    quiet = ("-p", "no:faker", "-p", "no:hypothesispytest")
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", *quiet, *args, timeout=timeout)


HELPERS = """
import sys
import requests

def test_create_advance_and_journal(sterling):
    made = sterling.create_order(EnterpriseCode="Aurora", lines=2, seed=3)
    assert sterling.client.get_order(made["OrderHeaderKey"])["EnterpriseCode"] == "Aurora"
    sterling.advance(made["OrderHeaderKey"], "3700")
    assert sterling.client.get_order(made["OrderHeaderKey"])["Status"] == "Shipped"
    assert [c["output"]["OrderHeaderKey"] for c in sterling.calls("createOrder")] == [made["OrderHeaderKey"]]
    assert sterling.calls("createOrder", EnterpriseCode="Aurora") and not sterling.calls("createOrder", EnterpriseCode="X")
    assert sterling.base_url == sterling.url + "/smcfs/restapi"

def test_faults_throttle_clock(sterling):
    assert sterling.clock.freeze("2025-01-27T10:00:00Z")["now"].startswith("2025-01-27T10:00:00")
    assert sterling.clock.advance("PT1H")["now"].startswith("2025-01-27T11:00:00")
    sterling.fault("getOrderList", {"type": "error", "code": "YFS10003", "description": "YFS:Invalid Order"}, times=1)
    r = requests.post(sterling.base_url + "/invoke/getOrderList", json={}, auth=("admin", "password"),
                      headers=sterling.headers, timeout=10)
    assert r.status_code == 400 and r.json()["errors"][0]["ErrorCode"] == "YFS10003"
    sterling.throttle(rate=1, burst=1)
    sterling.create_order()
    r = requests.post(sterling.base_url + "/invoke/getOrderList", json={}, auth=("admin", "password"),
                      headers=sterling.headers, timeout=10)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
    sterling.clock.advance(5)  # the bucket refills on the virtual clock
    assert sterling.client.invoke("getOrderList", {})["TotalOrderList"] == "1"

def test_seed(sterling):
    assert sterling.seed(7, seed=1) == 7
    assert sterling.client.invoke("getOrderList", {})["TotalOrderList"] == "7"

def leaves_nothing_behind(sterling, sterling_server):
    from sterling_mock.mock_server.control.helper import FakeControl
    seen = sys.modules[__name__].__dict__.setdefault("SEEN", [])
    for namespace in seen:  # the tests before this one left nothing behind
        assert FakeControl(sterling_server.url, namespace).summary()["orders"] == 0
    sterling.create_order()
    seen.append(sterling.namespace)

def test_leaves_nothing_behind(sterling, sterling_server):
    leaves_nothing_behind(sterling, sterling_server)

def test_leaves_nothing_behind_either(sterling, sterling_server):
    leaves_nothing_behind(sterling, sterling_server)
"""


def test_fixtures_and_helpers(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(HELPERS)
    run(pytester).assert_outcomes(passed=5)


ISOLATION = """
import pytest

@pytest.mark.parametrize("n", range(12))
def test_each_test_sees_only_its_orders(sterling, n):
    for _ in range(n % 3 + 1):
        sterling.create_order(lines=1)
    assert sterling.client.invoke("getOrderList", {})["TotalOrderList"] == str(n % 3 + 1)
"""


def test_isolation_with_xdist_4_workers(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(ISOLATION)
    result = run(pytester, "-n", "4", timeout=240)
    result.assert_outcomes(passed=12)


def test_failure_shows_the_server_log(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
def test_passes(sterling):
    sterling.client.invoke("getOrderList", {})

def test_fails(sterling):
    sterling.create_order()
    assert False, "on purpose"

def test_fails_with_the_server_alone(sterling_server):
    import requests
    requests.get(sterling_server.url + "/_fake/summary", timeout=10)
    assert False, "on purpose too"

def test_fails_without_the_server():
    assert False, "no log here"
""")
    result = run(pytester)
    result.assert_outcomes(passed=1, failed=3)
    out = result.stdout.str()
    sections = out.split("sterling-mock server log")
    assert len(sections) == 3, out  # the two tests that used the server, not the third
    assert "POST /smcfs/restapi/invoke/createOrder" in sections[1]
    assert "getOrderList" not in sections[1]  # only what happened during the failing test
    assert "GET /_fake/summary" in sections[2]


def test_a_dead_server_fails_the_next_test_with_its_log(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
def test_kills_it(sterling_server):
    sterling_server.process.kill()
    sterling_server.process.wait(10)

def test_next(sterling):
    pass
""")
    result = run(pytester)
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        ["*RuntimeError: sterling-mock exited (-9)*", "*Listening at: http://127.0.0.1:*"]
    )


def test_loading_costs_nothing(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
import sys

def test_nothing_imported_or_started(pytestconfig):
    assert pytestconfig.pluginmanager.has_plugin("sterling_mock")
    heavy = {"requests", "flask", "sterling_mock.mock_server.doors.app", "sterling_mock.client"} & set(sys.modules)
    assert not heavy
    heavy = {"sterling_mock.fixtures"} & set(sys.modules)
    assert not heavy
""")
    run(pytester).assert_outcomes(passed=1)


def test_options_are_listed(pytester: pytest.Pytester) -> None:
    result = run(pytester, "--help")
    result.stdout.fnmatch_lines(
        ["*sterling-mock fixtures*", "*--sterling-url=STERLING_URL*", "*--sterling-auth*"]
    )


def test_server_args_from_the_ini_file(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nsterling_server_args = --users admin:password,ops:s3cret\n")
    pytester.makepyfile("""
from sterling_mock.client import SterlingClient

def test_second_user(sterling):
    with SterlingClient(sterling.url, "ops", "s3cret", headers=sterling.headers) as ops:
        assert ops.invoke("getOrderList", {})["TotalOrderList"] == "0"
""")
    run(pytester).assert_outcomes(passed=1)


EXTERNAL = """
def test_external(sterling, sterling_server):
    assert sterling_server.process is None and sterling_server.is_fake
    made = sterling.create_order()
    assert sterling.calls("createOrder")[0]["output"]["OrderHeaderKey"] == made["OrderHeaderKey"]
    assert sterling_server.user == "ops" and sterling_server.auth == "token"
"""


@pytest.fixture(scope="module")
def second_fake(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SterlingServer]:
    """Another fake, started as a shared team fake would be: a control token and its own users."""
    server = start_server(
        tmp_path_factory.mktemp("external"), "--control-token", "t0ken", "--users", "admin:password,ops:opspw"
    )
    yield server
    server.stop()


def test_external_fake_by_option(pytester: pytest.Pytester, second_fake: SterlingServer) -> None:
    pytester.makepyfile(EXTERNAL)
    result = run(
        pytester,
        f"--sterling-url={second_fake.base_url}",
        "--sterling-user=ops",
        "--sterling-password=opspw",
        "--sterling-auth=token",
        "--sterling-control-token=t0ken",
    )
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([f"sterling-mock: fixtures use {second_fake.base_url} (not a started fake)"])


def test_external_fake_by_environment_not_by_sterling_url(
    pytester: pytest.Pytester, second_fake: SterlingServer, monkeypatch: pytest.MonkeyPatch, real_like: str
) -> None:
    monkeypatch.setenv("STERLING_URL", real_like)  # the contract suite's variable: ignored here
    for name, value in (("URL", second_fake.url), ("USER", "ops"), ("PASSWORD", "opspw"), ("AUTH", "token")):
        monkeypatch.setenv("PYTEST_STERLING_" + name, value)
    monkeypatch.setenv("PYTEST_STERLING_CONTROL_TOKEN", "t0ken")
    pytester.makepyfile(EXTERNAL)
    run(pytester).assert_outcomes(passed=1)


def test_sterling_url_alone_starts_the_fake(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, real_like: str
) -> None:
    monkeypatch.setenv("STERLING_URL", real_like)
    monkeypatch.setenv("STERLING_USER", "someone")
    pytester.makepyfile("""
def test_started(sterling_server):
    assert sterling_server.process is not None and sterling_server.url.startswith("http://127.0.0.1:")
""")
    run(pytester).assert_outcomes(passed=1)


def test_external_fake_without_its_token_refuses_clearly(
    pytester: pytest.Pytester, second_fake: SterlingServer
) -> None:
    pytester.makeini(f"[pytest]\nsterling_url = {second_fake.url}\n")
    pytester.makepyfile("""
import pytest
from sterling_mock.mock_server.control.helper import FakeControlError

def test_no_token(sterling):
    assert sterling.server.is_fake
    with pytest.raises(FakeControlError) as refused:
        sterling.fault("createOrder", {"type": "http", "status": 503})
    assert refused.value.status == 401
    assert sterling.client.invoke("getOrderList", {})["TotalOrderList"] == "0"  # the APIs still answer
""")
    # the teardown's reset is refused too, and says so
    result = run(pytester)
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*FakeControlError: HTTP 401*"])


class _NotSterling(BaseHTTPRequestHandler):
    """Stands in for a real Sterling: no ``/_fake/`` routes, 401 on anything without credentials."""

    def do_GET(self) -> None:
        self.send_response(401 if self.path.startswith("/_fake") else 404)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(b"<html>Unauthorized</html>")

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
from sterling_mock.mock_server.pytest_plugin import NoControlPlane

def test_real(sterling):
    assert not sterling.server.is_fake and sterling.headers == {}
    assert sterling.client.headers == {} and sterling.server.user == "ops"
    for helper in (lambda: sterling.fault("createOrder", {"type": "http", "status": 503}),
                   lambda: sterling.advance("1", "3700"), lambda: sterling.clock.advance(1),
                   lambda: sterling.calls("createOrder"), lambda: sterling.throttle()):
        with pytest.raises(NoControlPlane, match="is a real Sterling: it has no /_fake/ control plane"):
            helper()
""")
    run(pytester, "--sterling-url", real_like + "/smcfs/restapi/", "--sterling-user", "ops").assert_outcomes(
        passed=1
    )


def test_log_files_stay_for_reading(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
def test_log(sterling, sterling_server):
    sterling.create_order()
    print("LOG=" + str(sterling_server.log_path))
""")
    result = run(pytester, "-s")
    result.assert_outcomes(passed=1)
    log = next(line for line in result.stdout.lines if line.startswith("LOG=") or "LOG=" in line)
    assert "invoke/createOrder" in Path(log.split("LOG=", 1)[1].split()[0]).read_text()
