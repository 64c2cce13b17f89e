"""Supply per item and node: the namespace's inventory settings, the master-data supply it starts from,
adjustments (ABSOLUTE or ADJUSTMENT, on hand or future with an ETA), strict checks and what is free per node.

Availability of an item at a node = on-hand supply + future supply due by the date - what orders hold
(scheduled, not yet shipped or cancelled) - live reservations, never below zero [INF: one demand bucket per
item and node; product class and unit of measure filter supply records only].
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from sterling_mock.client.wire import Doc
from sterling_mock.mock_server.base.errors import InvalidNode, InvalidValue, ItemNotFound, MandatoryMissing
from sterling_mock.mock_server.domain import clock, masterdata
from sterling_mock.mock_server.domain.context import Ctx
from sterling_mock.mock_server.store.schema import inventory as sql
from sterling_mock.mock_server.store.schema import lifecycle as md

KV = "_inventory"
ONHAND = "ONHAND"
DEFAULT_UOM = "EACH"
_SUPPLY_TYPE = re.compile(r"^[A-Z][A-Z0-9_.]{0,39}$")
LIMIT = Decimal(10) ** 15
ZERO = Decimal(0)


# ------------------------------------------------------------------------------------------ settings


def state(ctx: Ctx) -> dict[str, Any]:
    """The namespace's inventory record: ``loaded`` (master-data supply copied in), ``strict`` (None: the
    setting decides), ``levels`` (monitor levels)."""
    if "inventory.state" not in ctx.extras:
        found = ctx.tx.kv_get(ctx.ns, KV)
        ctx.extras["inventory.state"] = dict(found) if isinstance(found, dict) else {}
    return dict(ctx.extras["inventory.state"])


def put_state(ctx: Ctx, **changes: Any) -> None:
    ctx.extras["inventory.state"] = {**state(ctx), **changes}
    ctx.tx.kv_put(ctx.ns, KV, ctx.extras["inventory.state"])


def strict(ctx: Ctx) -> bool:
    chosen = state(ctx).get("strict")
    if isinstance(chosen, bool):
        return chosen
    return ctx.settings.strict_inventory or ctx.settings.strict_master_data


@lru_cache(maxsize=8)
def _file_supply(path: str) -> tuple[tuple[str, str, str, str, str, str, float], ...]:
    data = masterdata.load_file(path)
    items = {code: doc for kind, code, doc in data.records if kind == "item"}
    out = []
    for item, node, qty in data.supply:
        found = items.get(item, {})
        uom, pclass = str(found.get("UnitOfMeasure") or DEFAULT_UOM), str(found.get("ProductClass") or "")
        out.append((item, uom, pclass, node, ONHAND, "", qty))
    return tuple(out)


def file_rows(ctx: Ctx) -> list[tuple[str, str, str, str, str, str, float]]:
    """The master-data file's supply as on-hand records (item, uom, product class, node, type, eta, qty), in
    the item's own unit of measure and product class."""
    return list(_file_supply(ctx.settings.master_data_file))


def ensure(ctx: Ctx) -> None:
    """Write calls: copy the master-data supply into the namespace once (again after a reset)."""
    if not state(ctx).get("loaded"):
        sql.load_supply(ctx.tx, ctx.ns, file_rows(ctx), ctx.stamp())
        put_state(ctx, loaded=True)


def rows_of(ctx: Ctx, item_id: str | None = None, node: str | None = None) -> list[dict[str, Any]]:
    """Supply records (reads see the master-data supply before any write copied it in)."""
    if state(ctx).get("loaded"):
        return sql.supply_rows(ctx.tx, ctx.ns, item_id, node)
    keys = ("item_id", "uom", "pclass", "node", "supply_type", "eta", "qty")
    return [
        {**dict(zip(keys, row, strict=True)), "modifyts": ""}
        for row in file_rows(ctx)
        if (item_id is None or row[0] == item_id) and (node is None or row[3] == node)
    ]


# ------------------------------------------------------------------------------------------ values


def qty_text(value: Decimal) -> str:
    """A quantity as the order model writes it (no trailing zeros); kept here so inventory does not import
    the order model, which imports inventory."""
    normal = value.normalize()
    return format(normal, "f") if normal != normal.to_integral() else str(int(normal))


def quantity(doc: Doc, name: str, *, required: bool = True, negative: bool = False) -> Decimal:
    """A quantity attribute: a finite number below 10^15, not negative unless ``negative``."""
    raw = doc.get(name)
    if not isinstance(raw, str) or not raw.strip():
        if required:
            raise MandatoryMissing(f"{name} is mandatory.", attributes={"Name": name})
        return ZERO
    try:
        value = Decimal(raw.strip())
        if not value.is_finite() or abs(value) >= LIMIT:
            raise InvalidOperation
    except InvalidOperation:
        raise InvalidValue(
            f"{name}={raw!r} is not a quantity.", attributes={"Name": name, "Value": raw}
        ) from None
    if value < 0 and not negative:
        raise InvalidValue(f"{name}={raw!r} must not be negative.", attributes={"Name": name, "Value": raw})
    return value


