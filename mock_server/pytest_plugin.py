"""The pytest plugin (entry point ``pytest11``): ``sterling_server`` (one production server per session, or an
external one), ``sterling`` (a fresh namespace per test with a ready client and control-plane helpers) and
``sterling_inprocess`` (the fake with no server at all).

Loading it costs nothing until a fixture is used.  ``--sterling-url`` (or ``STERLING_URL``) points the fixtures
at an external server — a shared fake, whose control plane keeps working, or a real Sterling, where the
control-plane helpers refuse clearly.  ``--sterling-user``/``--sterling-password``/``--sterling-auth`` (or
``STERLING_USER``/``STERLING_PASSWORD``/``STERLING_AUTH``) give its credentials.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

LOG_TAIL = 60
_LOG_OFFSET = pytest.StashKey[int]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("sterling-mock", "sterling-mock fixtures")
    group.addoption(
        "--sterling-url", default=None, help="use this server instead of starting the fake (env STERLING_URL)"
    )
    group.addoption(
        "--sterling-user", default=None, help="user for --sterling-url (env STERLING_USER; default admin)"
    )
    group.addoption(
        "--sterling-password", default=None, help="password (env STERLING_PASSWORD; default password)"
    )
    group.addoption(
        "--sterling-auth",
        default=None,
        choices=["basic", "token", "jwt"],
        help="auth style for the client (env STERLING_AUTH; default basic)",
    )


class NoControlPlane(RuntimeError):
    """The target is a real Sterling: it has no ``/_fake/`` control plane."""


@dataclass
class SterlingServer:
    """Where the fixtures point: ``url`` (root), ``base_url`` (``/smcfs/restapi``), credentials, and whether
    it is a fake (has a control plane)."""

    url: str
    user: str = "admin"
    password: str = "password"
    auth: str = "basic"
    is_fake: bool = True
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
        with open(self.log_path, "rb") as handle:
            handle.seek(offset)
            lines = handle.read().decode("utf-8", "replace").splitlines()
        return "\n".join(lines[-LOG_TAIL:])

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(folder: Path, *args: str, timeout: float = 30.0) -> SterlingServer:
    """``sterling-mock serve`` (gunicorn) on a free 127.0.0.1 port with its own store and log in ``folder``."""
    port = _free_port()
    log_path = folder / f"sterling-mock-{port}.log"
    cmd = [
        sys.executable,
        "-m",
        "mock_server",
        "serve",
        "--port",
        str(port),
        "--db",
        str(folder / f"{port}.db"),
        "--demo-orders",
        "0",
        "--quiet",
        "--log-level",
        "info",
        *args,
    ]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    server = SterlingServer(f"http://127.0.0.1:{port}", log_path=log_path, process=process)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("sterling-mock exited:\n" + server.log_since(0))
        try:
            requests.get(server.url + "/_fake/health", timeout=1)
            return server
        except requests.ConnectionError:
            time.sleep(0.05)
    server.stop()
    raise RuntimeError("sterling-mock did not start:\n" + server.log_since(0))


def _option(config: pytest.Config, name: str, env: str, default: str | None) -> str | None:
    value = config.getoption(name)
    return str(value) if value else os.environ.get(env, default)


def external_server(config: pytest.Config) -> SterlingServer | None:
    url = _option(config, "--sterling-url", "STERLING_URL", None)
    if not url:
        return None
    root = url.rstrip("/").removesuffix("/smcfs/restapi").removesuffix("/smcfs")
    try:
        is_fake = requests.get(root + "/_fake/health", timeout=5).status_code in (200, 401)
    except requests.RequestException:
        is_fake = False
    return SterlingServer(
        root,
        user=_option(config, "--sterling-user", "STERLING_USER", "admin") or "admin",
        password=_option(config, "--sterling-password", "STERLING_PASSWORD", "password") or "password",
        auth=_option(config, "--sterling-auth", "STERLING_AUTH", "basic") or "basic",
        is_fake=is_fake,
    )


@pytest.fixture(scope="session")
def sterling_server(request: pytest.FixtureRequest) -> Iterator[SterlingServer]:
    """The server for this session (per xdist worker): an external one, or the fake started once."""
    external = external_server(request.config)
    if external is not None:
        yield external
        return
    with tempfile.TemporaryDirectory(prefix="sterling-mock-") as folder:
        server = start_server(Path(folder))
        try:
            yield server
        finally:
            server.stop()


class Sterling:
    """One test's view of the fake: its own namespace, an authenticated client, and control-plane helpers."""

    def __init__(self, server: SterlingServer, namespace: str) -> None:
        from client import SterlingClient

        self.server = server
        self.namespace = namespace
        self.base_url = server.base_url
        self.headers = {"X-Sterling-Mock-Namespace": namespace} if server.is_fake else {}
        self.client = SterlingClient(
            server.url, server.user, server.password, auth=server.auth, headers=dict(self.headers)
        )
        self._control: Any = None
        self._faker: Any = None

    @property
    def control(self) -> Any:
        """The :class:`~mock_server.control.helper.FakeControl` for this namespace."""
        if not self.server.is_fake:
            raise NoControlPlane(f"{self.server.url} is a real Sterling: it has no /_fake/ control plane")
        if self._control is None:
            from .control.helper import FakeControl

            self._control = FakeControl(self.server.url, namespace=self.namespace)
        return self._control

    def create_order(self, seed: int | None = None, **overrides: Any) -> dict[str, Any]:
        """createOrder with a realistic document from the fixtures' builder; ``overrides`` set what matters."""
        from fixtures.builders import create_order_input
        from fixtures.provider import sterling_faker

        if self._faker is None or seed is not None:
            self._faker = sterling_faker(seed if seed is not None else 0)
        return dict(self.client.create_order(create_order_input(self._faker, **overrides)))

    def advance(self, order_header_key: str, to: str) -> dict[str, Any]:
        """Walk an order to a status (1500, 3200, 3700, 9000, 1300) through the real APIs."""
        return dict(self.control.advance_order(order_header_key, to))

    def fault(self, api: str, action: dict[str, Any], **rule: Any) -> dict[str, Any]:
        """Add a fault rule (shared/control-plane.md), e.g.
        ``sterling.fault("createOrder", {"type": "http", "status": 503}, times=1)``."""
        return dict(self.control.add_fault(api, action, **rule))

    def throttle(self, rate: float = 1.0, burst: int = 1, enabled: bool = True) -> dict[str, Any]:
        return dict(self.control.set_throttle(enabled=enabled, rate=rate, burst=burst))

    @property
    def clock(self) -> Any:
        """``sterling.clock.freeze(...)``, ``.advance(seconds)``, ``.set_time(iso)`` (the FakeControl methods)."""
        return self.control

    def calls(self, api: str | None = None, **match: str) -> list[dict[str, Any]]:
        """Journal entries of this test's namespace, optionally for one API and input attributes."""
        if api is None:
            return list(self.control.journal()["entries"])
        return list(self.control.calls(api, **match))

    def close(self) -> None:
        if self.server.is_fake:
            try:
                self.control.reset()
            finally:
                self.control.close()
        self.client.close()


@pytest.fixture
def sterling(sterling_server: SterlingServer, request: pytest.FixtureRequest) -> Iterator[Sterling]:
    """A fresh namespace on the session's server: tests (and xdist workers) never see each other's orders."""
    namespace = "t-" + uuid.uuid4().hex[:12]
    request.node.stash[_LOG_OFFSET] = sterling_server.log_size()
    handle = Sterling(sterling_server, namespace)
    try:
        yield handle
    finally:
        handle.close()


@pytest.fixture
def sterling_inprocess() -> Iterator[Any]:
    """The fake in this process, no socket: every ``requests`` call to a ``/smcfs/`` URL is served by it."""
    from .inprocess import sterling_mock

    with sterling_mock() as mock:
        yield mock


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    outcome = yield
    report = outcome.get_result()
    if report.failed and _LOG_OFFSET in item.stash:
        server = item.funcargs.get("sterling_server") if hasattr(item, "funcargs") else None
        if isinstance(server, SterlingServer) and server.log_path is not None:
            report.sections.append(("sterling-mock server log", server.log_since(item.stash[_LOG_OFFSET])))
