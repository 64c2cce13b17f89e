"""``make bench``: the fake against a minimal Flask static baseline measured in the same run.

Usage: ``python -m bench [--quick] [--only foundation,queries,...] [--seconds 8]``.  Every throughput figure is
printed as a ratio to the baseline's requests/second in this run (runs on shared machines vary by ±25 %).
"""

from __future__ import annotations

import argparse
import importlib
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import requests

from sterling_mock.mock_server.base.ports import free_port

from .harness import (
    AUTH,
    ROOT,
    Load,
    Server,
    baseline_server,
    fake_server,
    figures,
    floor_server,
    idle_rss_mib,
    json_body,
)

SECTIONS = (
    "foundation",
    "queries",
    "lifecycle",
    "sync",
    "inprocess",
    "console",
    "scale",
    "shared",
    "inventory",
    "catalog",
    "write_check",
)


def report(label: str, figure: str) -> None:
    print(f"  {label:<58} {figure}", flush=True)


def startup(tmp: Path, runs: int, demo_orders: int = 0) -> list[float]:
    """Seconds from process start to the first successful createOrder, on an empty store (with ``demo_orders``,
    the first start of ``make run``: the demo book is written after the port opens)."""
    times = []
    body = json_body({"EnterpriseCode": "Matrix-R", "OrderLines": {"OrderLine": [{"OrderedQty": "1"}]}})
    for n in range(runs):
        server = fake_server(str(tmp / f"startup-{demo_orders}-{n}.db"), "--demo-orders", str(demo_orders))
        server.port = free_port()
        cmd = [part.replace("{port}", str(server.port)) for part in server.cmd]
        started = time.perf_counter()
        process = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while True:
                try:
                    response = requests.post(
                        f"{server.url}/smcfs/restapi/invoke/createOrder",
                        data=body,
                        headers={"Authorization": AUTH, "Content-Type": "application/json"},
                        timeout=2,
                    )
                    if response.status_code == 200:
                        break
                except requests.ConnectionError:
                    time.sleep(0.002)
                if time.perf_counter() - started > 30:
                    raise RuntimeError("fake did not start")
            times.append(time.perf_counter() - started)
        finally:
            process.terminate()
            process.wait(10)
    return times


def line(name: str, load: Load, base: Load) -> None:
    report(name, figures(load, base))


class Paired:
    """Each row against the baseline measured beside it, in ``ROUNDS`` alternating runs (baseline, row,
    baseline, row, ...; a third of the seconds each): on a shared machine the speed of both drifts by ±10 %
    over a minute, the baseline alone by up to ±12 % between two runs of one section, so a row compared with
    one baseline run inherits that run's luck (bench/README.md).  The row's ratio is the median of its rounds'
    ratios; both servers keep running between rounds."""

    ROUNDS = 3

    def __init__(self, base: Server, seconds: float) -> None:
        self.base = base
        self.seconds = seconds

    def row(self, name: str, measure: Callable[..., Load]) -> None:
        from .harness import drive

        share = max(1.0, self.seconds / self.ROUNDS)
        bases: list[Load] = []
        loads: list[Load] = []
        for round_ in range(self.ROUNDS):
            bases.append(drive(self.base, "GET", "/", seconds=share, warmup=1))
            loads.append(measure(seconds=share, warmup=2 if round_ == 0 else 1))
        ratios = sorted(
            load.requests_per_s / base.requests_per_s for load, base in zip(loads, bases, strict=True)
        )
        ratio = statistics.median(ratios)
        load, base = _mean(loads), _mean(bases)
        report(
            name,
            f"{figures(load, base, ratio)}  (rounds {' '.join(f'{r:.2f}' for r in ratios)}; "
            f"baseline beside it {base.requests_per_s:.0f} req/s)",
        )


def _mean(loads: list[Load]) -> Load:
    return Load(
        requests_per_s=statistics.fmean(load.requests_per_s for load in loads),
        p50_ms=statistics.median(load.p50_ms for load in loads),
        p99_ms=max(load.p99_ms for load in loads),
        cpu_ms_per_req=statistics.fmean(load.cpu_ms_per_req for load in loads),
        peak_rss_mib=max(load.peak_rss_mib for load in loads),
        errors=sum(load.errors for load in loads),
    )


def foundation(quick: bool, seconds: float) -> None:
    from .harness import drive

    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        times = startup(tmp, 3 if quick else 5)
        report(
            "startup to first createOrder (median, empty store)",
            f"{statistics.median(times):.3f} s (min {min(times):.3f}, target < 0.5 s)",
        )
        times = startup(tmp, 3 if quick else 5, demo_orders=300)
        report(
            "first start with 300 demo orders to first createOrder",
            f"{statistics.median(times):.3f} s (min {min(times):.3f}, target < 0.5 s)",
        )
        base = baseline_server().start()
        try:
            base_load = drive(base, "GET", "/", seconds=seconds)
            line("baseline: Flask static 42 KB under gunicorn (= 1.0x)", base_load, base_load)
            _foundation_rows(tmp, Paired(base, seconds), seconds)
        finally:
            base.stop()


