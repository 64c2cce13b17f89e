"""Demo console figures (issue 13): order-book page server time with 1,000,000 orders (20,000 quick), and the
live pipeline view's cost on the server while the lifecycle agents run.

Server time is measured in-process through the Flask test client (routing, SQL, Jinja, no socket): the time
the server spends producing each page, p50 over repeated requests after one warm-up.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from flask.testing import FlaskClient

from sterling_mock.mock_server.base.settings import Settings
from sterling_mock.mock_server.calls import agents
from sterling_mock.mock_server.console import pipeline
from sterling_mock.mock_server.doors.app import create_app
from sterling_mock.mock_server.seeding.seed import SeedOptions, seed_orders

from .queries import bulk_seed

Report = Callable[[str, str], None]
CONSOLE = "/_fake/console"
POLL_SECONDS = 2.0


def p50_ms(client: FlaskClient, url: str, runs: int) -> float:
    client.get(url)  # warm-up: page cache, statement cache
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times)


def _next_link(client: FlaskClient, url: str, pages: int) -> str:
    """The URL ``pages`` pages deep, following the "Next" links (keyset cursors)."""
    for _ in range(pages):
        body = client.get(url).data.decode()
        start = body.index('rel="next" href="') + len('rel="next" href="')
        url = body[start : body.index('"', start)].replace("&amp;", "&")
    return url


def order_book(client: FlaskClient, report: Report, count: int, runs: int) -> None:
    cases = [
        ("first page, newest first (50 rows)", f"{CONSOLE}/"),
        ("page 21 by keyset cursor", _next_link(client, f"{CONSOLE}/", 20)),
        ("sorted by OrderNo", f"{CONSOLE}/?sort=orderno"),
        ("sorted by last change, oldest first", f"{CONSOLE}/?sort=modified&dir=asc"),
        ("enterprise filter", f"{CONSOLE}/?enterprise=Aurora"),
        ("status filter 3700 Shipped", f"{CONSOLE}/?status=3700"),
        (
            "enterprise + status 9000 (5 %) + OrderNo sort",
            f"{CONSOLE}/?enterprise=Globex&status=9000&sort=orderno",
        ),
        ("date range (one week)", f"{CONSOLE}/?from=2025-05-01&to=2025-05-07"),
        ("search by OrderNo prefix", f"{CONSOLE}/?q=B00001234"),
        ("search by customer e-mail (bounded scan)", f"{CONSOLE}/?q=smith"),
    ]
    for label, url in cases:
        report(f"order book, {count:,} orders: {label}", f"p50 {p50_ms(client, url, runs):.1f} ms")


def pipeline_cost(report: Report, tmp: str, orders: int, steps: int) -> None:
    """Polling the live chart while agents step: each poll after a step recounts, an idle poll is cached."""
    app = create_app(Settings(db=str(Path(tmp) / f"p{orders}.db"), durability="OFF", demo_orders=0))
    fake = app.extensions["sterling_mock"]
    seed_orders(fake, "default", orders, seed=42, options=SeedOptions(statuses={"1100": 1.0}))
    client = app.test_client()
    changed: list[float] = []
    idle: list[float] = []
    stepping: list[float] = []
    for number in range(steps):
        started = time.perf_counter()
        agents.run(fake, "default", 1, {"limit": max(10, orders // 20)})
        stepping.append(time.perf_counter() - started)
        for bucket in (changed, idle):
            started = time.perf_counter()
            assert client.get(f"{CONSOLE}/pipeline/live").status_code == 200
            bucket.append((time.perf_counter() - started) * 1000)
        del number
    worst = max(changed)
    report(
        f"pipeline poll, {orders:,} orders, agents stepping",
        f"after a step p50 {statistics.median(changed):.1f} ms (max {worst:.1f}), "
        f"unchanged p50 {statistics.median(idle):.2f} ms; "
        f"{statistics.median(changed) / (POLL_SECONDS * 1000) * 100:.2f} % of a core per viewer at one poll / 2 s",
    )
    report(
        f"  (an agent step over those orders, for scale: p50 {statistics.median(stepping) * 1000:.0f} ms)",
        "",
    )


def run(report: Report, quick: bool, keep: str = "") -> None:
    """``keep``: a store file to reuse (seeded on first use) instead of a temporary one."""
    count = 20_000 if quick else 1_000_000
    with tempfile.TemporaryDirectory(prefix="bench-console-") as tmp:
        app = create_app(Settings(db=keep or str(Path(tmp) / "c.db"), durability="OFF", demo_orders=0))
        fake = app.extensions["sterling_mock"]
        with fake.store.read() as tx:
            present = tx.count_orders("default")
        if present != count:
            fake.store.reset("default")
            report(f"bulk seed of {count:,} orders (cloned prototypes)", f"{bulk_seed(fake, count):.1f} s")
        client = app.test_client()
        order_book(client, report, count, 5 if count >= 1_000_000 else 20)
        with fake.store.write() as tx:
            tx.kv_delete("default", pipeline.KV_CACHE)  # a kept store holds the last run's figures
        started = time.perf_counter()
        client.get(f"{CONSOLE}/pipeline/live")
        report(
            f"pipeline recount, {count:,} orders (estimated from a sample past 100,000)",
            f"{(time.perf_counter() - started) * 1000:.0f} ms",
        )
        report(
            f"pipeline poll, {count:,} orders, unchanged (cached)",
            f"p50 {p50_ms(client, f'{CONSOLE}/pipeline/live', 20):.2f} ms",
        )
        for orders in (300, 2_000) if quick else (300, 2_000, 20_000):
            pipeline_cost(report, tmp, orders, 5 if quick else 10)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--keep", default="", help="a store file to reuse across runs (seeded on first use)")
    args = parser.parse_args()
    run(lambda label, figure: print(f"  {label:<70} {figure}", flush=True), args.quick, args.keep)
