"""Master data: enterprises, sellers, ship nodes, items and inventory per node — read from a JSON file, kept
per namespace in the store and checked in strict mode.  The supply it lists is where each namespace's inventory
starts (domain/inventory: supply, demand, sourcing)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sterling_mock.client.wire import Doc
from sterling_mock.mock_server.base.errors import (
    InvalidNode,
    ItemNotFound,
    ShipNodeDoesNotExist,
    UnknownOrganization,
)
from sterling_mock.mock_server.domain.context import Ctx
from sterling_mock.mock_server.domain.itemmaster import records
from sterling_mock.mock_server.store.schema import lifecycle as sql

DEFAULT_FILE = Path(__file__).parent.parent / "data" / "masterdata.json"
KINDS = {"enterprises": "enterprise", "sellers": "seller", "nodes": "node", "items": "item"}
KEYS = {"enterprise": "OrganizationCode", "seller": "OrganizationCode", "node": "ShipNode", "item": "ItemID"}


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
    # the item catalogue (manageItem, its defaults) knows items too (issue 23)
    if item is None and item_id and records.lookup_item(ctx, item_id) is not None:
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
