"""The pytest plugin (``pytest11`` entry point): the ``sterling_server``, ``sterling`` and ``sterling_inprocess``
fixtures, the ``--sterling-*`` options, and the server log beside a failing test.

Loading it imports nothing beyond pytest and starts nothing: a run that uses none of its fixtures pays nothing.

Where the fixtures point, first found wins: ``--sterling-url`` / ``-user`` / ``-password`` / ``-auth`` /
``-control-token`` on the command line, then ``PYTEST_STERLING_URL`` (``_USER``, ``_PASSWORD``, ``_AUTH``,
``_CONTROL_TOKEN``) in the environment, then ``sterling_url`` / ``sterling_user`` / ``sterling_auth`` in the
ini file; none of them means the fake, started once per session (per xdist worker).  The plugin deliberately
does not read ``STERLING_URL``: the contract suite and many applications use that name for a real instance,
and a test run must never be pointed at one by a variable set for something else.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from sterling_mock.mock_server.base.web import NAMESPACE_HEADER

if TYPE_CHECKING:
    import subprocess

    from sterling_mock.client import SterlingClient
    from sterling_mock.mock_server.control.helper import FakeControl
    from sterling_mock.mock_server.doors.inprocess import sterling_mock

ENV_PREFIX = "PYTEST_STERLING_"
LOG_TAIL = 80
_SERVER = pytest.StashKey["SterlingServer"]()
_LOG_OFFSET = pytest.StashKey[int]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("sterling-mock", "sterling-mock fixtures (sterling, sterling_server)")
    group.addoption("--sterling-url", help="an external fake or a real Sterling instead of starting the fake")
    group.addoption("--sterling-user", help="user for --sterling-url (default admin)")
    group.addoption(
        "--sterling-password", help="its password (default password; prefer PYTEST_STERLING_PASSWORD)"
    )
    group.addoption(
        "--sterling-auth", choices=["basic", "token", "jwt"], help="how the client logs in (basic)"
    )
    group.addoption(
        "--sterling-control-token", help="X-Sterling-Mock-Token of an external fake's control plane"
    )
    parser.addini("sterling_url", "default for --sterling-url")
    parser.addini("sterling_user", "default for --sterling-user")
    parser.addini("sterling_auth", "default for --sterling-auth")
    parser.addini(
        "sterling_server_args", "extra `sterling-mock serve` arguments for the started fake", "args"
    )


def setting(config: pytest.Config, name: str, default: str = "") -> str:
    """``--sterling-<name>``, else ``PYTEST_STERLING_<NAME>``, else ini ``sterling_<name>``, else ``default``."""
    value = config.getoption("--sterling-" + name.replace("_", "-"))
    if not value:
        value = os.environ.get(ENV_PREFIX + name.upper(), "")
    if not value and name in ("url", "user", "auth"):
        value = config.getini("sterling_" + name)
    return str(value or default).strip()


def pytest_report_header(config: pytest.Config) -> str | None:
    url = setting(config, "url")
    return f"sterling-mock: fixtures use {url} (not a started fake)" if url else None


class NoControlPlane(RuntimeError):
    """The target is a real Sterling: it has no ``/_fake/`` control plane."""


@dataclass
class SterlingServer:
    """Where the fixtures point: ``url`` (root), ``base_url`` (``/smcfs/restapi``), credentials, whether it is a
    fake (has a control plane) and, for the fake this plugin started, its process and log."""

    url: str
    user: str = "admin"
    password: str = "password"
    auth: str = "basic"
    is_fake: bool = True
    control_token: str = ""
    log_path: Path | None = None
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def base_url(self) -> str:
        return self.url + "/smcfs/restapi"

    def log_size(self) -> int:
        return self.log_path.stat().st_size if self.log_path and self.log_path.exists() else 0

    def log_since(self, offset: int) -> str:
        if not self.log_path or not self.log_path.exists():
            return ""
        self._settle()
        with open(self.log_path, "rb") as handle:
            handle.seek(offset)
            lines = handle.read().decode("utf-8", "replace").splitlines()
        return "\n".join(lines[-LOG_TAIL:])

    def _settle(self, quiet: float = 0.2, limit: float = 2.0) -> None:
        """gunicorn writes a request's access line just after sending the answer, so the test may fail before
        the line of its last call is there: wait until the log has been still for ``quiet`` seconds."""
        import time

        size, still_since, deadline = self.log_size(), time.monotonic(), time.monotonic() + limit
        while time.monotonic() < deadline and time.monotonic() - still_since < quiet:
            time.sleep(0.02)
            if self.log_size() != size:
                size, still_since = self.log_size(), time.monotonic()

    def check_alive(self) -> None:
        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError(f"sterling-mock exited ({self.process.returncode}):\n" + self.log_since(0))

    def stop(self) -> None:
        import subprocess

        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def start_server(folder: Path, *args: str, timeout: float = 60.0) -> SterlingServer:
    """``sterling-mock serve`` (gunicorn, as in production) on a free 127.0.0.1 port, its store and log in
    ``folder``.  The store is thrown away with the session, so it skips fsync (``--durability OFF``); ``args``
    come last and win."""
    import subprocess
    import time

    import requests

    from sterling_mock.mock_server.base.ports import free_port

    port = free_port()
    log_path = folder / f"sterling-mock-{port}.log"
    cmd = [
        sys.executable,
        "-m",
        "sterling_mock.mock_server",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    cmd += ["--db", str(folder / f"{port}.db"), "--demo-orders", "0", "--durability", "OFF", "--quiet"]
    cmd += ["--log-level", "info", *args]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    server = SterlingServer(f"http://127.0.0.1:{port}", log_path=log_path, process=process)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        server.check_alive()
        try:
            requests.get(server.url + "/_fake/health", timeout=2)
            return server
        except requests.ConnectionError:
            time.sleep(0.05)
    server.stop()
    raise RuntimeError(f"sterling-mock did not answer within {timeout:.0f} s:\n" + server.log_since(0))


def looks_like_the_fake(root: str) -> bool:
    """A fake answers ``/_fake/health`` with ``{"status": "ok"}``, or 401 with its own error shape when a control
    token guards it; a real Sterling (or a gateway in front of one) answers neither."""
    import requests

    try:
        response = requests.get(root + "/_fake/health", timeout=10)
        body = response.json()
    except (requests.RequestException, ValueError):
        return False
    if not isinstance(body, dict):
        return False
    if response.status_code == 200:
        return body.get("status") == "ok"
    return response.status_code == 401 and isinstance(body.get("error"), dict) and "code" in body["error"]


def external_server(config: pytest.Config) -> SterlingServer | None:
    url = setting(config, "url")
    if not url:
        return None
    root = url.rstrip("/").removesuffix("/smcfs/restapi").removesuffix("/smcfs")
    return SterlingServer(
        root,
        user=setting(config, "user", "admin"),
        password=setting(config, "password", "password"),
        auth=setting(config, "auth", "basic"),
        is_fake=looks_like_the_fake(root),
        control_token=setting(config, "control_token"),
    )


@pytest.fixture(scope="session")
def sterling_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SterlingServer]:
    """The session's server (per xdist worker): an external one, or the fake started once and stopped at the end."""
    external = external_server(request.config)
    if external is not None:
        yield external
        return
    args = [str(arg) for arg in request.config.getini("sterling_server_args")]
    server = start_server(tmp_path_factory.mktemp("sterling-mock"), *args)
    request.config.stash[_SERVER] = server
    try:
        yield server
    finally:
        server.stop()