def _foundation_rows(tmp: Path, paired: Paired, seconds: float) -> None:
    from .harness import drive

    db = str(tmp / "bench.db")
    subprocess.run(
        # all Created, as the rows were measured before the seed spread orders over the pipeline
        [
            sys.executable,
            "-m",
            "sterling_mock.mock_server",
            "seed",
            "--orders",
            "1000",
            "--statuses",
            "1100",
            "--db",
            db,
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    keys = [r[0] for r in sqlite3.connect(db).execute("SELECT ohk FROM orders LIMIT 200")]
    fake = fake_server(db).start()
    try:
        idle = idle_rss_mib(fake, processes=3)
        report("idle RSS, master + 2 workers", f"{idle:.0f} MiB (target < 100 MiB)")
        headers = {"Authorization": AUTH, "Content-Type": "application/json"}
        create = json_body(
            {
                "EnterpriseCode": "Matrix-R",
                "OrderLines": {
                    "OrderLine": [
                        {
                            "OrderedQty": "2",
                            "Item": {"ItemID": f"SKU-{n}"},
                            "LinePriceInfo": {"UnitPrice": "10.00"},
                        }
                        for n in range(3)
                    ]
                },
            }
        )
        paired.row(
            "createOrder, 3 lines, JSON, durable (durability=FULL)",
            lambda **run: drive(
                fake, "POST", "/smcfs/restapi/invoke/createOrder", body=create, headers=headers, **run
            ),
        )
        for synchronous in ("FULL", "NORMAL"):
            floor = floor_server(str(tmp / f"floor-{synchronous}.db"), synchronous).start()
            try:
                paired.row(
                    f"  floor: one bare SQLite insert per POST, synchronous={synchronous}",
                    lambda floor=floor, **run: drive(floor, "POST", "/", body=create, headers=headers, **run),
                )
            finally:
                floor.stop()
        details = [json_body({"OrderHeaderKey": k}) for k in keys]
        for fmt, extra in (("JSON", {}), ("XML", {"Accept": "application/xml"})):
            paired.row(
                f"getOrderDetails, {fmt}",
                lambda extra=extra, **run: drive(
                    fake,
                    "POST",
                    "/smcfs/restapi/invoke/getOrderDetails",
                    bodies=details,
                    headers={**headers, **extra},
                    **run,
                ),
            )
        list_rows(fake, headers, paired, seconds)
    finally:
        fake.stop()


FULL_LIST_TEMPLATE = (
    b"<OrderList><Order><PriceInfo/><OverallTotals/><PersonInfoShipTo/><PersonInfoBillTo/><OrderLines><OrderLine>"
    b"<Item/><LinePriceInfo/><LineOverallTotals/><OrderStatuses><OrderStatus/></OrderStatuses></OrderLine>"
    b"</OrderLines></Order></OrderList>"
)

#: The issue's row: 20 full orders through a template that includes lines, ≈ 40 KB.
LINES_LIST_TEMPLATE = (
    b"<OrderList><Order OrderHeaderKey='' OrderNo='' EnterpriseCode='' DocumentType='' OrderDate='' Status='' "
    b"MinOrderStatus='' MaxOrderStatus='' CustomerPONo=''><PriceInfo Currency='' TotalAmount=''/>"
    b"<OverallTotals GrandTotal='' GrandTax=''/><PersonInfoShipTo FirstName='' LastName='' City='' State='' "
    b"ZipCode='' Country=''/><OrderLines><OrderLine OrderLineKey='' PrimeLineNo='' SubLineNo='' OrderedQty='' "
    b"Status='' MaxLineStatus=''><Item ItemID='' ItemDesc='' UnitOfMeasure=''/><LinePriceInfo UnitPrice='' "
    b"LineTotal=''/></OrderLine></OrderLines></Order></OrderList>"
)


def list_rows(fake: Server, headers: dict[str, str], paired: Paired, seconds: float) -> None:
    """getOrderList of 20 orders: default output, and full orders with lines through a stored template."""
    from .harness import drive

    requests.put(fake.url + "/_fake/templates/benchFullList", data=FULL_LIST_TEMPLATE, timeout=10)
    requests.put(fake.url + "/_fake/templates/benchLinesList", data=LINES_LIST_TEMPLATE, timeout=10)
    body = json_body({"MaximumRecords": "20"})
    path = "/smcfs/restapi/invoke/getOrderList"
    for label, query in (
        ("default (headers and totals)", ""),
        ("template with lines", "?_templateId=benchLinesList"),
        ("every attribute, lines", "?_templateId=benchFullList"),
    ):
        for fmt, accept in (("JSON", "application/json"), ("XML", "application/xml")):
            sample = requests.post(
                fake.url + path + query, data=body, headers={**headers, "Accept": accept}, timeout=10
            )
            paired.row(
                f"getOrderList 20 orders, {label}, {fmt} ({len(sample.content) / 1024:.0f} KB)",
                lambda query=query, accept=accept, **run: drive(
                    fake,
                    "POST",
                    path + query,
                    body=body,
                    headers={**headers, "Accept": accept},
                    **run,
                ),
            )


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench")
    parser.add_argument("--quick", action="store_true", help="smaller data and shorter runs")
    parser.add_argument("--only", default="", help="comma-separated sections: " + ",".join(SECTIONS))
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args()
    chosen = [s for s in args.only.split(",") if s] or list(SECTIONS)
    seconds = min(args.seconds, 3.0) if args.quick else args.seconds
    for section in chosen:
        print(f"\n== {section}", flush=True)
        if section == "foundation":
            foundation(args.quick, seconds)
            continue
        try:
            module = importlib.import_module(f"bench.{section}")
        except ModuleNotFoundError:
            report("(not available yet)", "-")
            continue
        module.run(report, args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
