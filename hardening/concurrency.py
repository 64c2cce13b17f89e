"""Concurrency: many clients across several worker processes creating and changing orders, the same orders
from several clients at once.  Figures: duplicate keys or numbers, lost updates, 5xx / "database is locked"
answers, and whether contested creates get Sterling's YFC0001 deterministically.

``python -m hardening.concurrency --clients 32 --workers 4 --ops 40``
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import requests

from mock_server.invariants import check
from mock_server.store import Store

from .server import Server

AUTH = ("admin", "password")
SHARED = 8


def _client(
    base: str, index: int, ops: int, acked: list[str], outcomes: Counter[str], lock: threading.Lock
) -> None:
    session = requests.Session()
    for n in range(ops):
        if n % 4 == 0:  # every client tries to create the same contested order number
            body = {
                "EnterpriseCode": "Matrix-R",
                "OrderNo": f"RACE-{n}",
                "OrderLines": {"OrderLine": [{"OrderedQty": "1", "Item": {"ItemID": "A"}}]},
            }
            api = "createOrder"
        elif n % 2:
            body = {"EnterpriseCode": "Matrix-R", "OrderLines": {"OrderLine": [{"OrderedQty": "1"}]}}
            api = "createOrder"
        else:
            note = f"client-{index}-op-{n}"
            body = {
                "EnterpriseCode": "Matrix-R",
                "OrderNo": f"SHARED-{n % SHARED}",
                "Notes": {"Note": [{"NoteText": note}]},
            }
            api = "changeOrder"
        response = session.post(f"{base}/invoke/{api}", json=body, auth=AUTH, timeout=30)
        code = response.json()["errors"][0]["ErrorCode"] if response.status_code >= 400 else "ok"
        with lock:
            outcomes[f"{api}:{response.status_code}:{code}"] += 1
            if api == "changeOrder" and response.status_code == 200:
                acked.append(f"{body['OrderNo']}|{body['Notes']['Note'][0]['NoteText']}")  # type: ignore[index]


def run(clients: int, workers: int, ops: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as folder:
        server = Server(str(Path(folder) / "conc.db"), workers=workers).start()
        base = server.url + "/smcfs/restapi"
        for n in range(SHARED):
            requests.post(
                f"{base}/invoke/createOrder",
                auth=AUTH,
                timeout=30,
                json={
                    "EnterpriseCode": "Matrix-R",
                    "OrderNo": f"SHARED-{n}",
                    "OrderLines": {"OrderLine": [{"OrderedQty": "1", "Item": {"ItemID": "A"}}]},
                },
            )
        acked: list[str] = []
        outcomes: Counter[str] = Counter()
        lock = threading.Lock()
        threads = [
            threading.Thread(target=_client, args=(base, i, ops, acked, outcomes, lock))
            for i in range(clients)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(300)
        elapsed = time.perf_counter() - started
        server.stop()
        store = Store(server.db)
        lost = 0
        with store.read() as tx:
            for entry in acked:
                order_no, note = entry.split("|")
                key = tx.order_key_by_no("default", "Matrix-R", "0001", order_no)
                order = tx.get_order("default", key or "") or {}
                if note not in {n.get("NoteText") for n in (order.get("Notes") or {}).get("Note", [])}:
                    lost += 1
            race_winners = tx.conn.execute(
                "SELECT count(*) FROM orders WHERE order_no LIKE 'RACE-%'"
            ).fetchone()[0]
        problems = check(store)
    bad = {k: v for k, v in outcomes.items() if ":5" in k or "MOCK0500" in k}
    contested = sum(v for k, v in outcomes.items() if k.startswith("createOrder:400:YFC0001"))
    return {
        "calls": sum(outcomes.values()),
        "seconds": round(elapsed, 1),
        "lost_updates": lost,
        "server_errors": bad,
        "invariant_problems": problems,
        "race_orders": race_winners,
        "yfc0001": contested,
        "outcomes": dict(outcomes),
    }


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m hardening.concurrency")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--ops", type=int, default=40)
    args = parser.parse_args()
    r = run(args.clients, args.workers, args.ops)
    races = args.ops // 4
    print(
        f"concurrency: {r['calls']} calls from {args.clients} clients over {args.workers} workers in "
        f"{r['seconds']} s; lost updates {r['lost_updates']}; 5xx {sum(r['server_errors'].values())}; "  # type: ignore[attr-defined]
        f"invariant problems {len(r['invariant_problems'])}; contested creates: {r['race_orders']} of {races} "  # type: ignore[arg-type]
        f"stored, {r['yfc0001']} refused with YFC0001"
    )
    ok = (
        not r["lost_updates"]
        and not r["server_errors"]
        and not r["invariant_problems"]
        and r["race_orders"] == races
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
