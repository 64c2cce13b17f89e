"""Shared deployment figures (issue 14): createOrder and getOrderDetails on SQLite (one instance) and on
PostgreSQL (one instance, and two instances on one database with the load split between them), each as a ratio
to the Flask static baseline measured in this run.

PostgreSQL runs durable (fsync on, ``synchronous_commit`` on for order writes), as SQLite runs
``synchronous=FULL``: both pay a flush per order write.  Its server's CPU is reported beside the fake's.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from sterling_mock.mock_server.store import pgcluster
from sterling_mock.mock_server.store.core import Store

from .harness import (
    AUTH,
    ROOT,
    Load,
    Server,
    baseline_load,
    cpu_seconds,
    drive,
    fake_server,
    figures,
    json_body,
    process_tree,
)

Report = Callable[[str, str], None]
HEADERS = {"Authorization": AUTH, "Content-Type": "application/json"}
ORDERS = 1000
CREATE = json_body(
    {
        "EnterpriseCode": "Matrix-R",
        "OrderLines": {
            "OrderLine": [
                {"OrderedQty": "2", "Item": {"ItemID": f"SKU-{n}"}, "LinePriceInfo": {"UnitPrice": "10.00"}}
                for n in range(3)
            ]
        },
    }
)


def _seed(db: str) -> list[bytes]:
    subprocess.run(
        [sys.executable, "-m", "sterling_mock.mock_server", "seed", "--orders", str(ORDERS), "--db", db],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    store = Store(db)
    try:
        with store.read() as tx:
            keys = [r[0] for r in tx.conn.execute("SELECT ohk FROM orders ORDER BY ohk LIMIT 200").fetchall()]
    finally:
        store.close()
    return [json_body({"OrderHeaderKey": k}) for k in keys]


def _postmaster(cluster: pgcluster.Cluster) -> int:
    return int((cluster.data / "postmaster.pid").read_text().split()[0])


def _drive_all(
    servers: list[Server],
    name: str,
    bodies: list[bytes] | None,
    seconds: float,
    *,
    own_namespace: bool = False,
) -> Load:
    """The same call on every server at once, 16 connections in all; throughput summed, latency the worst.
    ``own_namespace``: each server's clients work in a namespace of their own (CI pipelines sharing a fake)."""
    path = "/smcfs/restapi/invoke/" + name
    loads: list[Load] = []
    lock = threading.Lock()

    def one(server: Server) -> None:
        namespace = {"X-Sterling-Mock-Namespace": f"bench-{server.port}"} if own_namespace else {}
        load = drive(
            server,
            "POST",
            path,
            body=None if bodies else CREATE,
            bodies=bodies,
            headers={**HEADERS, **namespace},
            seconds=seconds,
            connections=16 // len(servers),
        )
        with lock:
            loads.append(load)

    threads = [threading.Thread(target=one, args=(server,)) for server in servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = sum(load.requests_per_s for load in loads)
    return Load(
        total,
        max(load.p50_ms for load in loads),
        max(load.p99_ms for load in loads),
        sum(load.cpu_ms_per_req * load.requests_per_s for load in loads) / max(total, 1e-9),
        sum(load.peak_rss_mib for load in loads),
        sum(load.errors for load in loads),
    )


def _line(report: Report, label: str, load: Load, base: Load, pg_cpu_ms: float | None = None) -> None:
    extra = f"  + postgres {pg_cpu_ms:4.2f} ms/req" if pg_cpu_ms is not None else ""
    report(label, figures(load, base, extra=extra))


def _measure(
    report: Report,
    label: str,
    servers: list[Server],
    details: list[bytes],
    base: Load,
    seconds: float,
    cluster: pgcluster.Cluster | None,
) -> None:
    for name, bodies in (("createOrder", None), ("getOrderDetails", details)):
        before = cpu_seconds(process_tree(_postmaster(cluster))) if cluster else 0.0
        load = _drive_all(servers, name, bodies, seconds)
        pg_cpu = None
        if cluster:
            # the whole run (warm-up included) over the measured requests: an upper bound
            spent = cpu_seconds(process_tree(_postmaster(cluster))) - before
            pg_cpu = 1000 * spent / max(load.requests_per_s * (seconds + 2), 1)
        call = "createOrder, 3 lines, durable" if name == "createOrder" else "getOrderDetails, JSON"
        _line(report, f"{call}: {label}", load, base, pg_cpu)


def run(report: Report, quick: bool) -> None:
    seconds = 3.0 if quick else 6.0
    try:
        cluster = pgcluster.start(durable=True)
    except pgcluster.Unavailable as exc:
        report("PostgreSQL", f"skipped: {exc}")
        return
    try:
        with tempfile.TemporaryDirectory(prefix="bench-shared-") as tmp:
            base = baseline_load(seconds)
            _line(report, "baseline: Flask static 42 KB (= 1.0x)", base, base)

            sqlite_db = str(Path(tmp) / "shared.db")
            details = _seed(sqlite_db)
            server = fake_server(sqlite_db, "--demo-orders", "0").start()
            try:
                _measure(report, "SQLite, 1 instance", [server], details, base, seconds, None)
            finally:
                server.stop()

            pg_db = cluster.url_for("bench")
            details = _seed(pg_db)
            one = fake_server(pg_db, "--demo-orders", "0").start()
            try:
                _measure(report, "PostgreSQL, 1 instance", [one], details, base, seconds, cluster)
                two = fake_server(pg_db, "--demo-orders", "0").start()
                try:
                    _measure(report, "PostgreSQL, 2 instances", [one, two], details, base, seconds, cluster)
                    before = cpu_seconds(process_tree(_postmaster(cluster)))
                    load = _drive_all([one, two], "createOrder", None, seconds, own_namespace=True)
                    spent = cpu_seconds(process_tree(_postmaster(cluster))) - before
                    pg_cpu = 1000 * spent / max(load.requests_per_s * (seconds + 2), 1)
                    label = "createOrder, 3 lines, durable: PostgreSQL, 2 instances, a namespace each"
                    _line(report, label, load, base, pg_cpu)
                finally:
                    two.stop()
            finally:
                one.stop()
    finally:
        cluster.stop()