def text(doc: Doc, name: str, default: str = "") -> str:
    value = doc.get(name)
    if value is None or value == "":
        return default
    if not isinstance(value, str):
        raise InvalidValue(f"{name} must be an attribute value.", attributes={"Name": name})
    return value.strip()


def required(doc: Doc, name: str, where: str) -> str:
    value = text(doc, name)
    if not value:
        raise MandatoryMissing(f"{where}/@{name} is mandatory.", attributes={"Name": name})
    return value


def day(ctx: Ctx, raw: str, name: str) -> date:
    return clock.parse_datetime(raw, attribute=name).date() if raw else ctx.now().date()


# ------------------------------------------------------------------------------------------ strict checks


def item_known(ctx: Ctx, item_id: str) -> bool:
    if md.md_get(ctx.tx, ctx.ns, "item", item_id) is not None:
        return True
    if any(r[0] == item_id for r in file_rows(ctx)) or bool(rows_of(ctx, item_id)):
        return True
    return _catalogue_has(ctx, "item", item_id)


def node_known(ctx: Ctx, node: str) -> bool:
    if md.md_get(ctx.tx, ctx.ns, "node", node) is not None or node in sql.node_rows(ctx.tx, ctx.ns):
        return True
    if any(r[3] == node for r in file_rows(ctx)) or any(
        str(n.get("ShipNode")) == node for n in _md_nodes(ctx)
    ):
        return True
    return _catalogue_has(ctx, "node", node)


def _md_nodes(ctx: Ctx) -> list[dict[str, Any]]:
    return [
        doc
        for kind, _code, doc in masterdata.load_file(ctx.settings.master_data_file).records
        if kind == "node"
    ]


def _catalogue_has(ctx: Ctx, kind: str, code: str) -> bool:
    """The item catalogue (manageItem, its defaults); nodes come from the master data above."""
    if kind != "item":
        return False
    from sterling_mock.mock_server.domain.itemmaster import records  # where items are kept (issue 23)

    return records.lookup_item(ctx, code) is not None


def check_item(ctx: Ctx, item_id: str) -> None:
    if strict(ctx) and not item_known(ctx, item_id):
        raise ItemNotFound(f"ItemID {item_id!r} is not on file.", attributes={"ItemID": item_id})


def check_node(ctx: Ctx, node: str) -> None:
    if node and strict(ctx) and not node_known(ctx, node):
        raise InvalidNode(f"ShipNode {node} is not on file.", attributes={"ShipNode": node})


# ------------------------------------------------------------------------------------------ adjustments


@dataclass(frozen=True)
class Adjustment:
    key: tuple[str, str, str, str, str, str]
    absolute: bool
    qty: Decimal


def adjustment(ctx: Ctx, entry: Doc) -> Adjustment:
    """One ``Items/Item`` of adjustInventory, checked (nothing written)."""
    item_id = required(entry, "ItemID", "Item")
    node = required(entry, "ShipNode", "Item")
    kind = text(entry, "AdjustmentType", "ADJUSTMENT").upper()
    if kind not in ("ABSOLUTE", "ADJUSTMENT"):
        raise InvalidValue(
            f"AdjustmentType={kind!r}: ABSOLUTE or ADJUSTMENT.",
            attributes={"Name": "AdjustmentType", "Value": kind},
        )
    supply_type = text(entry, "SupplyType", ONHAND).upper()
    if not _SUPPLY_TYPE.match(supply_type):
        raise InvalidValue(
            f"SupplyType={supply_type!r}.", attributes={"Name": "SupplyType", "Value": supply_type}
        )
    qty = quantity(entry, "Quantity", negative=kind == "ADJUSTMENT")
    eta = "" if supply_type == ONHAND else day(ctx, text(entry, "ETA"), "ETA").isoformat()
    check_item(ctx, item_id)
    check_node(ctx, node)
    uom = text(entry, "UnitOfMeasure", DEFAULT_UOM)
    pclass = text(entry, "ProductClass")
    if not pclass:  # the item's one product class on file, if it has exactly one [INF]
        known = {r["pclass"] for r in rows_of(ctx, item_id) if r["uom"] == uom}
        pclass = known.pop() if len(known) == 1 else ""
    return Adjustment((item_id, uom, pclass, node, supply_type, eta), kind == "ABSOLUTE", qty)


