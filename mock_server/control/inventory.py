"""Control routes for inventory (per namespace): supply in bulk, strict inventory, monitor levels, node
sourcing data, and a read of supply, demand and availability per item and node (docs/control-plane.md)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Response, request

from sterling_mock.mock_server.base.errors import SterlingError
from sterling_mock.mock_server.control import body, bp, fake, invalid, json_response, namespace
from sterling_mock.mock_server.domain import clock
from sterling_mock.mock_server.domain.availability import monitor
from sterling_mock.mock_server.domain.context import Ctx
from sterling_mock.mock_server.domain.inventory import supply
from sterling_mock.mock_server.domain.orders.model import qty_text
from sterling_mock.mock_server.store.schema import inventory as sql
from sterling_mock.mock_server.store.tx import Tx

SUPPLY_FIELDS = ("ItemID", "ShipNode", "Quantity", "UnitOfMeasure", "ProductClass", "SupplyType", "ETA")


def _ctx(tx: Tx, ns: str) -> Ctx:
    runtime = fake()
    return Ctx(
        tx=tx, ns=ns, user="", settings=runtime.settings, pipelines=runtime.pipelines, api="_fake/inventory"
    )


def _entry(index: int, raw: Any) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise invalid(f"supply[{index}]", "must be an object")
    out = {}
    for name, value in raw.items():
        if name not in SUPPLY_FIELDS:
            raise invalid(f"supply[{index}].{name}", f"unknown field (one of {', '.join(SUPPLY_FIELDS)})")
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise invalid(f"supply[{index}].{name}", "must be a string or a number")
        out[name] = str(value)
    return {**out, "AdjustmentType": "ABSOLUTE"}


def _nodes(data: dict[str, Any]) -> list[tuple[str, float | None, float | None, float]]:
    rows = []
    for index, raw in enumerate(data.get("nodes") or []):
        where = f"nodes[{index}]"
        if not isinstance(raw, dict) or not isinstance(raw.get("ShipNode"), str) or not raw["ShipNode"]:
            raise invalid(where, "must be an object with ShipNode")
        values = []
        for name in ("Latitude", "Longitude", "Priority"):
            value = raw.get(name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
                raise invalid(f"{where}.{name}", "must be a number")
            values.append(None if value is None else float(value))
        lat, lon, priority = values
        rows.append((str(raw["ShipNode"]), lat, lon, 1.0 if priority is None else priority))
    return rows


@bp.put("/inventory")
def put_inventory() -> Response:
    """``{"supply": [{ItemID, ShipNode, Quantity, ...}], "replace": false, "strict": null, "levels": [0, 10],
    "nodes": [{ShipNode, Latitude, Longitude, Priority}]}``: all checked before anything is written."""
    data = body()
    ns = namespace(data)
    records = data.get("supply", [])
    if not isinstance(records, list):
        raise invalid("supply", "must be a list")
    replace = data.get("replace", False)
    if not isinstance(replace, bool):
        raise invalid("replace", "must be true or false")
    strict = data.get("strict")
    if "strict" in data and strict is not None and not isinstance(strict, bool):
        raise invalid("strict", "must be true, false or null (the setting decides)")
    levels = data.get("levels")
    if levels is not None and (
        not isinstance(levels, list)
        or any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in levels)
    ):
        raise invalid("levels", "must be a list of numbers")
    nodes = _nodes(data)
    entries = [_entry(i, raw) for i, raw in enumerate(records)]
    with fake().store.write(ns=ns) as tx:
        ctx = _ctx(tx, ns)
        supply.ensure(ctx)
        if "strict" in data:
            supply.put_state(ctx, strict=strict)
        if levels is not None:
            supply.put_state(ctx, levels=[float(v) for v in levels])
        sql.put_nodes(tx, ns, nodes)
        changes = []
        for index, entry in enumerate(entries):
            try:
                changes.append(supply.adjustment(ctx, entry))
            except SterlingError as exc:
                raise invalid(
                    f"supply[{index}]", f"{exc.error_code} {exc.more_info or exc.error_description}"
                ) from None
        if replace:
            sql.clear_supply(tx, ns)
        supply.apply(ctx, changes)
        summary = _summary(ctx)
    return json_response(summary)


@bp.get("/inventory")
def get_inventory() -> Response:
    """The namespace's settings, supply records, node data and availability per item and node
    (``?item=`` narrows to one item)."""
    ns = namespace()
    with fake().store.read() as tx:
        return json_response(_summary(_ctx(tx, ns), request.args.get("item") or None, detail=True))


@bp.get("/inventory/alerts")
def get_alerts() -> Response:
    ns = namespace()
    with fake().store.read() as tx:
        return json_response({"namespace": ns, "alerts": monitor.raised(tx, ns)})


def _summary(ctx: Ctx, item: str | None = None, *, detail: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "namespace": ctx.ns,
        "strict": supply.strict(ctx),
        "levels": monitor.levels(ctx),
        "records": len(supply.rows_of(ctx)),
    }
    if detail:
        rows = supply.rows_of(ctx, item)
        out["supply"] = [
            {
                "ItemID": r["item_id"],
                "ShipNode": r["node"],
                "UnitOfMeasure": r["uom"],
                "ProductClass": r["pclass"],
                "SupplyType": r["supply_type"],
                "ETA": r["eta"],
                "Quantity": qty_text(Decimal(str(r["qty"]))),
            }
            for r in rows
        ]
        out["availability"] = availability(ctx, item)
        out["nodes"] = [
            {"ShipNode": n, "Latitude": lat, "Longitude": lon, "Priority": p}
            for n, (lat, lon, p) in sorted(sql.node_rows(ctx.tx, ctx.ns).items())
        ]
        out["now"] = clock.format_datetime(ctx.now())
    return out


def availability(ctx: Ctx, item: str | None = None) -> list[dict[str, str]]:
    """Supply (on hand), future supply, demand, reserved and available per item and node."""
    return supply.availability(ctx, sorted({r["item_id"] for r in supply.rows_of(ctx, item)}))
