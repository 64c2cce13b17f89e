"""``OrderLine/ItemDetails``: the item master record joined into an order line when a template asks for it
(reference §14).  It is in no default output; when the line's item is not in the catalogue, ItemDetails still
carries the line's ItemID and UnitOfMeasure [INF: as instances answer for items without a catalogue entry]."""

from __future__ import annotations

from typing import Any

from sterling_mock.client.wire import Doc, as_list
from sterling_mock.mock_server.domain.catalog import items
from sterling_mock.mock_server.domain.context import Ctx
from sterling_mock.mock_server.domain.itemmaster import records


def _sub(template: Any, name: str) -> Doc | None:
    found = template.get(name) if isinstance(template, dict) else None
    if isinstance(found, list):
        found = found[0] if found else None
    return found if isinstance(found, dict) else None


def line_template(order_template: Doc | None) -> Doc | None:
    """The ``OrderLines/OrderLine`` part of an Order template."""
    return _sub(_sub(order_template, "OrderLines"), "OrderLine")


def wants(line_tpl: Doc | None) -> bool:
    """Does an OrderLine template name ItemDetails?"""
    return _sub(line_tpl, "ItemDetails") is not None


def cache_tag(ctx: Ctx, order_template: Doc | None) -> str:
    """What a cached templated order render depends on beyond the order: for a template with ItemDetails, the
    catalogue's seed and revision (so a manageItem is never answered with the item as it was before)."""
    if not wants(line_template(order_template)):
        return ""
    return f".items.{ctx.settings.seed}.{records.revision(ctx, records.ITEMS)}"


def item_details(ctx: Ctx, order: Doc, line: Doc) -> Doc:
    given = line.get("Item")
    item: Doc = given if isinstance(given, dict) else {}
    item_id, uom = str(item.get("ItemID", "")), str(item.get("UnitOfMeasure", ""))
    found = items.lookup(ctx, item_id, uom, str(order.get("EnterpriseCode", ""))) if item_id else None
    if found is None:
        return {"ItemID": item_id, "UnitOfMeasure": uom}
    return items.detail_item(found)


def join_line(ctx: Ctx, order: Doc, line: Doc, line_tpl: Doc | None) -> Doc:
    """The line with ItemDetails when ``line_tpl`` names it (a copy; the input is left alone)."""
    if not wants(line_tpl):
        return line
    return {**line, "ItemDetails": item_details(ctx, order, line)}


def join_order(ctx: Ctx, order: Doc, view: Doc, order_template: Doc | None) -> Doc:
    """The order view with ItemDetails on each line when the Order template names it (a copy)."""
    line_tpl = line_template(order_template)
    wrapper = view.get("OrderLines")
    if not wants(line_tpl) or not isinstance(wrapper, dict):
        return view
    lines = [join_line(ctx, order, line, line_tpl) for line in as_list(wrapper.get("OrderLine"))]
    return {**view, "OrderLines": {**wrapper, "OrderLine": lines}}
