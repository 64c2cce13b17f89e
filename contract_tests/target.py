"""The target switch: the fake (started on a free port) or a real instance named by the environment."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
AUTH_STYLES = ("basic", "token")


@dataclass(frozen=True)
class Target:
    """Where the suite sends its calls.  ``is_fake`` is true only for the fake this suite started itself: a
    fake named by ``STERLING_URL`` is treated exactly like a real instance."""

    base_url: str
    user: str
    password: str
    auth: str = "basic"
    is_fake: bool = False
    #: The fake's root URL (for ``/_fake/`` control calls); empty for a real instance.
    control_url: str = ""

    @property
    def name(self) -> str:
        return "fake" if self.is_fake else "real"


def normalise_base_url(url: str) -> str:
    """``http://host:9080``, ``.../smcfs`` and ``.../smcfs/restapi`` all name the REST root."""
    url = url.strip().rstrip("/")
    if url.endswith("/restapi"):
        return url
    if url.endswith("/smcfs"):
        return url + "/restapi"
    return url + "/smcfs/restapi"


def from_environment(env: dict[str, str] | None = None) -> Target | None:
    """The real target from ``STERLING_URL``, ``STERLING_USER``, ``STERLING_PASSWORD``, ``STERLING_AUTH``
    (``basic`` or ``token``); None when ``STERLING_URL`` is unset.  Credentials come only from here."""
    env = dict(os.environ if env is None else env)
    url = env.get("STERLING_URL", "").strip()
    if not url:
        return None
    auth = env.get("STERLING_AUTH", "basic").strip().lower() or "basic"
    if auth not in AUTH_STYLES:
        raise ValueError(f"STERLING_AUTH must be one of {', '.join(AUTH_STYLES)}, not {auth!r}")
    user = env.get("STERLING_USER", "")
    if not user:
        raise ValueError("STERLING_USER is required with STERLING_URL")
    return Target(normalise_base_url(url), user, env.get("STERLING_PASSWORD", ""), auth)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class FakeServer:
    """``sterling-mock serve`` (gunicorn) on a free 127.0.0.1 port with its own store file."""

    def __init__(self, workdir: Path, *args: str, timeout: float = 30.0) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / f"contract-fake-{self.port}.log"
        cmd = [sys.executable, "-m", "sterling_mock.mock_server", "serve", "--port", str(self.port)]
        cmd += ["--db", str(workdir / f"contract-{self.port}.db"), "--quiet", "--demo-orders", "0", *args]
        self.log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, cwd=ROOT)
        self._wait(timeout)

    def target(self, user: str = "admin", password: str = "password") -> Target:
        return Target(self.url + "/smcfs/restapi", user, password, "basic", True, self.url)

    def _wait(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("the fake exited:\n" + self.log_path.read_text(errors="replace"))
            try:
                if requests.get(self.url + "/_fake/health", timeout=1).status_code == 200:
                    return
            except requests.ConnectionError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("the fake did not start:\n" + self.log_path.read_text(errors="replace"))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.log.close()
