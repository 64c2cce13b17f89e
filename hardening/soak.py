"""Soak: a steady mixed load (creates, changes, deletes, lists with a stored template, getPage result sets,
templated multiApi, injected faults, the journal on) for ``--minutes``; RSS of the server processes sampled
throughout.  Each client keeps its newest 200 orders and deletes older ones, so the data set reaches a steady
size and any growth left is a leak or an unbounded cache.  The figures: RSS after warm-up within 10 %, no
HTTP 5xx but the injected 503s, and the store consistent with its journal and caches in bounds."""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import requests

from bench.harness import process_tree, rss_mib
from sterling_mock.mock_server.apis.multi import PAGE_SET_KEEP
from sterling_mock.mock_server.base.settings import Settings
from sterling_mock.mock_server.domain.invariants import check
from sterling_mock.mock_server.store.core import Store

from .server import Server

AUTH = ("admin", "password")


KEEP = 200  # orders each client keeps; older ones are deleted


def _load(base: str, stop: threading.Event, seed: int, statuses: Counter[int]) -> None:
    rng = random.Random(seed)
    session = requests.Session()
    session.hooks["response"].append(lambda r, *a, **k: statuses.update([r.status_code]))
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
                while len(keys) > KEEP:
                    old = keys.pop(0)
                    session.post(
                        f"{base}/invoke/deleteOrder", auth=AUTH, timeout=10, json={"OrderHeaderKey": old}
                    )
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
                    f"{base}/invoke/getOrderList?_templateId=soak",
                    auth=AUTH,
                    timeout=10,
                    json={"MaximumRecords": "50"},
                )
        except requests.RequestException:
            time.sleep(0.1)


def run(minutes: float, clients: int = 4) -> dict[str, Any]:
    statuses: Counter[int] = Counter()
    with tempfile.TemporaryDirectory() as folder:
        server = Server(str(Path(folder) / "soak.db")).start()
        requests.post(
            server.url + "/_fake/faults",
            timeout=10,
            json={"api": "getOrderList", "probability": 0.05, "action": {"type": "http", "status": 503}},
        )
        template = {
            "OrderList": {"Order": [{"OrderNo": "", "Status": "", "OverallTotals": {"GrandTotal": ""}}]}
        }
        requests.put(server.url + "/_fake/templates/soak", json=template, timeout=10)
        stop = threading.Event()
        base = server.url + "/smcfs/restapi"
        threads = [
            threading.Thread(target=_load, args=(base, stop, n, statuses), daemon=True)
            for n in range(clients)
        ]
        for thread in threads:
            thread.start()
        samples: list[tuple[float, float]] = []
        started = time.monotonic()
        while time.monotonic() - started < minutes * 60:
            time.sleep(min(10.0, minutes * 6))
            samples.append((time.monotonic() - started, rss_mib(process_tree(server.process.pid))))  # type: ignore[union-attr]
        stop.set()
        for thread in threads:
            thread.join(15)
        summary = requests.get(server.url + "/_fake/summary", timeout=10).json()
        server.stop()
        problems = check(Store(server.db), journal_limit=Settings().journal_limit, page_sets=PAGE_SET_KEEP)
    warm = [rss for t, rss in samples if t >= minutes * 60 * 0.2] or [samples[-1][1]]
    return {
        "minutes": minutes,
        "calls": sum(statuses.values()),
        "server_errors": {k: v for k, v in statuses.items() if k >= 500 and k != 503},
        "injected_503": statuses.get(503, 0),
        "invariant_problems": problems,
        "journal": summary.get("journal", {}),
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
        f"soak: {r['minutes']} min, {r['calls']} calls, {r['orders']:.0f} orders at the end; RSS after warm-up "
        f"{r['rss_first']:.0f} -> {r['rss_last']:.0f} MiB (max {r['rss_max']:.0f}, drift {r['drift_pct']:.1f} %, "
        f"bound 10 %); HTTP 5xx besides injected 503s: {r['server_errors'] or 0}; injected 503s: "
        f"{r['injected_503']}; journal {r['journal']}; invariant problems: {len(r['invariant_problems'])}"
    )
    for problem in r["invariant_problems"][:20]:
        print("   ", problem)
    ok = r["drift_pct"] <= 10 and not r["server_errors"] and not r["invariant_problems"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
