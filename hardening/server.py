"""A ``sterling-mock serve`` process the hardening scripts can start, kill with SIGKILL and restart on one port."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from sterling_mock.mock_server.base.ports import free_port

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Server:
    db: str
    workers: int = 2
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> Server:
        cmd = [
            sys.executable,
            "-m",
            "sterling_mock.mock_server",
            "serve",
            "--port",
            str(self.port),
            "--db",
            self.db,
            "--workers",
            str(self.workers),
            "--demo-orders",
            "0",
            "--quiet",
        ]
        self.process = subprocess.Popen(
            cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                requests.get(self.url + "/_fake/health", timeout=1)
                return self
            except requests.ConnectionError:
                time.sleep(0.02)
        raise RuntimeError("server did not start")

    def kill(self) -> None:
        """SIGKILL the whole process group: master and workers die mid-whatever."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(15)