def apply(ctx: Ctx, changes: list[Adjustment]) -> None:
    """Write checked adjustments in order; a result below zero refuses the whole call (nothing written)."""
    ensure(ctx)
    current: dict[tuple[str, ...], Decimal] = {}
    for change in changes:
        if change.key not in current:
            current[change.key] = _current(ctx, change.key)
        new = change.qty if change.absolute else current[change.key] + change.qty
        if new < 0:
            raise InvalidValue(
                f"Item {change.key[0]} at {change.key[3]}: {change.key[4]} would go below zero "
                f"({current[change.key]} on file, adjustment {change.qty}).",
                attributes={"ItemID": change.key[0], "ShipNode": change.key[3], "Quantity": str(change.qty)},
            )
        current[change.key] = new
    for key, qty in current.items():
        sql.set_supply(ctx.tx, ctx.ns, key, float(qty), ctx.stamp())  # type: ignore[arg-type]


def _current(ctx: Ctx, key: tuple[str, ...]) -> Decimal:
    for row in sql.supply_rows(ctx.tx, ctx.ns, key[0], key[3]):
        if (row["uom"], row["pclass"], row["supply_type"], row["eta"]) == key[1:3] + key[4:]:
            return Decimal(str(row["qty"]))
    return ZERO


# ------------------------------------------------------------------------------------------ availability


@dataclass
class Stock:
    """One item at one node: raw supply and what holds it, and what is free from when."""

    node: str
    onhand: Decimal = ZERO
    future: list[tuple[str, Decimal]] = field(default_factory=list)  # (eta, qty), by eta
    demand: Decimal = ZERO
    reserved: Decimal = ZERO

    def lots(self) -> list[tuple[str, Decimal]]:
        """Free quantity by the date it is there ("" = now), held quantity taken from on hand first."""
        held = self.demand + self.reserved
        out: list[tuple[str, Decimal]] = []
        for when, qty in [("", self.onhand), *sorted(self.future)]:
            use = min(held, qty)
            held -= use
            if qty - use > 0:
                out.append((when, qty - use))
        return out

    def free(self, by: str | None = None) -> Decimal:
        """Free quantity now (``by`` None) or by the ISO date ``by``."""
        return sum((q for when, q in self.lots() if when == "" or (by is not None and when <= by)), ZERO)

    def total_future(self) -> Decimal:
        return sum((q for _, q in self.future), ZERO)


@dataclass
class ItemStock:
    item_id: str
    tracked: bool  # the item has supply records (else: unlimited when lenient, nothing when strict)
    nodes: dict[str, Stock]


def stock(ctx: Ctx, item_id: str, uom: str = "", pclass: str = "", *, except_olk: str = "") -> ItemStock:
    """Supply, demand and reservations of ``item_id`` per node (``except_olk``: leave that order line's
    own reservation out, as it is the one consuming it)."""
    rows = rows_of(ctx, item_id)
    nodes: dict[str, Stock] = {}
    for row in rows:
        if row["uom"] != (uom or row["uom"]) or (pclass and row["pclass"] not in (pclass, "")):
            continue
        at = nodes.setdefault(row["node"], Stock(row["node"]))
        qty = Decimal(str(row["qty"]))
        if row["supply_type"] == ONHAND:
            at.onhand += qty
        else:
            at.future.append((row["eta"], qty))
    if rows:
        now = clock.column_value(ctx.now())
        for node, qty_held in sql.demand_of(ctx.tx, ctx.ns, item_id).items():
            nodes.setdefault(node, Stock(node)).demand = Decimal(str(qty_held))
        for node, qty_held in sql.reserved_of(ctx.tx, ctx.ns, item_id, now, except_olk=except_olk).items():
            nodes.setdefault(node, Stock(node)).reserved = Decimal(str(qty_held))
    return ItemStock(item_id, bool(rows), nodes)


def unlimited(ctx: Ctx, found: ItemStock) -> bool:
    """Lenient inventory: an item without any supply record is always available."""
    return not found.tracked and not strict(ctx)


def availability(ctx: Ctx, items: list[str]) -> list[dict[str, str]]:
    """Supply (on hand), future supply, demand, reserved and available per node of each of ``items``, in their
    order and by node: what ``GET /_fake/inventory`` answers and the console's Inventory page shows."""
    out = []
    for item_id in items:
        for node, at in sorted(stock(ctx, item_id).nodes.items()):
            out.append(
                {
                    "ItemID": item_id,
                    "ShipNode": node,
                    "Supply": qty_text(at.onhand),
                    "Future": qty_text(at.total_future()),
                    "Demand": qty_text(at.demand),
                    "Reserved": qty_text(at.reserved),
                    "Available": qty_text(at.free()),
                }
            )
    return out
