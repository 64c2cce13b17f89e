"""Promising: a ``Promise`` request read and checked once, planned line by line over the candidate nodes
(sourcing.py), and rendered as findInventory's ``SuggestedOption`` (reference §14)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sterling_mock.client.wire import Doc, as_list, child
from sterling_mock.mock_server.base.errors import InvalidValue, MandatoryMissing
from sterling_mock.mock_server.domain.context import Ctx
from sterling_mock.mock_server.domain.inventory import sourcing, supply
from sterling_mock.mock_server.domain.inventory.sourcing import Assignment
from sterling_mock.mock_server.domain.inventory.supply import qty_text
from sterling_mock.mock_server.store.schema import inventory as sql

#: Attributes of ``Promise`` the answer echoes [OBS: findInventory answers the request's attributes].
ECHO = (
    "OrganizationCode",
    "EnterpriseCode",
    "CheckInventory",
    "AllocationRuleID",
    "FulfillmentType",
    "OptimizationType",
)
METHODS = ("SHP", "PICK", "DEL", "CARRY")


@dataclass
class Line:
    line_id: str
    item: str
    uom: str
    pclass: str
    qty: Decimal
    method: str
    node: str
    single: bool
    doc: Doc


@dataclass
class Request:
    doc: Doc
    lines: list[Line]
    candidates: list[str]
    excluded: set[str]
    ship_to: tuple[float, float] | None
    check: bool
    enterprise: str


@dataclass
class Planned:
    line: Line
    assignments: list[Assignment] = field(default_factory=list)
    short: Decimal = Decimal(0)


def _nodes(doc: Doc, wrapper: str) -> list[str]:
    found = child(doc, wrapper)
    out: list[str] = []
    for name in ("ShipNode", "ExcludedShipNode"):
        for entry in as_list(found.get(name) if found else None):
            value = entry.get("Node") or entry.get("ShipNode")
            if isinstance(value, str) and value:
                out.append(value.strip())
    return out


def read(ctx: Ctx, doc: Doc) -> Request:
    """The request, checked: quantities, delivery methods, and (strict inventory) items and nodes."""
    entries = as_list((child(doc, "PromiseLines") or {}).get("PromiseLine"))
    if not entries:
        raise MandatoryMissing("PromiseLines/PromiseLine is mandatory.", attributes={"Name": "PromiseLine"})
    single_all = supply.text(doc, "ShipFromSingleNode") == "Y"
    lines = []
    for index, entry in enumerate(entries, start=1):
        method = supply.text(entry, "DeliveryMethod", "SHP").upper()
        if method not in METHODS:
            raise InvalidValue(
                f"DeliveryMethod={method!r}.", attributes={"Name": "DeliveryMethod", "Value": method}
            )
        line = Line(
            line_id=supply.text(entry, "LineId", str(index)),
            item=supply.required(entry, "ItemID", "PromiseLine"),
            uom=supply.text(entry, "UnitOfMeasure", supply.DEFAULT_UOM),
            pclass=supply.text(entry, "ProductClass"),
            qty=supply.quantity(entry, "RequiredQty"),
            method=method,
            node=supply.text(entry, "ShipNode"),
            single=single_all or supply.text(entry, "ShipFromSingleNode") == "Y",
            doc=entry,
        )
        supply.check_item(ctx, line.item)
        supply.check_node(ctx, line.node)
        lines.append(line)
    candidates = _nodes(doc, "ShipNodes")
    for node in candidates:
        supply.check_node(ctx, node)
    enterprise = supply.text(doc, "EnterpriseCode") or supply.text(doc, "OrganizationCode")
    return Request(
        doc=doc,
        lines=lines,
        candidates=candidates,
        excluded=set(_nodes(doc, "ExcludedShipNodes")),
        ship_to=sourcing.place(child(doc, "ShipToAddress")),
        check=supply.text(doc, "CheckInventory", "Y") != "N",
        enterprise=enterprise,
    )


def nodes_for(
    ctx: Ctx, request: Request, line: Line, found: supply.ItemStock
) -> list[tuple[str, float | None]]:
    """Candidate nodes of a line, nearest first: its ShipNode alone, else the request's ShipNodes, else
    every node holding the item (an untracked item: the enterprise's default node); excluded nodes never."""
    if line.node:
        pool = [line.node]
    elif request.candidates:
        pool = list(request.candidates)
    elif found.tracked:
        pool = list(found.nodes)
    else:
        pool = [n for n in [sourcing.default_node(ctx, request.enterprise)] if n]
    pool = [n for n in pool if n not in request.excluded]
    return sourcing.order_nodes(ctx, pool, request.ship_to)


def plan(ctx: Ctx, request: Request, *, lock: bool = False) -> list[Planned]:
    """Every line assigned (on hand first, future supply next); what no node has is left short."""
    taken: dict[str, dict[str, Decimal]] = {}
    out = []
    for line in request.lines:
        if lock:
            sql.lock_item(ctx.tx, ctx.ns, line.item)
        found = supply.stock(ctx, line.item, line.uom, line.pclass)
        nodes = nodes_for(ctx, request, line, found)
        free = not request.check or supply.unlimited(ctx, found)
        assigned, short = sourcing.plan(
            ctx,
            found,
            nodes,
            line.qty,
            split=not line.single,
            unlimited=free,
            taken=taken.setdefault(line.item, {}),
        )
        out.append(Planned(line, assigned, short))
    return out


def line_doc(planned: Planned, extra: Doc | None = None) -> Doc:
    line = planned.line
    doc: Doc = {
        "LineId": line.line_id,
        "ItemID": line.item,
        "UnitOfMeasure": line.uom,
        "ProductClass": line.pclass,
        "RequiredQty": qty_text(line.qty),
        "DeliveryMethod": line.method,
    }
    if line.node:
        doc["ShipNode"] = line.node
    return {**doc, **(extra or {})}


def suggested_option(ctx: Ctx, request: Request, planned: list[Planned]) -> Doc:
    """``SuggestedOption`` with one Option: an Interaction per (node, delivery method, ship date)."""
    interactions: dict[tuple[str, str, str], Doc] = {}
    lines = []
    unavailable = []
    for item in planned:
        assignments = []
        for a in item.assignments:
            shipped = sourcing.ship_day(ctx, a.avail)
            delivered = sourcing.delivery_day(shipped, a.distance, item.line.method)
            key = (a.node, item.line.method, shipped.isoformat())
            if key not in interactions:
                interactions[key] = {
                    "InteractionNo": str(len(interactions) + 1),
                    "Node": a.node,
                    "DeliveryMethod": item.line.method,
                    "ShipDate": sourcing.stamp(shipped),
                    "DeliveryDate": sourcing.stamp(delivered),
                }
            assignments.append(
                {
                    "ShipNode": a.node,
                    "Quantity": qty_text(a.qty),
                    "ShipDate": sourcing.stamp(shipped),
                    "DeliveryDate": sourcing.stamp(delivered),
                    "ProductAvailDate": sourcing.stamp(shipped),
                    "NodePriority": f"{sourcing.priority_of(ctx, a.node):.2f}",
                    "ReservedQty": "0",
                    "Distance": "" if a.distance is None else f"{a.distance:.2f}",
                    "InteractionNo": interactions[key]["InteractionNo"],
                }
            )
        lines.append(line_doc(item, {"Assignments": {"Assignment": assignments}}))
        if item.short > 0:
            assigned = item.line.qty - item.short
            unavailable.append(
                line_doc(item, {"AssignedQty": qty_text(assigned), "UnavailableQty": qty_text(item.short)})
            )
    dates = [i["DeliveryDate"] for i in interactions.values()]
    option: Doc = {
        "OptionNo": "1",
        "FirstDate": min(dates) if dates else "",
        "LastDate": max(dates) if dates else "",
        "NodeQty": str(len({k[0] for k in interactions})),
        "TotalShipments": str(len(interactions)),
        "HasAnyUnavailableQty": "Y" if unavailable else "N",
        "Interactions": {"Interaction": list(interactions.values())},
        "PromiseLines": {"PromiseLine": lines},
    }
    out: Doc = {"Option": option}
    out["UnavailableLines"] = {"UnavailableLine": unavailable} if unavailable else {}
    return out


def echo(doc: Doc) -> Doc:
    return {k: doc[k] for k in ECHO if isinstance(doc.get(k), str)}
