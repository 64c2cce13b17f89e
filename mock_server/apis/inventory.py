"""APIs of the inventory family: adjustInventory, getInventorySupply, getATP, getAvailableInventory and
monitorItemAvailability (supply, what is free by date, alerts).  Promising and reservations: promising.py."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sterling_mock.client.wire import Doc, as_list, child
from sterling_mock.mock_server.apis.spec import ApiSpec
from sterling_mock.mock_server.base.errors import InvalidValue, MandatoryMissing
from sterling_mock.mock_server.domain.availability import monitor
from sterling_mock.mock_server.domain.context import Ctx, Output
from sterling_mock.mock_server.domain.inventory import promising, sourcing, supply
from sterling_mock.mock_server.domain.orders.model import qty_text
from sterling_mock.mock_server.store.schema import inventory as sql

ZERO = Decimal(0)


def adjust_inventory(ctx: Ctx, doc: Doc) -> Output:
    """adjustInventory (void; 204 over REST [OBS]): ``Items/Item@ItemID,ShipNode,Quantity`` (JSON
    ``{"Item": [...]}``) with
    ``AdjustmentType`` ABSOLUTE (the record becomes Quantity) or ADJUSTMENT (default: Quantity is added, may be
    negative), ``SupplyType`` (ONHAND default; any other type is future supply due on ``ETA``, default today
    [INF]), ``UnitOfMeasure`` (EACH), ``ProductClass``.  Every item is checked before any is written; a
    result below zero refuses the call (MOCK0101) [INF: Sterling's negative-inventory rules are
    configuration].  Strict inventory: an unknown item answers YCM0033, an unknown node YFS10048 [INF codes
    for this API].  Accepted and ignored: ``OrganizationCode`` (one inventory organization [INF]),
    ``ReasonCode``, ``ReasonText``, ``Reference``; no inventory audit records are kept.  Nodes already watched
    by monitorItemAvailability are checked again, raising alerts when their level band changes.
    """
    entries = (
        as_list(doc.get("Item"))
        or as_list((child(doc, "Items") or {}).get("Item"))  # an input wrapped twice [INF: tolerated]
        or ([doc] if isinstance(doc.get("ItemID"), str) else [])
    )
    if not entries:
        raise MandatoryMissing("Items/Item is mandatory.", attributes={"Name": "Item"})
    changes = [supply.adjustment(ctx, entry) for entry in entries]
    for item in dict.fromkeys(c.key[0] for c in changes):
        sql.lock_item(ctx.tx, ctx.ns, item)
    supply.apply(ctx, changes)
    for item, node in dict.fromkeys((c.key[0], c.key[3]) for c in changes):
        monitor.check(ctx, item, [node], first_time=False)
    return Output.none()


def _supply_filter(ctx: Ctx, doc: Doc) -> tuple[str, str, str, str]:
    item = supply.required(doc, "ItemID", "InventorySupply")
    supply.check_item(ctx, item)
    node = supply.text(doc, "ShipNode")
    supply.check_node(ctx, node)
    return item, supply.text(doc, "UnitOfMeasure", supply.DEFAULT_UOM), supply.text(doc, "ProductClass"), node


def get_inventory_supply(ctx: Ctx, doc: Doc) -> Output:
    """getInventorySupply: ``InventorySupply@ItemID`` (mandatory), ``UnitOfMeasure``, ``ProductClass``,
    ``ShipNode``, ``SupplyType`` -> ``Item@ItemID,OrganizationCode,UnitOfMeasure,ProductClass`` with
    ``Supplies/InventorySupply@ShipNode,SupplyType,Quantity,ETA,UnitOfMeasure,ProductClass,Modifyts`` per
    record [INF shape].  Lenient master-data supply shows as ONHAND records.  Left out: InventorySupplyKey,
    ShipByDate, tag and segment attributes.
    """
    item, uom, pclass, node = _supply_filter(ctx, doc)
    kind = supply.text(doc, "SupplyType").upper()
    records = []
    for row in supply.rows_of(ctx, item, node or None):
        if row["uom"] != uom or (pclass and row["pclass"] != pclass) or (kind and row["supply_type"] != kind):
            continue
        records.append(
            {
                "ShipNode": row["node"],
                "SupplyType": row["supply_type"],
                "Quantity": qty_text(Decimal(str(row["qty"]))),
                "ETA": sourcing.stamp(date.fromisoformat(row["eta"])) if row["eta"] else "",
                "UnitOfMeasure": row["uom"],
                "ProductClass": row["pclass"],
                "Modifyts": row["modifyts"],
            }
        )
    out: Doc = {
        "ItemID": item,
        "OrganizationCode": supply.text(doc, "OrganizationCode"),
        "UnitOfMeasure": uom,
        "ProductClass": pclass,
        "Supplies": {"InventorySupply": records} if records else {},
    }
    return Output("Item", out)


def get_atp(ctx: Ctx, doc: Doc) -> Output:
    """getATP: ``GetATP@ItemID`` (mandatory), ``ShipNode`` (all nodes when absent), ``UnitOfMeasure``,
    ``ProductClass``, ``FromDate`` (today), ``ToDate`` (FromDate + 30 days) -> ``InventoryInformation/Item``
    with ``InventoryTotals/Supplies/InventorySupplyType@SupplyType,TotalQuantity`` and
    ``InventoryTotals/Demands/InventoryDemandType@DemandType,TotalQuantity`` (SCHEDULED: orders scheduled and
    not shipped; RESERVED: live reservations) and ``AvailableToPromiseInventory@AvailableQuantity`` with one
    ``AvailableToPromise@StartDate,EndDate,SupplyQty,DemandQty,AvailableQty`` per date on which supply
    arrives [INF shape: Sterling's ATP rules (lead times, ATP horizons, safety stock) are configuration].
    An untracked item in lenient mode shows no supply and ``Tracked="N"`` (always available).
    """
    item, uom, pclass, node = _supply_filter(ctx, doc)
    start = supply.day(ctx, supply.text(doc, "FromDate"), "FromDate")
    end = (
        supply.day(ctx, supply.text(doc, "ToDate"), "ToDate")
        if supply.text(doc, "ToDate")
        else start + timedelta(30)
    )
    if end < start:
        raise InvalidValue("ToDate is before FromDate.", attributes={"Name": "ToDate"})
    found = supply.stock(ctx, item, uom, pclass)
    nodes = [found.nodes[node]] if node in found.nodes else ([] if node else list(found.nodes.values()))
    onhand = sum((n.onhand for n in nodes), ZERO)
    types: dict[str, Decimal] = {"ONHAND": onhand} if nodes else {}
    for n in nodes:
        for _eta, qty in n.future:
            types[_kind(ctx, item, n.node, _eta)] = types.get(_kind(ctx, item, n.node, _eta), ZERO) + qty
    demand = sum((n.demand for n in nodes), ZERO)
    reserved = sum((n.reserved for n in nodes), ZERO)
    dates = sorted(
        {
            start.isoformat(),
            *(eta for n in nodes for eta, _ in n.future if start.isoformat() < eta <= end.isoformat()),
        }
    )
    periods = []
    for index, when in enumerate(dates):
        until = dates[index + 1] if index + 1 < len(dates) else end.isoformat()
        supplied = onhand + sum((q for n in nodes for eta, q in n.future if eta <= when), ZERO)
        free = sum((n.free(when) for n in nodes), ZERO)
        periods.append(
            {
                "StartDate": when,
                "EndDate": until,
                "SupplyQty": qty_text(supplied),
                "DemandQty": qty_text(demand + reserved),
                "AvailableQty": qty_text(free),
            }
        )
    out: Doc = {
        "ItemID": item,
        "UnitOfMeasure": uom,
        "ProductClass": pclass,
        "ShipNode": node,
        "Tracked": "Y" if found.tracked else "N",
        "InventoryTotals": {
            "Supplies": {
                "InventorySupplyType": [
                    {"SupplyType": k, "TotalQuantity": qty_text(v)} for k, v in types.items()
                ]
            },
            "Demands": {
                "InventoryDemandType": [
                    {"DemandType": "SCHEDULED", "TotalQuantity": qty_text(demand)},
                    {"DemandType": "RESERVED", "TotalQuantity": qty_text(reserved)},
                ]
            },
        },
        "AvailableToPromiseInventory": {
            "AvailableQuantity": qty_text(sum((n.free() for n in nodes), ZERO)),
            "AvailableToPromise": periods,
        },
    }
    return Output("InventoryInformation", {"Item": out})


def _kind(ctx: Ctx, item: str, node: str, eta: str) -> str:
    for row in supply.rows_of(ctx, item, node):
        if row["eta"] == eta and row["supply_type"] != supply.ONHAND:
            return str(row["supply_type"])
    return "FUTURE"  # pragma: no cover - every future lot comes from a row


def get_available_inventory(ctx: Ctx, doc: Doc) -> Output:
    """getAvailableInventory: a ``Promise`` as findInventory takes it -> the Promise's attributes with
    ``PromiseLines/PromiseLine`` each holding ``Availability/AvailableInventory@AvailableQuantity,
    AvailableOnhandQuantity,AvailableFutureQuantity,FirstFutureAvailableDate`` over its candidate nodes and
    ``ShipNodeAvailableInventory/Inventory@ShipNode,...`` per node [INF shape].  An untracked item in lenient
    mode answers ``IsUnlimited="Y"`` [INF: Sterling's infinite inventory flag] and quantity 999999999.
    """
    request = promising.read(ctx, doc)
    lines = []
    for line in request.lines:
        found = supply.stock(ctx, line.item, line.uom, line.pclass)
        nodes = promising.nodes_for(ctx, request, line, found)
        unlimited = supply.unlimited(ctx, found)
        per_node = [
            _availability(found.nodes.get(n, supply.Stock(n)), unlimited) | {"ShipNode": n} for n, _ in nodes
        ]
        total = _availability(supply.Stock(""), unlimited) if unlimited else _sum(per_node)
        extra = {
            "IsUnlimited": "Y" if unlimited else "N",
            "Availability": {"AvailableInventory": total},
            "ShipNodeAvailableInventory": {"Inventory": per_node} if per_node else {},
        }
        lines.append(promising.line_doc(promising.Planned(line), extra))
    return Output("Promise", {**promising.echo(doc), "PromiseLines": {"PromiseLine": lines}})


UNLIMITED = "999999999"


def _availability(at: supply.Stock, unlimited: bool) -> Doc:
    if unlimited:
        return {
            "AvailableQuantity": UNLIMITED,
            "AvailableOnhandQuantity": UNLIMITED,
            "AvailableFutureQuantity": "0",
            "FirstFutureAvailableDate": "",
        }
    lots = at.lots()
    onhand = sum((q for when, q in lots if not when), ZERO)
    future = [(when, q) for when, q in lots if when]
    return {
        "AvailableQuantity": qty_text(onhand + sum((q for _, q in future), ZERO)),
        "AvailableOnhandQuantity": qty_text(onhand),
        "AvailableFutureQuantity": qty_text(sum((q for _, q in future), ZERO)),
        "FirstFutureAvailableDate": sourcing.stamp(date.fromisoformat(future[0][0])) if future else "",
    }


def _sum(per_node: list[Doc]) -> Doc:
    keys = ("AvailableQuantity", "AvailableOnhandQuantity", "AvailableFutureQuantity")
    out: Doc = {k: qty_text(sum((Decimal(n[k]) for n in per_node), ZERO)) for k in keys}
    dates = [n["FirstFutureAvailableDate"] for n in per_node if n["FirstFutureAvailableDate"]]
    out["FirstFutureAvailableDate"] = min(dates) if dates else ""
    return out


def monitor_item_availability(ctx: Ctx, doc: Doc) -> Output:
    """monitorItemAvailability: ``MonitorItemAvailability@ItemID`` (mandatory), ``ShipNode`` (every node
    holding the item when absent) -> the input's keys with ``Alerts/Alert@AlertKey,ExceptionType,ItemID,
    ShipNode,Level,AvailableQty,Direction,RaisedOn,Description`` for each node whose free quantity moved to
    another band of the monitor levels since the last look [INF: Sterling raises events from configured
    inventory monitor rules; the fake's levels are 0 and 10, or the namespace's (``PUT /_fake/inventory``
    ``levels``)].  A node seen for the first time alerts only when it is already at or below a level; from
    then on adjustInventory watches it too.  Alerts are kept and listed by ``GET /_fake/inventory/alerts``.
    """
    item = supply.required(doc, "ItemID", "MonitorItemAvailability")
    supply.check_item(ctx, item)
    node = supply.text(doc, "ShipNode")
    supply.check_node(ctx, node)
    alerts = monitor.check(ctx, item, [node] if node else None)
    out: Doc = {"ItemID": item, "ShipNode": node, "OrganizationCode": supply.text(doc, "OrganizationCode")}
    out["Alerts"] = {"Alert": alerts} if alerts else {}
    return Output("MonitorItemAvailability", out)


APIS = {
    "adjustInventory": ApiSpec(adjust_inventory, "Items", "Output", writes=True, void=True),
    "getInventorySupply": ApiSpec(get_inventory_supply, "InventorySupply", "Item"),
    "getATP": ApiSpec(get_atp, "GetATP", "InventoryInformation"),
    "getAvailableInventory": ApiSpec(get_available_inventory, "Promise", "Promise"),
    "monitorItemAvailability": ApiSpec(
        monitor_item_availability, "MonitorItemAvailability", "MonitorItemAvailability", writes=True
    ),
}
