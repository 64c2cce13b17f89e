"""Bench plumbing: servers on free loopback ports, a wrk (or Python) load generator, CPU and RSS readings."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from sterling_mock.mock_server.base.ports import free_port

ROOT = Path(__file__).resolve().parent.parent
AUTH = "Basic " + base64.b64encode(b"admin:password").decode()
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def process_tree(pid: int) -> list[int]:
    pids = [pid]
    for child in _children(pid):
        pids.extend(process_tree(child))
    return pids


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError):
            pass
    return total / CLK_TCK


def rss_mib(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError):
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
    return total / 2**20


def idle_rss_mib(server: Server, processes: int, timeout: float = 10.0) -> float:
    """RSS of the server's process tree once it has ``processes`` processes (gunicorn answers its first
    request while it is still forking the other workers: reading at once counted master + 1 worker)."""
    deadline = time.monotonic() + timeout
    while len(server.pids()) < processes and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.5)  # let the last worker finish booting
    return rss_mib(server.pids())


@dataclass
class Server:
    name: str
    cmd: list[str]
    health: str
    env: dict[str, str] = field(default_factory=dict)
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    started_in: float = 0.0

    def start(self, *, ready_timeout: float = 30.0) -> Server:
        self.port = self.port or free_port()
        cmd = [part.replace("{port}", str(self.port)) for part in self.cmd]
        started = time.perf_counter()
        self.process = subprocess.Popen(
            cmd,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, **self.env},
        )
        deadline = time.monotonic() + ready_timeout
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + self.health, timeout=1).status_code < 500:
                    self.started_in = time.perf_counter() - started
                    return self
            except requests.ConnectionError:
                time.sleep(0.01)
        self.stop()
        raise RuntimeError(f"{self.name} did not start")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def pids(self) -> list[int]:
        return process_tree(self.process.pid) if self.process else []

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def fake_server(db: str, *args: str) -> Server:
    return Server(
        "sterling-mock",
        [
            sys.executable,
            "-m",
            "sterling_mock.mock_server",
            "serve",
            "--port",
            "{port}",
            "--db",
            db,
            "--quiet",
            *args,
        ],
        "/_fake/health",
    )


def _gunicorn(name: str, app: str, env: dict[str, str] | None = None) -> Server:
    """A Flask app of ``bench/`` under gunicorn with 2 sync workers, as the fake's ``serve`` runs."""
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    command = [gunicorn, "-w", "2", "-k", "sync", "-b", "127.0.0.1:{port}", "--log-level", "warning", app]
    return Server(name, command, "/", env=env or {})


def baseline_server() -> Server:
    return _gunicorn("flask-static", "bench.baseline:app")


def floor_server(db: str, synchronous: str) -> Server:
    """``bench/floor.py`` (one committed SQLite insert per POST) under gunicorn like the baseline."""
    return _gunicorn(
        f"floor-{synchronous.lower()}", "bench.floor:app", {"FLOOR_DB": db, "FLOOR_SYNC": synchronous}
    )


@dataclass
class Load:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    cpu_ms_per_req: float
    peak_rss_mib: float
    errors: int


def _lua(
    method: str, path: str, body: bytes | None, headers: dict[str, str], bodies: list[bytes] | None
) -> str:
    lines = [f'wrk.method = "{method}"', f'wrk.path = "{path}"']
    for key, value in headers.items():
        lines.append(f'wrk.headers["{key}"] = "{value}"')
    if bodies:
        quoted = ",".join("[==[" + b.decode() + "]==]" for b in bodies)
        lines.append(f"local bodies = {{{quoted}}}")
        lines.append("local i = 0")
        lines.append(
            "request = function() i = i % #bodies + 1; return wrk.format(nil, nil, nil, bodies[i]) end"
        )
    elif body is not None:
        lines.append("wrk.body = [==[" + body.decode() + "]==]")
    lines.append(
        "done = function(summary, latency, requests)\n"
        '  io.write(string.format("RESULT %f %f %f %d %d\\n", summary.requests / (summary.duration / 1e6), '
        "latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.errors.status + "
        "summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, summary.requests))\n"
        "end"
    )
    return "\n".join(lines)


