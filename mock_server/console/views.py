"""What the order page shows its audience, in their words: the actions the order's status allows, the node each
line ships from, and a description for every status, shipments' own pipeline included.

The rules follow the APIs the buttons call, so a button is offered exactly when its call can change the order:
scheduleOrder takes Created, Reserved, Backordered, Unscheduled and Backordered From Node quantity; releaseOrder
takes Scheduled quantity; Ship walks schedule and release first, then confirmShipment ships what is released or
already on a shipment; changeOrder cancels only quantity not yet on a shipment (below 3350).
"""

from __future__ import annotations

from typing import Any

from sterling_mock.client.wire import Doc, as_list
from sterling_mock.mock_server.domain import statuses
from sterling_mock.mock_server.domain.fulfilment.lifecycle import SCHEDULABLE
from sterling_mock.mock_server.domain.statuses import Pipelines

#: The statuses the Advance form walks to, besides 9000 Cancelled (``actions.ADVANCE_TARGETS``).
ADVANCE = (statuses.SCHEDULED, statuses.RELEASED, statuses.SHIPPED)
DOCUMENT_TYPES = {
    "0001": "Sales order",
    "0003": "Return order",
    "0005": "Purchase order",
    "0006": "Transfer order",
}


def _rows(line: Doc) -> list[Doc]:
    node = line.get("OrderStatuses")
    return as_list(node.get("OrderStatus") if isinstance(node, dict) else None)


def _quantity(row: Doc) -> float:
    try:
        return float(row.get("StatusQty") or 0)
    except ValueError:
        return 0.0


def _lines(order: Doc) -> list[Doc]:
    node = order.get("OrderLines")
    return as_list(node.get("OrderLine") if isinstance(node, dict) else None)


def open_codes(order: Doc) -> set[str]:
    """The status codes holding quantity that is not cancelled, over every line."""
    return {
        str(row.get("Status", ""))
        for line in _lines(order)
        for row in _rows(line)
        if _quantity(row) > 0 and row.get("Status") != statuses.CANCELLED
    }


def offered_actions(order: Doc, descriptions: dict[str, str]) -> dict[str, Any]:
    """Which buttons the order page shows: ``schedule``, ``release``, ``ship``, ``cancel`` (booleans) and
    ``targets`` for the Advance form, as (code, description) pairs above the order's lowest status."""
    codes = open_codes(order)
    keys = {statuses.sort_key(code) for code in codes}
    schedulable = any(statuses.base_of(code) in SCHEDULABLE for code in codes)
    scheduled = any(statuses.base_of(code) == statuses.SCHEDULED for code in codes)
    shippable = any(
        statuses.sort_key(statuses.CREATED) <= key < statuses.sort_key(statuses.SHIPPED) for key in keys
    )
    cancellable = any(key < statuses.sort_key(statuses.INCLUDED_IN_SHIPMENT) for key in keys)
    reachable = {statuses.SCHEDULED: schedulable, statuses.RELEASED: schedulable or scheduled}
    lowest = statuses.sort_key(str(order.get("MinOrderStatus") or statuses.CREATED))
    targets = [
        (code, descriptions.get(code, code))
        for code in ADVANCE
        if reachable.get(code, shippable) and lowest < statuses.sort_key(code)
    ]
    if cancellable:
        targets.append((statuses.CANCELLED, descriptions.get(statuses.CANCELLED, statuses.CANCELLED)))
    return {
        "schedule": schedulable,
        "release": scheduled,
        "ship": shippable,
        "cancel": cancellable,
        "targets": targets,
    }


def line_node(line: Doc) -> str:
    """The line's ShipNode; else the nodes its scheduled, released or shipped quantity sits at."""
    if line.get("ShipNode"):
        return str(line["ShipNode"])
    nodes = dict.fromkeys(str(r["ShipNode"]) for r in _rows(line) if r.get("ShipNode") and _quantity(r) > 0)
    return ", ".join(nodes)


def shipment_status(shipment: Doc, pipelines: Pipelines) -> str:
    """A shipment's status in words, from the shipment pipeline (``1400`` is "Shipped", not the order
    pipeline's "Backordered From Node")."""
    code = str(shipment.get("Status", ""))
    described = pipelines.get(statuses.SHIPMENT).describe(code)
    if described == code:
        return f"status {code}" if code else "no status"
    return described.removeprefix("Shipment ").strip() or described


def release_status(release: Doc, descriptions: dict[str, str]) -> str:
    """A release's status in words (its own description when the API gives one)."""
    code = str(release.get("Status", ""))
    return str(release.get("StatusDescription") or descriptions.get(code) or code)


def document_type(code: str) -> str:
    return DOCUMENT_TYPES.get(code, f"Document type {code}")