class Clock:
    """The namespace's virtual clock (docs/control-plane.md ``/_fake/clock``); every method answers
    ``{"now": ISO 8601, "frozen": bool}``."""

    def __init__(self, control: FakeControl) -> None:
        self._control = control

    def now(self) -> dict[str, Any]:
        return self._control.clock()

    def freeze(self, at: str | None = None) -> dict[str, Any]:
        return self._control.freeze(at)

    def unfreeze(self) -> dict[str, Any]:
        return self._control.unfreeze()

    def set(self, when: str) -> dict[str, Any]:
        return self._control.set_time(when)

    def advance(self, by: float | str) -> dict[str, Any]:
        """Seconds or an ISO 8601 duration (``"PT1H"``); agent steps that fall due run."""
        return self._control.advance(by)


class Sterling:
    """One test's fake: its own namespace, an authenticated client and thin control-plane helpers.

    Code under test must send ``headers`` (the namespace header) to see this test's data; against a real
    Sterling ``headers`` is empty and the control-plane helpers raise :class:`NoControlPlane`.
    """

    def __init__(
        self, server: SterlingServer, namespace: str = "default", mock: sterling_mock | None = None
    ) -> None:
        from sterling_mock.client import SterlingClient

        self.server = server
        self.namespace = namespace
        self.mock = mock
        self.url = server.url
        self.base_url = server.base_url
        isolated = server.is_fake and namespace != "default"
        self.headers: dict[str, str] = {NAMESPACE_HEADER: namespace} if isolated else {}
        self.client: SterlingClient = SterlingClient(
            server.url, server.user, server.password, auth=server.auth, headers=dict(self.headers)
        )
        self._control: FakeControl | None = None
        self._faker: Any = None

    @property
    def control(self) -> FakeControl:
        """The whole control plane for this namespace (:class:`~mock_server.control.helper.FakeControl`)."""
        if not self.server.is_fake:
            raise NoControlPlane(f"{self.server.url} is a real Sterling: it has no /_fake/ control plane")
        if self._control is None:
            from sterling_mock.mock_server.control.helper import FakeControl

            self._control = FakeControl(self.server.url, self.namespace, self.server.control_token)
        return self._control

    @property
    def clock(self) -> Clock:
        return Clock(self.control)

    def create_order(
        self, lines: int | None = None, seed: int | None = None, **overrides: Any
    ) -> dict[str, Any]:
        """createOrder with a realistic document from ``fixtures.builders``; ``overrides`` set what the test
        cares about (``EnterpriseCode="Aurora"``); ``seed`` restarts the test's data generator."""
        from sterling_mock.fixtures.builders import create_order_input
        from sterling_mock.fixtures.provider import sterling_faker

        if self._faker is None or seed is not None:
            self._faker = sterling_faker(seed if seed is not None else 0)
        return dict(self.client.create_order(create_order_input(self._faker, lines=lines, **overrides)))

    def seed(self, orders: int = 20, seed: int = 42, **options: Any) -> int:
        """Realistic orders across statuses, channels and dates (``POST /_fake/seed``)."""
        return self.control.seed(orders, seed, **options)

    def advance(self, order_header_key: str, to: str) -> dict[str, Any]:
        """Walk an order to a status (1500, 3200, 3700, 9000, ...) through the real APIs."""
        return self.control.advance_order(order_header_key, to)

    def fault(self, api: str, action: dict[str, Any], **rule: Any) -> dict[str, Any]:
        """Add a fault rule, e.g. ``fault("createOrder", {"type": "http", "status": 503}, times=1)``;
        ``fault("changeOrder", {"type": "error", "code": "YFS10003", "description": "..."})``."""
        return self.control.add_fault(api, action, **rule)

    def throttle(self, rate: float = 1.0, burst: int = 1, enabled: bool = True) -> dict[str, Any]:
        """Per-user token bucket for this namespace: past ``burst`` calls at once, HTTP 429 with Retry-After."""
        return self.control.set_throttle(enabled=enabled, rate=rate, burst=burst)

    def calls(self, api: str | None = None, **match: str) -> list[dict[str, Any]]:
        """The journal, oldest first: every call, or those of ``api`` whose input has each ``match`` attribute
        (``calls("changeOrder", Action="CANCEL")``)."""
        if api is None:
            return list(self.control.journal(limit=100_000)["entries"])
        return self.control.calls(api, **match)

    def close(self) -> None:
        try:
            if self.server.is_fake and self.mock is None:
                self.control.reset()  # the session's server keeps running: leave no data behind
        finally:
            if self._control is not None:
                self._control.close()
            self.client.close()