def drive(
    server: Server,
    method: str,
    path: str,
    *,
    body: bytes | None = None,
    bodies: list[bytes] | None = None,
    headers: dict[str, str] | None = None,
    seconds: float = 8.0,
    warmup: float = 2.0,
    connections: int = 16,
) -> Load:
    """Load ``server`` with 16 connections for ``warmup`` + ``seconds``; figures from the measured part."""
    headers = headers or {}
    wrk = shutil.which("wrk")
    if wrk:
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(_lua(method, path, body, headers, bodies))
        try:
            if warmup:
                subprocess.run(
                    [
                        wrk,
                        "-t2",
                        f"-c{connections}",
                        f"-d{max(1, int(warmup))}s",
                        "-s",
                        script.name,
                        server.url,
                    ],
                    capture_output=True,
                    check=False,
                    timeout=warmup + 30,
                )
            pids = server.pids()
            cpu_before = cpu_seconds(pids)
            peak = [rss_mib(pids)]
            stop = threading.Event()

            def sample() -> None:
                while not stop.wait(0.2):
                    peak[0] = max(peak[0], rss_mib(server.pids()))

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            out = subprocess.run(
                [
                    wrk,
                    "-t2",
                    f"-c{connections}",
                    f"-d{max(1, int(seconds))}s",
                    "--timeout",
                    "10s",
                    "-s",
                    script.name,
                    server.url,
                ],
                capture_output=True,
                text=True,
                check=False,
                timeout=seconds + 60,
            ).stdout
            stop.set()
            sampler.join()
            cpu = cpu_seconds(server.pids()) - cpu_before
        finally:
            os.unlink(script.name)
        match = re.search(r"RESULT ([\d.]+) ([\d.]+) ([\d.]+) (\d+) (\d+)", out)
        if not match:
            raise RuntimeError("wrk gave no result:\n" + out)
        rps, p50, p99, errors, count = (float(g) for g in match.groups())
        return Load(rps, p50, p99, 1000 * cpu / max(count, 1), peak[0], int(errors))
    return _python_drive(server, method, path, body, bodies, headers, seconds, connections)


def _python_drive(
    server: Server,
    method: str,
    path: str,
    body: bytes | None,
    bodies: list[bytes] | None,
    headers: dict[str, str],
    seconds: float,
    connections: int,
) -> Load:
    """Fallback when wrk is missing: threads with keep-alive sessions (itself CPU-bound: figures are lower)."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    pids = server.pids()
    cpu_before = cpu_seconds(pids)

    def worker(index: int) -> None:
        session = requests.Session()
        i = index
        while time.monotonic() < deadline:
            data = bodies[i % len(bodies)] if bodies else body
            i += 1
            started = time.perf_counter()
            response = session.request(method, server.url + path, data=data, headers=headers, timeout=10)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                errors[0] += response.status_code >= 400

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cpu = cpu_seconds(server.pids()) - cpu_before
    latencies.sort()
    count = max(len(latencies), 1)
    return Load(
        len(latencies) / seconds,
        1000 * latencies[count // 2],
        1000 * latencies[int(count * 0.99)],
        1000 * cpu / count,
        rss_mib(server.pids()),
        errors[0],
    )


def baseline_load(seconds: float) -> Load:
    """The Flask static baseline's load figures in this run (every ratio's denominator)."""
    server = baseline_server().start()
    try:
        return drive(server, "GET", "/", seconds=seconds)
    finally:
        server.stop()


def json_body(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, separators=(",", ":")).encode()


def figures(load: Load, base: Load, ratio: float | None = None, extra: str = "") -> str:
    """A row's figures, each with its ratio to the baseline measured in the same run (``ratio``: the req/s one
    when the caller has a better one, a paired row's median of its rounds); for latency, CPU and memory a ratio
    above 1 means more than the baseline's.  ``extra`` goes before the error count."""

    def times(value: float, of: float) -> str:
        return f"({value / of:.1f}x)" if of > 0 else "(-)"

    if ratio is None:
        ratio = load.requests_per_s / base.requests_per_s if base.requests_per_s else 0.0
    return (
        f"{load.requests_per_s:8.0f} req/s  {ratio:5.2f}x  "
        f"p50 {load.p50_ms:6.2f} ms {times(load.p50_ms, base.p50_ms)}  "
        f"p99 {load.p99_ms:6.2f} ms {times(load.p99_ms, base.p99_ms)}  "
        f"cpu {load.cpu_ms_per_req:5.2f} ms/req {times(load.cpu_ms_per_req, base.cpu_ms_per_req)}  "
        f"rss {load.peak_rss_mib:5.0f} MiB {times(load.peak_rss_mib, base.peak_rss_mib)}{extra}  errors {load.errors}"
    )
