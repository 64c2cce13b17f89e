"""Inventory figures (issue 24): findInventory (3 lines, 50 nodes, 10,000 items each stocked at every node) and
reserveAvailableInventory (1 line), through a live fake, each as a ratio to the Flask baseline beside it."""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sterling_mock.mock_server.domain.inventory import sourcing, supply
from sterling_mock.mock_server.store.core import Store

from .harness import AUTH, baseline_server, fake_server, json_body

Report = Callable[[str, str], None]
NODES = 50
ITEMS = 10_000
STATES = sorted(sourcing.STATES)


def stock(db: str, items: int) -> float:
    """Write the supply straight into the store (500,000 records take minutes through the API)."""
    started = time.perf_counter()
    rng = random.Random(24)
    store = Store(db)
    try:
        with store.write() as tx:
            nodes = [
                (f"NODE_{n:02d}", *sourcing.STATES[rng.choice(STATES)], float(1 + n % 3))
                for n in range(NODES)
            ]
            tx.conn.executemany(
                "INSERT INTO inv_nodes(ns, node, latitude, longitude, priority) VALUES('default', ?, ?, ?, ?)",
                nodes,
            )
            tx.conn.executemany(
                "INSERT INTO inv_supply(ns, item_id, uom, pclass, node, supply_type, eta, qty, modifyts) "
                "VALUES('default', ?, 'EACH', '', ?, 'ONHAND', '', ?, '')",
                (
                    (f"ITEM-{i:05d}", node[0], float(rng.randint(0, 40)))
                    for i in range(items)
                    for node in nodes
                ),
            )
            tx.kv_put("default", supply.KV, {"loaded": True})
    finally:
        store.close()
    return time.perf_counter() - started


def run(report: Report, quick: bool) -> None:
    from .__main__ import Paired  # the paired-rounds runner of make bench

    seconds = 3.0 if quick else 8.0
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmpdir:
        db = str(Path(tmpdir) / "inventory.db")
        fake = fake_server(db, "--demo-orders", "0")
        fake.start().stop()  # creates the schema
        took = stock(db, ITEMS)
        report(f"stock {ITEMS:,} items x {NODES} nodes ({ITEMS * NODES:,} supply records)", f"{took:.1f} s")
        fake.start()
        base = baseline_server().start()
        try:
            headers = {"Authorization": AUTH, "Content-Type": "application/json"}
            finds = [
                json_body(
                    {
                        "OrganizationCode": "Matrix-R",
                        "ShipToAddress": {"State": rng.choice(STATES)},
                        "PromiseLines": {
                            "PromiseLine": [
                                {
                                    "LineId": str(n),
                                    "ItemID": f"ITEM-{rng.randrange(ITEMS):05d}",
                                    "RequiredQty": "3",
                                }
                                for n in range(1, 4)
                            ]
                        },
                    }
                )
                for _ in range(200)
            ]
            reserves = [
                json_body(
                    {
                        "OrganizationCode": "Matrix-R",
                        "ReservationParameters": {"AllowPartialReservation": "Y"},
                        "PromiseLines": {
                            "PromiseLine": [
                                {
                                    "LineId": "1",
                                    "ItemID": f"ITEM-{rng.randrange(ITEMS):05d}",
                                    "RequiredQty": "1",
                                }
                            ]
                        },
                    }
                )
                for _ in range(200)
            ]
            paired = Paired(base, seconds)
            from .harness import drive

            paired.row(
                "findInventory, 3 lines, 50 nodes, 10,000 items, JSON",
                lambda **run: drive(
                    fake, "POST", "/smcfs/restapi/invoke/findInventory", bodies=finds, headers=headers, **run
                ),
            )
            paired.row(
                "reserveAvailableInventory, 1 line, JSON (a write)",
                lambda **run: drive(
                    fake,
                    "POST",
                    "/smcfs/restapi/invoke/reserveAvailableInventory",
                    bodies=reserves,
                    headers=headers,
                    **run,
                ),
            )
        finally:
            base.stop()
            fake.stop()
