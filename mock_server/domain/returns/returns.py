"""Return orders: derived lines checked against what shipped, the sales order's lines moved along
(3700 Shipped -> 3700.01 Return Created -> 3700.02 Return Received)."""

from __future__ import annotations

import copy
from decimal import Decimal

from sterling_mock.client.wire import Doc
from sterling_mock.mock_server.base.errors import InvalidOrder, InvalidOrderLine, ReturnExceedsShipped
from sterling_mock.mock_server.domain import statuses
from sterling_mock.mock_server.domain.context import Ctx
from sterling_mock.mock_server.domain.fulfilment import lifecycle
from sterling_mock.mock_server.domain.orders import audit, model

RETURN = "0003"
SHIPPED = "3700"
RETURN_CREATED = "3700.01"
RETURN_RECEIVED = "3700.02"
ZERO = Decimal(0)


def is_return(order: Doc) -> bool:
    return str(order.get("DocumentType", "")) == RETURN


def derived_lines(order: Doc) -> list[Doc]:
    return [line for line in model.lines_of(order) if model.present(line, "DerivedFromOrderLineKey") or
            model.present(line, "DerivedFromOrderHeaderKey")]  # fmt: skip


def _sales_order(ctx: Ctx, key: str, cache: dict[str, tuple[Doc, Doc]]) -> Doc:
    if key not in cache:
        found = ctx.tx.get_order(ctx.ns, key)
        if found is None:
            raise InvalidOrder(
                f"DerivedFromOrderHeaderKey {key}: no such order.",
                attributes={"DerivedFromOrderHeaderKey": key},
            )
        cache[key] = (found, copy.deepcopy(found))
    return cache[key][0]


def _sales_line(sales: Doc, line: Doc) -> Doc:
    named = {
        "OrderLineKey": model.present(line, "DerivedFromOrderLineKey") or "",
        "PrimeLineNo": model.present(line, "DerivedFromPrimeLineNo") or "",
        "SubLineNo": model.present(line, "DerivedFromSubLineNo") or "",
    }
    found = model.line_named(sales, {k: v for k, v in named.items() if v})
    if found is None:
        raise InvalidOrderLine(
            f"Order {sales.get('OrderNo')} has no line {named['OrderLineKey'] or named['PrimeLineNo']} to return.",
            attributes={"DerivedFromOrderLineKey": named["OrderLineKey"], "OrderHeaderKey": str(sales["OrderHeaderKey"])},
        )  # fmt: skip
    return found


def create_return(ctx: Ctx, order: Doc) -> dict[str, tuple[Doc, Doc]]:
    """For a return order being created: check each derived line against its sales line (only shipped, not
    yet returned quantity, MOCK0730) and move that quantity of the sales line to 3700.01 Return Created.
    Returns the sales orders changed (key -> (order, before)); the caller saves them."""
    if not is_return(order):
        return {}
    lines = derived_lines(order)
    if not lines:
        return {}
    ctx.tx.conn  # noqa: B018  (touches other orders: never on the prepared fast path)
    header = model.present(order, "DerivedFromOrderHeaderKey")
    sales_orders: dict[str, tuple[Doc, Doc]] = {}
    for line in lines:
        key = model.present(line, "DerivedFromOrderHeaderKey") or header
        if key is None:
            raise InvalidOrderLine(
                f"Return line {line.get('PrimeLineNo')} names no DerivedFromOrderHeaderKey.",
                attributes={"PrimeLineNo": str(line.get("PrimeLineNo", ""))},
            )
        sales = _sales_order(ctx, key, sales_orders)
        sales_line = _sales_line(sales, line)
        line.update(DerivedFromOrderHeaderKey=key, DerivedFromOrderLineKey=str(sales_line["OrderLineKey"]))
        _inherit(line, sales_line)
        rows = [r for r in model.line_rows(sales_line) if r.get("Status") == SHIPPED]
        shipped = lifecycle.total(rows)
        wanted = Decimal(str(line["OrderedQty"]))
        if wanted > shipped:
            raise ReturnExceedsShipped(
                f"Line {sales_line.get('PrimeLineNo')} of order {sales.get('OrderNo')}: {model.qty_text(wanted)} "
                f"to return, {model.qty_text(shipped)} shipped and not yet returned.",
                attributes={"DerivedFromOrderLineKey": str(sales_line["OrderLineKey"]),
                            "ReturnQty": model.qty_text(wanted), "ReturnableQty": model.qty_text(shipped)},
            )  # fmt: skip
        lifecycle.take(ctx, sales_line, rows, wanted, RETURN_CREATED)
        model.touch(ctx, sales_line)
    return sales_orders


def _inherit(line: Doc, sales_line: Doc) -> None:
    """A return line without its own item or price takes the sales line's [INF: as Sterling copies them]."""
    item = line.setdefault("Item", {})
    if not model.present(item, "ItemID"):
        item.update({k: v for k, v in (sales_line.get("Item") or {}).items() if isinstance(v, str)})
    price = line.setdefault("LinePriceInfo", {})
    if not model.present(price, "UnitPrice"):
        price["UnitPrice"] = str((sales_line.get("LinePriceInfo") or {}).get("UnitPrice") or "0")


def received(
    ctx: Ctx, return_line: Doc, quantity: Decimal, sales_orders: dict[str, tuple[Doc, Doc]]
) -> Doc | None:
    """Move ``quantity`` of the sales line behind ``return_line`` from Return Created to Return Received;
    the sales order (loaded into ``sales_orders``), or None when the line derives from none."""
    key = model.present(return_line, "DerivedFromOrderHeaderKey")
    if key is None:
        return None
    sales = _sales_order(ctx, key, sales_orders)
    sales_line = _sales_line(sales, return_line)
    rows = [r for r in model.line_rows(sales_line) if r.get("Status") == RETURN_CREATED]
    lifecycle.take(ctx, sales_line, rows, min(quantity, lifecycle.total(rows)), RETURN_RECEIVED)
    model.touch(ctx, sales_line)
    return sales


def save_sales(ctx: Ctx, sales_orders: dict[str, tuple[Doc, Doc]], change: str) -> None:
    for order, before in sales_orders.values():
        model.touch(ctx, order)
        model.save(ctx, order, insert=False)
        audit.record(ctx, before, order, [change])


def sort_key(code: str) -> str:
    return statuses.sort_key(code)
