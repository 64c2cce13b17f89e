"""Lifecycle figures (issue 4): orders walked Created -> Scheduled -> Released -> Included In Shipment ->
Shipped in-process through ``Fake.invoke`` (the dispatcher every door calls), durable file store; then
(issue 25) a quarter as many put on hold, resolved, authorised, shipped (invoiced) and charged."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sterling_mock.client.wire import from_json
from sterling_mock.fixtures.builders import create_order_input
from sterling_mock.fixtures.provider import sterling_faker
from sterling_mock.mock_server.base.settings import Settings
from sterling_mock.mock_server.calls.dispatch import Call, Fake

Report = Callable[[str, str], None]


def _call(fake: Fake, api: str, doc: dict[str, object]) -> dict[str, object]:
    output = fake.invoke(Call(api=api, user="bench", transport="rest"), doc)
    if output.doc is None and "json" in output.prerendered:  # served from the render cache: bytes only
        found = from_json(output.prerendered["json"])
        return found if isinstance(found, dict) else {}
    return output.doc or {}


def walk(fake: Fake, key: str) -> int:
    """One order through every status: schedule, release, one shipment per node, confirm; returns the calls."""
    _call(fake, "scheduleOrder", {"OrderHeaderKey": key})
    _call(fake, "releaseOrder", {"OrderHeaderKey": key})
    releases = _call(fake, "getOrderReleaseList", {"OrderHeaderKey": key})
    listed = releases.get("OrderRelease")
    nodes = sorted({str(r["ShipNode"]) for r in listed}) if isinstance(listed, list) else []
    for node in nodes:
        shipment = _call(fake, "createShipment", {"OrderHeaderKey": key, "ShipNode": node})
        _call(
            fake, "confirmShipment", {"ShipmentKey": shipment["ShipmentKey"], "TrackingNo": "1Z" + key[-10:]}
        )
    return 3 + 2 * len(nodes)


def run(report: Report, quick: bool, count: int = 0) -> None:
    """``count`` orders (default 200 with ``quick``, else 1,000) walked to Shipped."""
    count = count or (200 if quick else 1000)
    faker = sterling_faker(11)
    with tempfile.TemporaryDirectory(prefix="bench-lifecycle-") as tmp:
        fake = Fake(Settings(db=str(Path(tmp) / "l.db"), demo_orders=0))
        keys = [
            str(_call(fake, "createOrder", create_order_input(faker))["OrderHeaderKey"]) for _ in range(count)
        ]
        started = time.perf_counter()
        calls = sum(walk(fake, key) for key in keys)
        elapsed = time.perf_counter() - started
        shipped = sum(
            1
            for key in keys
            if _call(fake, "getOrderDetails", {"OrderHeaderKey": key})["Status"] == "Shipped"
        )
        report(f"lifecycle of {count:,} orders to Shipped (in-process)", f"{count / elapsed:.0f} orders/s")
        report("orders that reached Shipped", f"{shipped:,} of {count:,}")
        report("per lifecycle API call", f"{elapsed / calls * 1000:.2f} ms")
        held_and_paid(fake, report, faker, max(count // 4, 1))


def held_and_paid(fake: Fake, report: Report, faker: Any, count: int) -> None:
    """Issue 25's steps on top of the walk: each order created on hold, the hold resolved (changeOrder),
    authorised (processOrderPayments), walked to Shipped (invoiced on confirmation) and charged."""
    hold = {"OrderHoldTypes": {"OrderHoldType": [{"HoldType": "FRAUD_HOLD", "ReasonText": "bench"}]}}
    resolve = {"OrderHoldTypes": {"OrderHoldType": [{"HoldType": "FRAUD_HOLD", "Status": "1300"}]}}
    keys = [
        str(_call(fake, "createOrder", {**create_order_input(faker), **hold})["OrderHeaderKey"])
        for _ in range(count)
    ]
    hold_time = pay_time = 0.0
    started = time.perf_counter()
    for key in keys:
        mark = time.perf_counter()
        _call(fake, "changeOrder", {"OrderHeaderKey": key, **resolve})
        hold_time += time.perf_counter() - mark
        mark = time.perf_counter()
        _call(fake, "processOrderPayments", {"OrderHeaderKey": key})
        pay_time += time.perf_counter() - mark
        walk(fake, key)
        mark = time.perf_counter()
        _call(fake, "processOrderPayments", {"OrderHeaderKey": key})
        pay_time += time.perf_counter() - mark
    elapsed = time.perf_counter() - started
    paid = sum(
        1
        for key in keys
        if _call(fake, "getOrderDetails", {"OrderHeaderKey": key}).get("PaymentStatus") == "PAID"
    )
    report(f"held, resolved, paid and shipped: {count:,} orders", f"{count / elapsed:.0f} orders/s")
    report("orders that reached PAID", f"{paid:,} of {count:,}")
    report("hold resolved by changeOrder, per call", f"{hold_time / count * 1000:.2f} ms")
    report("processOrderPayments (authorise, charge), per call", f"{pay_time / (2 * count) * 1000:.2f} ms")
