"""What orders do to inventory: scheduling takes demand against supply (or the line's reservation) and
backorders the rest; every save rewrites the order's demand (scheduled, not yet shipped or cancelled), takes
newly shipped quantity off on-hand supply, and shrinks consumed reservations to what still waits."""

from __future__ import annotations

from decimal import Decimal

from sterling_mock.client.wire import Doc, as_list
from sterling_mock.mock_server.domain import statuses
from sterling_mock.mock_server.domain.context import Ctx
from sterling_mock.mock_server.domain.inventory import reservations, sourcing, supply
from sterling_mock.mock_server.store.schema import inventory as sql
from sterling_mock.mock_server.store.schema import lifecycle as md

HOLDS_FROM = statuses.sort_key(statuses.SCHEDULED)
SHIPPED_FROM = statuses.sort_key(statuses.SHIPPED)
WAITING_BELOW = HOLDS_FROM
ZERO = Decimal(0)


def _rows(line: Doc) -> list[Doc]:
    return as_list((line.get("OrderStatuses") or {}).get("OrderStatus"))


def _lines(order: Doc) -> list[Doc]:
    return as_list((order.get("OrderLines") or {}).get("OrderLine"))


def _item(line: Doc) -> str:
    return str((line.get("Item") or {}).get("ItemID", ""))


def sync(ctx: Ctx, order: Doc, *, insert: bool) -> None:
    """On every order save, in its transaction (so a cancellation frees its quantity at once).  Sales orders
    only [INF: a return's receipt does not put supply back; transfer and purchase orders hold none]."""
    if str(order.get("DocumentType") or "0001") != "0001":
        return
    demand: dict[tuple[str, str], float] = {}
    shipped: dict[tuple[str, str], float] = {}
    waiting: list[tuple[Doc, Decimal]] = []
    for line in _lines(order):
        item = _item(line)
        open_qty = ZERO
        for row in _rows(line):
            code = str(row.get("Status", ""))
            node = str(row.get("ShipNode", ""))
            amount = Decimal(str(row.get("StatusQty", "0")))
            if code == statuses.CANCELLED or statuses.base_of(code) == statuses.CANCELLED:
                continue
            key = statuses.sort_key(code)
            if key < WAITING_BELOW:
                open_qty += amount
            elif node and key < SHIPPED_FROM:
                demand[(item, node)] = demand.get((item, node), 0.0) + float(amount)
            elif node:
                shipped[(item, node)] = shipped.get((item, node), 0.0) + float(amount)
        waiting.append((line, open_qty))
    if not (insert and not demand):
        md.md_set_demand(ctx.tx, ctx.ns, str(order["OrderHeaderKey"]), demand)
    if shipped:
        _ship(ctx, str(order["OrderHeaderKey"]), shipped)
    for line, open_qty in waiting:
        reservations.shrink(ctx, line, open_qty)


def _ship(ctx: Ctx, ohk: str, shipped: dict[tuple[str, str], float]) -> None:
    """Take quantity shipped since the last save off the node's on-hand supply (never below zero)."""
    before = sql.shipped_of(ctx.tx, ctx.ns, ohk)
    for (item, node), total in shipped.items():
        delta = total - before.get((item, node), 0.0)
        if delta <= 0:
            continue
        sql.set_shipped(ctx.tx, ctx.ns, ohk, item, node, total)
        supply.ensure(ctx)
        left = Decimal(str(delta))
        for row in sql.supply_rows(ctx.tx, ctx.ns, item, node):
            if row["supply_type"] != supply.ONHAND or left <= 0:
                continue
            have = Decimal(str(row["qty"]))
            use = min(have, left)
            left -= use
            key = (item, row["uom"], row["pclass"], node, row["supply_type"], row["eta"])
            sql.set_supply(ctx.tx, ctx.ns, key, float(have - use), ctx.stamp())


# ------------------------------------------------------------------------------------------ scheduling


def candidates(
    ctx: Ctx, order: Doc, line: Doc, found: supply.ItemStock | None
) -> list[tuple[str, float | None]]:
    """The line's node alone when it names one; else the enterprise's default node, then every node
    holding the item, nearest to the ship-to first (sourcing.py)."""
    line_node = str(line.get("ShipNode", ""))
    if line_node:
        return [(line_node, None)]
    first = sourcing.default_node(ctx, str(order.get("EnterpriseCode", "")))
    others = [n for n in (found.nodes if found else {}) if n != first]
    ship_to = sourcing.place(line.get("PersonInfoShipTo") or order.get("PersonInfoShipTo"))
    ranked = sourcing.order_nodes(ctx, others, ship_to)
    return ([(first, None)] if first else []) + ranked


def source(
    ctx: Ctx, order: Doc, line: Doc, qty: Decimal, taken: dict[tuple[str, str], Decimal]
) -> tuple[list[tuple[str, Decimal]], Decimal]:
    """Split ``qty`` of ``line`` over nodes that have it free today: ([(node, qty)], quantity left short).

    The line's own reservations are used first, at their nodes; an item with no supply record is
    unlimited unless strict inventory is on.  ``taken``: what this call already took per (item, node)."""
    item = _item(line)
    supply.ensure(ctx)
    sql.lock_item(ctx.tx, ctx.ns, item)
    mine = reservations.of_line(ctx, line)
    found = supply.stock(ctx, item, except_olk=str(line["OrderLineKey"]) if mine else "")
    nodes = candidates(ctx, order, line, found)
    if supply.unlimited(ctx, found):
        return ([(nodes[0][0], qty)] if nodes else [("", qty)]), ZERO
    out: list[tuple[str, Decimal]] = []
    remaining = qty
    line_node = str(line.get("ShipNode", ""))
    for node, held in mine.items():
        if remaining <= 0 or (line_node and node != line_node):
            continue
        at = found.nodes.setdefault(node, supply.Stock(node))
        at.reserved += held  # its own reservation is set aside for it: used here, not again below
        use = min(held, remaining)
        out.append((node, use))
        remaining -= use
    today = ctx.now().date().isoformat()
    per_node = {n: taken.get((item, n), ZERO) for n, _ in nodes}
    assigned, short = sourcing.plan(
        ctx, found, nodes, remaining, split=True, unlimited=False, by=today, taken=per_node
    )
    for a in assigned:
        if a.avail and a.avail > today:
            continue  # pragma: no cover - plan() keeps only what is due by today
        out.append((a.node, a.qty))
    for node, total in per_node.items():
        taken[(item, node)] = total
    return out, short
