"""Availability alerts: an item at a node sits in a band by how many of the namespace's levels its free
quantity is at or below; moving to another band raises an alert (kept in ``inv_alerts``, read back with
``raised``, and raised as Inbox records of ExceptionType INVENTORY_AVAILABILITY, listed by getExceptionList)."""

from __future__ import annotations

from decimal import Decimal

import orjson

from sterling_mock.client.wire import Doc
from sterling_mock.mock_server.domain.alerts import alerts
from sterling_mock.mock_server.domain.context import Ctx
from sterling_mock.mock_server.domain.inventory import supply
from sterling_mock.mock_server.domain.inventory.supply import qty_text
from sterling_mock.mock_server.store.schema import inventory as sql
from sterling_mock.mock_server.store.tx import Tx

#: Levels without a namespace setting [INF: Sterling's inventory monitor rules are configuration]:
#: out of stock (0) and low stock (10 or fewer).
DEFAULT_LEVELS = (0.0, 10.0)
EXCEPTION_TYPE = "INVENTORY_AVAILABILITY"


def levels(ctx: Ctx) -> list[float]:
    given = supply.state(ctx).get("levels")
    return sorted(float(v) for v in given) if isinstance(given, list) else list(DEFAULT_LEVELS)


def band(available: Decimal, marks: list[float]) -> int:
    return sum(1 for mark in marks if float(available) <= mark)


def check(ctx: Ctx, item_id: str, nodes: list[str] | None = None, *, first_time: bool = True) -> list[Doc]:
    """Compare the item's free quantity per node with its last band; alerts for every change.  With
    ``first_time`` False only nodes already watched are looked at (adjustInventory's follow-up)."""
    marks = levels(ctx)
    found = supply.stock(ctx, item_id)
    raised = []
    for node in nodes if nodes is not None else sorted(found.nodes):
        at = found.nodes.get(node, supply.Stock(node))
        free = at.free()
        before = sql.band_of(ctx.tx, ctx.ns, item_id, node)
        if before is None and not first_time:
            continue
        now = band(free, marks)
        if now == (before or 0) and before is not None:
            continue
        sql.set_band(ctx.tx, ctx.ns, item_id, node, now)
        if before is None and now == 0:
            continue
        # the last level passed: the lowest going down, the highest going up
        level = marks[len(marks) - now] if now > (before or 0) else marks[len(marks) - now - 1]
        direction = "BELOW" if now > (before or 0) else "ABOVE"
        inbox = alerts.raise_alert(
            ctx,
            EXCEPTION_TYPE,
            f"{item_id} at {node}: {qty_text(free)} available "
            f"({'at or below' if direction == 'BELOW' else 'back above'} {qty_text(Decimal(str(level)))}).",
            ItemId=item_id,
            ShipnodeKey=node,
            references={
                "Level": qty_text(Decimal(str(level))),
                "AvailableQty": qty_text(free),
                "Direction": direction,
            },
        )
        alert = {
            "AlertKey": str(inbox["InboxKey"]),
            "ExceptionType": EXCEPTION_TYPE,
            "ItemID": item_id,
            "ShipNode": node,
            "Level": qty_text(Decimal(str(level))),
            "AvailableQty": qty_text(free),
            "Direction": direction,
            "RaisedOn": ctx.stamp(),
            "Description": str(inbox["Description"]),
        }
        sql.put_alert(
            ctx.tx, ctx.ns, alert["AlertKey"], item_id, node, level, float(free), ctx.stamp(),
            orjson.dumps(alert).decode(),
        )  # fmt: skip
        raised.append(alert)
    return raised


def raised(tx: Tx, ns: str) -> list[Doc]:
    """Every alert the namespace raised, oldest first (what another area's Inbox may import)."""
    return [dict(orjson.loads(doc)) for doc in sql.alerts(tx, ns)]
