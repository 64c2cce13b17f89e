"""Master data: enterprises, sellers, ship nodes, items and inventory per node — read from a JSON file, kept
per namespace in the store, checked in strict mode, and supply net of what orders already hold."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from sterling_mock.client.wire import Doc, as_list
from sterling_mock.mock_server.base.errors import InvalidNode, ItemNotFound, ShipNodeDoesNotExist, UnknownOrganization
from sterling_mock.mock_server.domain.context import Ctx
from sterling_mock.mock_server.domain.itemmaster import records
from sterling_mock.mock_server.domain import statuses
from sterling_mock.mock_server.store.schema import lifecycle as sql

DEFAULT_FILE = Path(__file__).parent.parent / "data" / "masterdata.json"
KINDS = {"enterprises": "enterprise", "sellers": "seller", "nodes": "node", "items": "item"}
KEYS = {"enterprise": "OrganizationCode", "seller": "OrganizationCode", "node": "ShipNode", "item": "ItemID"}
#: Quantity from Scheduled on (and not cancelled) holds supply; shipped quantity has left the node.
HOLDS_FROM = statuses.sort_key(statuses.SCHEDULED)


@dataclass(frozen=True)
class MasterData:
    records: list[tuple[str, str, dict[str, Any]]]
    supply: list[tuple[str, str, float]]


def load_file(path: str | Path = "") -> MasterData:
    """Parse and check a master-data file (the packaged default when ``path`` is empty)."""
    source = Path(path) if path else DEFAULT_FILE
    try:
        raw = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"master data file {source}: {exc}") from exc
    if not isinstance(raw, dict):
        raise ValueError(f"master data file {source}: expected an object")
    records: list[tuple[str, str, dict[str, Any]]] = []
    supply: list[tuple[str, str, float]] = []
    for section, kind in KINDS.items():
        entries = raw.get(section, [])
        if not isinstance(entries, list):
            raise ValueError(f"master data file {source}: {section} must be a list")
        for entry in entries:
            code = entry.get(KEYS[kind]) if isinstance(entry, dict) else None
            if not isinstance(code, str) or not code:
                raise ValueError(f"master data file {source}: every {kind} needs {KEYS[kind]}")
            doc = {k: str(v) for k, v in entry.items() if not isinstance(v, (dict, list))}
            records.append((kind, code, doc))
            for node, qty in (entry.get("Inventory") or {}).items() if kind == "item" else ():
                try:
                    supply.append((code, str(node), float(qty)))
                except (TypeError, ValueError):
                    raise ValueError(
                        f"master data file {source}: {code} inventory at {node}: {qty!r}"
                    ) from None
    return MasterData(records, supply)


def ensure(ctx: Ctx) -> None:
    """Load the master data into the namespace on first use (and after a reset); write calls only."""
    if not sql.md_loaded(ctx.tx, ctx.ns):
        data = load_file(ctx.settings.master_data_file)
        sql.md_load(ctx.tx, ctx.ns, data.records, data.supply)


def strict(ctx: Ctx) -> bool:
    return ctx.settings.strict_master_data


# ------------------------------------------------------------------------------------------ checks


def check_organization(ctx: Ctx, code: str, attribute: str) -> None:
    """Strict mode: an EnterpriseCode/SellerOrganizationCode must be an enterprise or seller on file."""
    if not strict(ctx):
        return
    ensure(ctx)
    if sql.md_get(ctx.tx, ctx.ns, "enterprise", code) or sql.md_get(ctx.tx, ctx.ns, "seller", code):
        return
    raise UnknownOrganization(f"{attribute} {code} is not in the master data.", attributes={attribute: code})


def check_item(ctx: Ctx, item_id: str, uom: str = "") -> None:
    """Strict mode: YCM0033 for an item (or an item in that unit of measure) not on file [OBS code]."""
    if not strict(ctx):
        return
    ensure(ctx)
    item = sql.md_get(ctx.tx, ctx.ns, "item", item_id) if item_id else None
    if item is None and item_id:  # the item catalogue (manageItem, its defaults) knows items too (issue 23)
        if records.lookup_item(ctx, item_id) is not None:
            item = records.lookup_item(ctx, item_id, uom) or {"UnitOfMeasure": ""}
    if item is None:
        raise ItemNotFound(f"ItemID {item_id!r} is not in the master data.", attributes={"ItemID": item_id})
    if uom and item.get("UnitOfMeasure", uom) != uom:
        raise ItemNotFound(
            f"ItemID {item_id!r} has no unit of measure {uom!r}.",
            attributes={"ItemID": item_id, "UnitOfMeasure": uom},
        )


def check_node(ctx: Ctx, node: str, *, shipment: bool = False) -> None:
    """Strict mode: an order's node answers YFS10048 "YFS:Invalid Node", a shipment's YDM00085 [OBS codes]."""
    if not strict(ctx) or not node:
        return
    ensure(ctx)
    if sql.md_get(ctx.tx, ctx.ns, "node", node) is None:
        error = ShipNodeDoesNotExist if shipment else InvalidNode
        raise error(f"ShipNode {node} is not in the master data.", attributes={"ShipNode": node})


def validate_line(ctx: Ctx, order: Doc, line: Doc) -> None:
    """Strict mode checks of a new order line (createOrder, changeOrder CREATE)."""
    if not strict(ctx):
        return
    check_organization(ctx, str(order.get("EnterpriseCode", "")), "EnterpriseCode")
    found = line.get("Item")
    item: Doc = found if isinstance(found, dict) else {}
    check_item(ctx, str(item.get("ItemID", "")), str(item.get("UnitOfMeasure", "")))
    check_node(ctx, str(line.get("ShipNode", "")))


# ------------------------------------------------------------------------------------------ sourcing


def default_node(ctx: Ctx, enterprise: str) -> str:
    """The enterprise's ``DefaultShipNode``, else the first node on file [INF: the fake's sourcing rule]."""
    ensure(ctx)
    found = sql.md_get(ctx.tx, ctx.ns, "enterprise", enterprise)
    if found and found.get("DefaultShipNode"):
        return str(found["DefaultShipNode"])
    nodes = sql.md_all(ctx.tx, ctx.ns, "node")
    return str(nodes[0]["ShipNode"]) if nodes else ""


def candidates(ctx: Ctx, enterprise: str, item_id: str, line_node: str) -> list[str]:
    """Nodes to source from, in preference order: the line's node alone when it names one, else the
    enterprise's default node and then every node holding the item."""
    if line_node:
        return [line_node]
    first = default_node(ctx, enterprise)
    others = sorted(sql.md_supply_of(ctx.tx, ctx.ns, item_id)) if strict(ctx) else []
    return list(dict.fromkeys([n for n in (first, *others) if n]))


