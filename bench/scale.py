"""Scale figures (issue 9): the same calls with 1,000 and with 1,000,000 orders in the store (``--quick``: 20,000),
and getOrderDetails / getOrderList throughput with 1, 2 and 4 worker processes, each as a ratio to the Flask
static baseline measured in this run."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from .harness import AUTH, ROOT, Load, baseline_load, drive, fake_server, figures, json_body

Report = Callable[[str, str], None]
HEADERS = {"Authorization": AUTH, "Content-Type": "application/json"}
SECONDS = 5.0


def build(db: str, count: int) -> float:
    """``sterling-mock seed --orders N`` (the bulk clone path past a few thousand orders); seconds taken."""
    started = time.perf_counter()
    subprocess.run(
        # all Created at every size (the bulk path's orders are), so the sizes compare like with like
        [
            sys.executable,
            "-m",
            "sterling_mock.mock_server",
            "seed",
            "--orders",
            str(count),
            "--statuses",
            "1100",
            "--db",
            db,
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def _keys(db: str, count: int) -> list[str]:
    """Keys spread over the whole store (a hot set of 200: what a test suite reads)."""
    with sqlite3.connect(db) as conn:
        step = max(count // 200, 1)
        return [r[0] for r in conn.execute("SELECT ohk FROM orders WHERE id % ? = 0 LIMIT 200", (step,))]


def _calls(db: str, count: int) -> dict[str, tuple[str, str, list[bytes] | None, bytes | None]]:
    keys = _keys(db, count)
    create = json_body({"EnterpriseCode": "Matrix-R", "OrderLines": {"OrderLine": [{"OrderedQty": "1"}]}})
    return {
        "getOrderDetails JSON": (
            "POST",
            "/smcfs/restapi/invoke/getOrderDetails",
            [json_body({"OrderHeaderKey": k}) for k in keys],
            None,
        ),
        "getOrderList 20, JSON": (
            "POST",
            "/smcfs/restapi/invoke/getOrderList",
            None,
            json_body({"EnterpriseCode": "Matrix-R", "MaximumRecords": "20"}),
        ),
        "createOrder durable": ("POST", "/smcfs/restapi/invoke/createOrder", None, create),
    }


def _line(report: Report, name: str, load: Load, base: Load, extra: str = "") -> None:
    report(name, figures(load, base, extra=extra))


def run(report: Report, quick: bool) -> None:
    big = 20_000 if quick else 1_000_000
    seconds = 3.0 if quick else SECONDS
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        small_db, big_db = str(Path(tmp) / "small.db"), str(Path(tmp) / "big.db")
        build(small_db, 1000)
        took = build(big_db, big)
        size = Path(big_db).stat().st_size / 2**30
        report(f"build a store of {big:,} orders (seed, bulk clones)", f"{took:.0f} s, {size:.2f} GiB")
        base_load = baseline_load(seconds)
        _line(report, "baseline: Flask static 42 KB (= 1.0x)", base_load, base_load)
        for name in _calls(small_db, 1000):
            loads = {}
            for label, db, count in (("1,000", small_db, 1000), (f"{big:,}", big_db, big)):
                method, path, bodies, body = _calls(db, count)[name]
                server = fake_server(db, "--demo-orders", "0").start()
                try:
                    loads[label] = drive(
                        server, method, path, body=body, bodies=bodies, headers=HEADERS, seconds=seconds
                    )
                finally:
                    server.stop()
            small, large = loads.values()
            ratio = large.requests_per_s / small.requests_per_s
            _line(report, f"{name}, 1,000 orders", small, base_load)
            _line(report, f"{name}, {big:,} orders", large, base_load, f"  ({ratio:.2f} of 1,000)")
        _workers(report, small_db, base_load, seconds)


def _workers(report: Report, db: str, base_load: Load, seconds: float) -> None:
    """Throughput with 1, 2 and 4 worker processes over one store (2 cores here)."""
    method, path, bodies, _ = _calls(db, 1000)["getOrderDetails JSON"]
    for workers in (1, 2, 4):
        server = fake_server(db, "--demo-orders", "0", "--workers", str(workers)).start()
        try:
            load = drive(server, method, path, bodies=bodies, headers=HEADERS, seconds=seconds)
        finally:
            server.stop()
        _line(report, f"getOrderDetails JSON, {workers} worker(s)", load, base_load)
