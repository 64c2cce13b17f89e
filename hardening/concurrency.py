"""Concurrency: many clients across several worker processes creating and changing orders, the same orders
from several clients at once, then all of them walking the same orders through schedule, release, shipment
and partial cancellation together.  Figures: duplicate keys or numbers, lost updates, 5xx / "database is locked"
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
from decimal import Decimal
from pathlib import Path

import orjson
import requests

from sterling_mock.client.wire import as_list
from sterling_mock.mock_server.domain.invariants import check
from sterling_mock.mock_server.store.core import Store
from sterling_mock.mock_server.store.tx import Tx

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


LIFE = 6  # orders every client walks through the lifecycle at once


def _lifecycle(base: str, index: int, keys: list[str], outcomes: Counter[str], lock: threading.Lock) -> None:
    """Every client schedules, releases, ships one unit of each line and cancels one unit, on the same
    orders at the same moment: each step either applies once or is refused with a Sterling error."""
    session = requests.Session()
    for key in keys[index % len(keys) :] + keys[: index % len(keys)]:
        line = str(1 + index % 2)
        shipment = {
            "ShipmentLines": {
                "ShipmentLine": [
                    {"OrderHeaderKey": key, "PrimeLineNo": line, "SubLineNo": "1", "Quantity": "1"}
                ]
            }
        }
        cancel = {
            "OrderHeaderKey": key,
            "OrderLines": {
                "OrderLine": [{"PrimeLineNo": line, "SubLineNo": "1", "OrderedQty": str(5 - index % 3)}]
            },
        }
        for api, body in (
            ("scheduleOrder", {"OrderHeaderKey": key}),
            ("releaseOrder", {"OrderHeaderKey": key}),
            ("createShipment", shipment),
            ("changeOrder", cancel),
        ):
            response = session.post(f"{base}/invoke/{api}", json=body, auth=AUTH, timeout=30)
            code = response.json()["errors"][0]["ErrorCode"] if response.status_code >= 400 else "ok"
            with lock:
                outcomes[f"life-{api}:{response.status_code}:{code}"] += 1
                if api == "createShipment" and response.status_code == 200:
                    outcomes[f"shipped:{key}"] += 1


def _lifecycle_phase(base: str, clients: int, outcomes: Counter[str]) -> None:
    keys = []
    for n in range(LIFE):
        lines = [
            {"PrimeLineNo": str(p), "SubLineNo": "1", "OrderedQty": "6", "Item": {"ItemID": "A"}}
            for p in (1, 2)
        ]
        answer = requests.post(
            f"{base}/invoke/createOrder",
            auth=AUTH,
            timeout=30,
            json={"EnterpriseCode": "Matrix-R", "OrderNo": f"LIFE-{n}", "OrderLines": {"OrderLine": lines}},
        )
        keys.append(answer.json()["OrderHeaderKey"])
    lock = threading.Lock()
    threads = [
        threading.Thread(target=_lifecycle, args=(base, i, keys, outcomes, lock)) for i in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)


def _lost_shipments(tx: Tx, outcomes: Counter[str]) -> int:
    """Units acknowledged by createShipment that no stored shipment holds (or extra ones it does)."""
    acked = {k.split(":", 1)[1]: v for k, v in outcomes.items() if k.startswith("shipped:")}
    for k in [k for k in outcomes if k.startswith("shipped:")]:
        del outcomes[k]
    held: Counter[str] = Counter()
    for (raw,) in tx.conn.execute("SELECT doc FROM shipments WHERE ns='default'"):
        for line in as_list((orjson.loads(raw).get("ShipmentLines") or {}).get("ShipmentLine")):
            held[str(line.get("OrderHeaderKey"))] += int(Decimal(str(line.get("Quantity", "0"))))
    return sum(abs(held.get(key, 0) - count) for key, count in acked.items())


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
        _lifecycle_phase(base, clients, outcomes)
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
            lost += _lost_shipments(tx, outcomes)
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
    life = {k[5:]: v for k, v in r["outcomes"].items() if k.startswith("life-")}  # type: ignore[attr-defined]
    print(
        "  lifecycle race (api:status:code -> calls): "
        + ", ".join(f"{k} {v}" for k, v in sorted(life.items()))
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
