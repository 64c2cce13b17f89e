"""Bench: a full sync of N orders from a live fake (target: 100,000 in < 60 s) and an idle poll (< 50 ms)."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sterling_mock.client import SterlingClient
from sterling_mock.client.sink import SqliteSink
from sterling_mock.client.sync import Syncer

from .harness import ROOT, cpu_seconds, fake_server


def run(report: Callable[[str, str], None], quick: bool) -> None:
    count = 10_000 if quick else 100_000
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        db = str(tmp / "sync-source.db")
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "sterling_mock.mock_server", "seed", "--orders", str(count), "--db", db],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        report(f"seed {count:,} orders into the source store", f"{time.perf_counter() - started:.1f} s")
        server = fake_server(db, "--demo-orders", "0").start()
        try:
            with SterlingClient(server.url) as client:
                sink = SqliteSink(str(tmp / "sink.db"))
                syncer = Syncer(client, sink, page_size=500, overlap=2)
                started, own, served = time.perf_counter(), time.process_time(), cpu_seconds(server.pids())
                written = syncer.poll()
                elapsed = time.perf_counter() - started
                report(
                    f"full sync of {written:,} orders (500 a page, SQLite sink)",
                    f"{elapsed:.1f} s, {written / elapsed:,.0f} orders/s (target 100,000 < 60 s)",
                )
                # CPU seconds do not depend on what else the machine runs (wall time on a shared box does)
                report(
                    "  CPU: sync client / fake server",
                    f"{time.process_time() - own:.1f} s / {cpu_seconds(server.pids()) - served:.1f} s",
                )
                # steady state: the overlap window re-reads only recent changes, so let the bulk load age out
                time.sleep(3)
                client.create_order({"EnterpriseCode": "Matrix-R"})
                syncer.poll()
                idle = []
                for _ in range(20):
                    started = time.perf_counter()
                    syncer.poll()
                    idle.append(time.perf_counter() - started)
                report(
                    "idle poll, nothing changed, 2 s overlap (p50 of 20)",
                    f"{1000 * statistics.median(idle):.1f} ms (target < 50 ms)",
                )
                sink.close()
        finally:
            server.stop()
