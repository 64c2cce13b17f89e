"""Soak: a steady mixed load (creates, changes, lists, getPage result sets, templated multiApi, faults, the
journal on) for ``--minutes``; RSS of the server processes sampled throughout.  The figure: RSS after warm-up
stays within 10 % (every cache and the journal are bounded)."""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

from bench.harness import process_tree, rss_mib

from .server import Server

AUTH = ("admin", "password")


def _load(base: str, stop: threading.Event, seed: int) -> None:
    rng = random.Random(seed)
    session = requests.Session()
    keys: list[str] = []
    while not stop.is_set():
        pick = rng.random()
        try:
            if pick < 0.3 or not keys:
                r = session.post(
                    f"{base}/invoke/createOrder",
                    auth=AUTH,
                    timeout=10,
                    json={"EnterpriseCode": "Matrix-R", "OrderLines": {"OrderLine": [{"OrderedQty": "2"}]}},
                )
                if r.status_code == 200:
                    keys.append(r.json()["OrderHeaderKey"])
                    keys = keys[-200:]
            elif pick < 0.5:
                session.post(
                    f"{base}/invoke/changeOrder",
                    auth=AUTH,
                    timeout=10,
                    json={
                        "OrderHeaderKey": rng.choice(keys),
                        "Notes": {"Note": [{"NoteText": "soak " * 20}]},
                    },
                )
            elif pick < 0.7:
                session.post(
                    f"{base}//invoke/getPage",
                    auth=AUTH,
                    timeout=10,
                    json={
                        "PageNumber": 1,
                        "PageSize": 20,
                        "PaginationStrategy": "GENERIC",
                        "API": {"Name": "getOrderList", "Input": {"Order": {"EnterpriseCode": "Matrix-R"}}},
                    },
                )
            elif pick < 0.85:
                session.post(
                    f"{base}/invoke/multiApi",
                    auth=AUTH,
                    timeout=10,
                    json={
                        "API": [
                            {
                                "Name": "getOrderDetails",
                                "Input": {"Order": {"OrderHeaderKey": rng.choice(keys)}},
                                "Template": {"Order": {"OrderNo": "", "OrderLines": {"OrderLine": {}}}},
                            }
                        ]
                    },
                )
            else:
                session.post(
                    f"{base}/invoke/getOrderList", auth=AUTH, timeout=10, json={"MaximumRecords": "50"}
                )
        except requests.RequestException:
            time.sleep(0.1)


def run(minutes: float, clients: int = 4) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        server = Server(str(Path(folder) / "soak.db")).start()
        requests.post(
            server.url + "/_fake/faults",
            timeout=10,
            json={"api": "getOrderList", "probability": 0.05, "action": {"type": "http", "status": 503}},
        )
        stop = threading.Event()
        base = server.url + "/smcfs/restapi"
        threads = [threading.Thread(target=_load, args=(base, stop, n), daemon=True) for n in range(clients)]
        for thread in threads:
            thread.start()
        samples: list[tuple[float, float]] = []
        started = time.monotonic()
        while time.monotonic() - started < minutes * 60:
            time.sleep(min(10.0, minutes * 6))
            samples.append((time.monotonic() - started, rss_mib(process_tree(server.process.pid))))  # type: ignore[union-attr]
        stop.set()
        summary = requests.get(server.url + "/_fake/summary", timeout=10).json()
        server.stop()
    warm = [rss for t, rss in samples if t >= minutes * 60 * 0.2] or [samples[-1][1]]
    return {
        "minutes": minutes,
        "orders": float(summary.get("orders", 0)),
        "rss_first": warm[0],
        "rss_last": warm[-1],
        "rss_max": max(warm),
        "drift_pct": 100 * (max(warm) - warm[0]) / warm[0],
    }


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m hardening.soak")
    parser.add_argument("--minutes", type=float, default=30.0)
    args = parser.parse_args()
    r = run(args.minutes)
    print(
        f"soak: {r['minutes']} min, {r['orders']:.0f} orders; RSS after warm-up {r['rss_first']:.0f} -> "
        f"{r['rss_last']:.0f} MiB (max {r['rss_max']:.0f}, drift {r['drift_pct']:.1f} %, bound 10 %)"
    )
    return 0 if r["drift_pct"] <= 10 else 1


if __name__ == "__main__":
    sys.exit(main())