def source(
    ctx: Ctx,
    enterprise: str,
    item_id: str,
    line_node: str,
    qty: Decimal,
    taken: dict[tuple[str, str], Decimal],
) -> tuple[list[tuple[str, Decimal]], Decimal]:
    """Split ``qty`` over nodes that can supply it: ([(node, qty), ...], quantity nobody can supply).

    Lenient mode has unlimited supply everywhere; strict mode nets the node's inventory of what every order
    holds (``md_demand``) and of what this call already took (``taken``, updated here).
    """
    nodes = candidates(ctx, enterprise, item_id, line_node)
    if not strict(ctx):
        return [(nodes[0] if nodes else "", qty)], Decimal(0)
    supply = sql.md_supply_of(ctx.tx, ctx.ns, item_id)
    demand = sql.md_demand_of(ctx.tx, ctx.ns, item_id)
    plan: list[tuple[str, Decimal]] = []
    remaining = qty
    for node in nodes:
        free = (
            Decimal(str(supply.get(node, 0)))
            - Decimal(str(demand.get(node, 0)))
            - taken.get((item_id, node), 0)
        )
        use = min(max(free, Decimal(0)), remaining)
        if use > 0:
            plan.append((node, use))
            taken[(item_id, node)] = taken.get((item_id, node), Decimal(0)) + use
            remaining -= use
        if remaining == 0:
            break
    return plan, remaining


def sync_demand(ctx: Ctx, order: Doc) -> None:
    """Strict mode: rewrite what the order holds against supply from its status rows (called on every save,
    so a cancellation through changeOrder frees its quantity in the same transaction)."""
    if not strict(ctx):
        return
    demand: dict[tuple[str, str], float] = {}
    for line in as_list((order.get("OrderLines") or {}).get("OrderLine")):
        item = str((line.get("Item") or {}).get("ItemID", ""))
        for row in as_list((line.get("OrderStatuses") or {}).get("OrderStatus")):
            code = str(row.get("Status", ""))
            node = str(row.get("ShipNode", ""))
            if node and code != statuses.CANCELLED and statuses.sort_key(code) >= HOLDS_FROM:
                demand[(item, node)] = demand.get((item, node), 0.0) + float(row.get("StatusQty", "0"))
    sql.md_set_demand(ctx.tx, ctx.ns, str(order["OrderHeaderKey"]), demand)
