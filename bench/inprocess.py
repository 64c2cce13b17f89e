"""Bench: a create + read round trip in-process (``sterling_mock``) against the same over loopback HTTP to the
production server (target: in-process at least 3x faster), through ``SterlingClient`` and plain ``requests``."""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import requests

from sterling_mock.client import SterlingClient
from sterling_mock.mock_server.doors.inprocess import sterling_mock

from .harness import Server, cpu_seconds, fake_server

ORDER = {
    "EnterpriseCode": "Matrix-R",
    "OrderLines": {
        "OrderLine": [
            {"OrderedQty": "2", "Item": {"ItemID": f"SKU-{n}"}, "LinePriceInfo": {"UnitPrice": "10"}}
            for n in range(3)
        ]
    },
}
RoundTrip = Callable[[], None]


def with_client(client: SterlingClient) -> RoundTrip:
    def once() -> None:
        client.get_order(client.create_order(ORDER)["OrderHeaderKey"])

    return once


def with_requests(session: requests.Session, url: str) -> RoundTrip:
    """What a user's own code does: JSON in, JSON out, nothing else."""
    invoke = url + "/smcfs/restapi/invoke/"

    def once() -> None:
        made = session.post(invoke + "createOrder", json=ORDER, timeout=30)
        made.raise_for_status()
        key = made.json()["OrderHeaderKey"]
        session.post(invoke + "getOrderDetails", json={"OrderHeaderKey": key}, timeout=30).raise_for_status()

    return once


@dataclass
class Figures:
    """Wall-clock milliseconds per round trip (median of rounds) and CPU milliseconds per round trip (client
    plus server processes, all rounds): on a busy shared machine the CPU figure is the steadier one."""

    wall: list[float] = field(default_factory=list)
    cpu_s: float = 0.0
    trips: int = 0

    @property
    def wall_ms(self) -> float:
        return statistics.median(self.wall)

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.cpu_s / self.trips


def measure(figures: Figures, trip: RoundTrip, count: int, server: Server | None = None) -> None:
    pids = server.pids() if server else []
    cpu, server_cpu, wall = time.process_time(), cpu_seconds(pids), time.perf_counter()
    for _ in range(count):
        trip()
    figures.wall.append(1000 * (time.perf_counter() - wall) / count)
    figures.cpu_s += time.process_time() - cpu + cpu_seconds(pids) - server_cpu
    figures.trips += count


def run(report: Callable[[str, str], None], quick: bool) -> None:
    rounds, count = (5, 40) if quick else (9, 100)
    with tempfile.TemporaryDirectory() as tmpdir:
        server = fake_server(str(Path(tmpdir) / "http.db"), "--demo-orders", "0").start()
        try:
            results = _rounds(server, Path(tmpdir) / "inproc.db", rounds, count)
        finally:
            server.stop()
    for driver, figures in results.items():
        _report(report, driver, figures)


def _rounds(server: Server, db: Path, rounds: int, count: int) -> dict[str, dict[str, Figures]]:
    """The targets take turns, round after round, so a busy spell on the machine falls on all of them alike;
    the HTTP rounds run with no mock active (nothing in their way), each in-process round in a fresh block."""
    memory, file = sterling_mock("http://sterling.memory"), sterling_mock("http://sterling.file", db=str(db))
    with (
        SterlingClient(server.url) as over_http,
        SterlingClient(memory.url) as in_memory,
        SterlingClient(file.url) as in_file,
        requests.Session() as session,
    ):
        session.auth = ("admin", "password")
        trips = {
            "SterlingClient": {
                "http": with_client(over_http),
                "memory": with_client(in_memory),
                "file": with_client(in_file),
            },
            "plain requests": {
                "http": with_requests(session, server.url),
                "memory": with_requests(session, memory.url),
            },
        }
        results = {driver: {target: Figures() for target in by} for driver, by in trips.items()}
        for n in range(rounds + 1):  # round 0 warms up
            for driver, by in trips.items():
                for target, trip in by.items():
                    figures = results[driver][target] if n else Figures()
                    if target == "http":
                        measure(figures, trip, count if n else 10, server)
                        continue
                    with memory if target == "memory" else file:
                        measure(figures, trip, count if n else 10)
    return results


def _report(report: Callable[[str, str], None], driver: str, by: dict[str, Figures]) -> None:
    http = by["http"]
    report(
        f"{driver}: create + read, loopback HTTP (durable)",
        f"{http.wall_ms:6.2f} ms  cpu {http.cpu_ms:5.2f} ms",
    )
    labels = {"memory": "in-process (:memory:, default)", "file": "in-process (durable file)"}
    for target, figures in by.items():
        if target != "http":
            report(
                f"{driver}: create + read, {labels[target]}",
                f"{figures.wall_ms:6.2f} ms  cpu {figures.cpu_ms:5.2f} ms  "
                f"{http.wall_ms / figures.wall_ms:4.1f}x faster (cpu {http.cpu_ms / figures.cpu_ms:3.1f}x)"
                + ("  target >= 3x" if target == "memory" else ""),
            )