@pytest.fixture
def sterling(sterling_server: SterlingServer) -> Iterator[Sterling]:
    """A fresh namespace on the session's server: tests (and xdist workers) never see each other's orders."""
    import uuid

    sterling_server.check_alive()
    handle = Sterling(sterling_server, "t-" + uuid.uuid4().hex[:16])
    try:
        yield handle
    finally:
        handle.close()


@pytest.fixture
def sterling_inprocess() -> Iterator[Sterling]:
    """The same helpers with no server: every ``requests`` call to a ``/smcfs/`` or ``/_fake/`` URL, on any
    host, is served by a fake in this process, empty for each test (``.mock`` is the ``sterling_mock``)."""
    from sterling_mock.mock_server.doors.inprocess import sterling_mock

    with sterling_mock() as mock:
        handle = Sterling(SterlingServer(mock.url), mock=mock)
        try:
            yield handle
        finally:
            handle.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    server = item.config.stash.get(_SERVER, None)
    item.stash[_LOG_OFFSET] = server.log_size() if server is not None else 0  # else it starts in this setup
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    report = yield
    server = item.config.stash.get(_SERVER, None)
    if report.failed and server is not None and "sterling_server" in getattr(item, "fixturenames", ()):
        log = server.log_since(item.stash.get(_LOG_OFFSET, 0))
        report.sections.append((f"sterling-mock server log ({server.log_path})", log or "(nothing logged)"))
    return report
