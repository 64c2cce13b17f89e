"""Bench: a create + read round trip in-process (``sterling_mock``) against the same over loopback HTTP
(target: in-process at least 3x faster)."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from client import SterlingClient
from mock_server.inprocess import sterling_mock

from .harness import fake_server

ORDER = {
    "EnterpriseCode": "Matrix-R",
    "OrderLines": {
        "OrderLine": [
            {"OrderedQty": "2", "Item": {"ItemID": f"SKU-{n}"}, "LinePriceInfo": {"UnitPrice": "10"}}
            for n in range(3)
        ]
    },
}


def _round_trips(client: SterlingClient, count: int) -> float:
    started = time.perf_counter()
    for _ in range(count):
        key = client.create_order(ORDER)["OrderHeaderKey"]
        client.get_order(key)
    return (time.perf_counter() - started) / count


def run(report: Callable[[str, str], None], quick: bool) -> None:
    count = 200 if quick else 1000
    with tempfile.TemporaryDirectory() as tmpdir:
        server = fake_server(str(Path(tmpdir) / "http.db"), "--demo-orders", "0").start()
        try:
            with SterlingClient(server.url) as client:
                _round_trips(client, 20)
                over_http = _round_trips(client, count)
        finally:
            server.stop()
        with (
            sterling_mock("http://sterling.inprocess", db=str(Path(tmpdir) / "inproc.db")),
            SterlingClient("http://sterling.inprocess") as client,
        ):
            _round_trips(client, 20)
            in_process = _round_trips(client, count)
        with sterling_mock("http://sterling.memory"), SterlingClient("http://sterling.memory") as client:
            _round_trips(client, 20)
            in_memory = _round_trips(client, count)
    report("create + read over loopback HTTP (gunicorn, file store)", f"{1000 * over_http:.2f} ms")
    report(
        "create + read in-process (file store)",
        f"{1000 * in_process:.2f} ms  ({over_http / in_process:.1f}x faster)",
    )
    report(
        "create + read in-process (:memory: store, the default)",
        f"{1000 * in_memory:.2f} ms  ({over_http / in_memory:.1f}x faster, target >= 3x)",
    )
