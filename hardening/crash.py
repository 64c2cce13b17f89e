"""Crash safety: drive acknowledged writes (createOrder, changeOrder, multiApi) at a server that is SIGKILLed at random
points and restarted, then check that every acknowledged write is there and nothing is half-applied.

``python -m hardening.crash --writes 1000 --kills 10``.  A change sets ``CustomerPONo`` and appends a note with
the same value in one call, so a torn change would show one without the other; a multiApi creates two orders
in one transaction, so a torn one would leave one of the pair.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from sterling_mock.mock_server.domain.invariants import check
from sterling_mock.mock_server.store.core import Store

from .server import Server

AUTH = ("admin", "password")


@dataclass
class Ledger:
    """Per order: acknowledged values in order, and values attempted (maybe applied) after the last ack."""

    created: set[str] = field(default_factory=set)
    acked: dict[str, list[str]] = field(default_factory=dict)
    pending: dict[str, set[str]] = field(default_factory=dict)
    pairs: set[str] = field(default_factory=set)  # multiApi pairs attempted (maybe applied)
    pairs_acked: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)
    writes: int = 0


def _pair(session: requests.Session, base: str, ledger: Ledger, name: str) -> None:
    """One multiApi creating two orders in one transaction: both or neither may exist, never one."""
    with ledger.lock:
        ledger.pairs.add(name)
    line = {"OrderLine": [{"OrderedQty": "1", "Item": {"ItemID": "A"}}]}
    calls = [
        {
            "Name": "createOrder",
            "Input": {
                "Order": {"EnterpriseCode": "Matrix-R", "OrderNo": f"{name}{half}", "OrderLines": line}
            },
        }
        for half in ("a", "b")
    ]
    response = session.post(f"{base}/invoke/multiApi", auth=AUTH, timeout=5, json={"API": calls})
    if response.status_code == 200:
        with ledger.lock:
            ledger.pairs_acked.add(name)
            ledger.writes += 1


def _writer(base: str, ledger: Ledger, worker: int, target: int, stop: threading.Event) -> None:
    rng = random.Random(worker)
    session = requests.Session()
    mine: list[str] = []
    n = 0
    while not stop.is_set():
        n += 1
        try:
            if rng.random() < 0.15:
                _pair(session, base, ledger, f"M{worker:02d}-{n:05d}")
                continue
            if not mine or rng.random() < 0.4:
                order_no = f"C{worker:02d}-{n:05d}"
                response = session.post(
                    f"{base}/invoke/createOrder",
                    auth=AUTH,
                    timeout=5,
                    json={
                        "EnterpriseCode": "Matrix-R",
                        "OrderNo": order_no,
                        "OrderLines": {"OrderLine": [{"OrderedQty": "2", "Item": {"ItemID": "A"}}]},
                    },
                )
                if response.status_code == 200:
                    with ledger.lock:
                        ledger.created.add(order_no)
                        ledger.writes += 1
                    mine.append(order_no)
                continue
            order_no = rng.choice(mine)
            value = f"PO-{worker}-{n}"
            with ledger.lock:
                ledger.pending.setdefault(order_no, set()).add(value)
            response = session.post(
                f"{base}/invoke/changeOrder",
                auth=AUTH,
                timeout=5,
                json={
                    "EnterpriseCode": "Matrix-R",
                    "OrderNo": order_no,
                    "CustomerPONo": value,
                    "Notes": {"Note": [{"NoteText": value}]},
                },
            )
            if response.status_code == 200:
                with ledger.lock:
                    ledger.acked.setdefault(order_no, []).append(value)
                    ledger.pending[order_no] = set()
                    ledger.writes += 1
        except requests.RequestException:
            time.sleep(0.05)  # the server is down: wait for the restart


def verify(store: Store, ledger: Ledger) -> tuple[int, int, list[str]]:
    """(lost, torn, invariant problems)."""
    lost = torn = 0
    with store.read() as tx:
        for order_no in ledger.created:
            key = tx.order_key_by_no("default", "Matrix-R", "0001", order_no)
            if key is None:
                lost += 1
                continue
            order = tx.get_order("default", key) or {}
            notes = {n.get("NoteText") for n in (order.get("Notes") or {}).get("Note", [])}
            value = order.get("CustomerPONo")
            acked = ledger.acked.get(order_no, [])
            allowed = ({acked[-1]} if acked else {None}) | ledger.pending.get(order_no, set())
            if value not in allowed:
                lost += 1
            if value is not None and value not in notes:
                torn += 1
            if any(a not in notes for a in acked):
                lost += 1
        for name in ledger.pairs:
            present = [tx.order_key_by_no("default", "Matrix-R", "0001", name + h) is not None for h in "ab"]
            if present[0] != present[1]:
                torn += 1
            elif name in ledger.pairs_acked and not present[0]:
                lost += 1
    return lost, torn, check(store)


def run(writes: int, kills: int, seed: int, clients: int = 4) -> dict[str, object]:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as folder:
        server = Server(str(Path(folder) / "crash.db")).start()
        ledger = Ledger()
        stop = threading.Event()
        threads = [
            threading.Thread(target=_writer, args=(server.url + "/smcfs/restapi", ledger, w, writes, stop))
            for w in range(clients)
        ]
        for thread in threads:
            thread.start()
        done_kills = 0
        started = time.perf_counter()
        while (ledger.writes < writes or done_kills < kills) and time.perf_counter() - started < 300:
            time.sleep(rng.uniform(0.1, 0.6))
            if done_kills < kills:
                server.kill()
                done_kills += 1
                server.start()
        stop.set()
        for thread in threads:
            thread.join(30)
        server.stop()
        lost, torn, problems = verify(Store(server.db), ledger)
    return {
        "acknowledged": ledger.writes,
        "kills": done_kills,
        "lost": lost,
        "torn": torn,
        "invariant_problems": problems,
        "pairs": len(ledger.pairs_acked),
        "seconds": round(time.perf_counter() - started, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m hardening.crash")
    parser.add_argument("--writes", type=int, default=1000)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    result = run(args.writes, args.kills, args.seed)
    problems: list[str] = list(result["invariant_problems"])  # type: ignore[call-overload]
    print(
        f"crash: {result['acknowledged']} acknowledged writes ({result['pairs']} of them two-order multiApi), "
        f"{result['kills']} SIGKILLs, "
        f"{result['lost']} lost, {result['torn']} torn, {len(problems)} invariant problems "
        f"({result['seconds']} s)"
    )
    for problem in problems[:20]:
        print("   ", problem)
    return 0 if not (result["lost"] or result["torn"] or result["invariant_problems"]) else 1


if __name__ == "__main__":
    sys.exit(main())
