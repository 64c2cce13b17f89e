"""Order creation, reading and deletion: createOrder, getOrderDetails, deleteOrder."""

from __future__ import annotations

from sterling_mock.client.wire import Doc
from sterling_mock.mock_server.apis.spec import ApiSpec
from sterling_mock.mock_server.base.errors import ChangeNotAllowed, InvalidValue
from sterling_mock.mock_server.domain import intake, statuses
from sterling_mock.mock_server.domain.catalog import enrich
from sterling_mock.mock_server.domain.context import Ctx, Output
from sterling_mock.mock_server.domain.orders import audit, cache, model, render, shapes
from sterling_mock.mock_server.domain.queries.templates import apply_template


def create_order(ctx: Ctx, doc: Doc) -> Output:
    """createOrder: stores the order at 1100 Created (1000 with ``DraftOrderFlag="Y"``).

    Default output is exactly ``DocumentType, OrderNo, OrderHeaderKey, EnterpriseCode`` [OBS, two instances].
    ``OrderHoldTypes/OrderHoldType`` on the order or its lines put holds at 1100 (``intake``, reference
    §14; IBM's connector form ``"OrderHoldTypes": [{"OrderHoldType": {..}}]`` is read too); payment methods
    get their display numbers, charge sequence and limits.  Left out: pricing rules, payment processing
    (processOrderPayments does it) and dependencies; totals are computed from the input's unit prices,
    charges and taxes.
    """
    order = model.new_order(ctx, doc)
    holds_changed = intake.before_save(ctx, order, doc, creating=True)
    model.save(ctx, order, insert=True)
    intake.after_save(ctx, order, holds_changed)
    audit.record(ctx, None, order, ["CREATE", *(["HOLD"] if holds_changed else [])])
    if ctx.template is not None:
        full = render.full_order(order, ctx.settings, ctx.pipelines.get(order["DocumentType"]).descriptions)
        return Output("Order", apply_template("Order", full, ctx.template))
    keys = ("DocumentType", "OrderNo", "OrderHeaderKey", "EnterpriseCode")
    return Output("Order", {k: order[k] for k in keys}, meta={"id": order["OrderHeaderKey"]})


def get_order_details(ctx: Ctx, doc: Doc) -> Output:
    """getOrderDetails by OrderHeaderKey or EnterpriseCode + OrderNo + DocumentType.

    The default output has the shape of reference §8; header Notes, OrderDates, Extn and the audit columns
    come back only when a template names them.  The default body is served from the render cache
    (``cache.py``) while the order is unchanged.
    """
    key = model.resolve_key(ctx, doc)
    if ctx.template is None:
        bodies = cache.order_details(ctx, key)
        if bodies is not None:
            packed = bodies.pop("journal", None)
            return Output("Order", prerendered=bodies, meta={"id": key}, journal=packed)
    order = ctx.tx.get_order(ctx.ns, key) or {}
    descriptions = ctx.pipelines.get(order.get("DocumentType", "0001")).descriptions
    if ctx.template is None:
        details = shapes.rendering("Order", key, order, render.order_details, ctx.settings, descriptions)
        return Output("Order", details, meta={"id": key})
    full = shapes.rendering("Order", key, order, render.full_order, ctx.settings, descriptions)
    full = enrich.join_order(ctx, order, full, ctx.template)  # OrderLine/ItemDetails when the template asks
    return Output("Order", apply_template("Order", full, ctx.template), meta={"id": key})


def cached_order_details(ctx: Ctx, doc: Doc) -> Output | None:
    """getOrderDetails by OrderHeaderKey from the render cache alone (one statement), or None.  A cached body
    is the order's: its rows go with every write of the order, so no look-up of the key is needed first."""
    given = model.present(doc, "OrderHeaderKey")
    if ctx.template is not None or given is None:
        return None
    bodies = cache.cached_details(ctx, given)
    if bodies is None:
        return None
    packed = bodies.pop("journal", None)
    return Output("Order", prerendered=bodies, meta={"id": given}, journal=packed)


#: Statuses from which deleteOrder may remove an order: nothing scheduled, released or shipped yet.
DELETABLE = frozenset({statuses.DRAFT, statuses.CREATED, statuses.CANCELLED})


def delete_order(ctx: Ctx, doc: Doc) -> Output:
    """deleteOrder: removes an order (by key or natural key) with its lines and audits.

    ``Action``, when given, must be ``DELETE``.  Allowed only while every quantity is Draft, Created or
    Cancelled [INF: real instances decide by the pipeline's "Delete" modification rule; nothing that has been
    scheduled, released or shipped is deletable here]; otherwise MOCK0201 and nothing changes.  Output: the
    order's ``DocumentType, OrderNo, OrderHeaderKey, EnterpriseCode`` as createOrder answers [INF].
    """
    action = model.present(doc, "Action")
    if action is not None and action.upper() != "DELETE":
        raise InvalidValue(
            'deleteOrder takes Action="DELETE".', attributes={"Name": "Action", "Value": action}
        )
    order = model.load(ctx, doc)
    held = {str(row.get("Status")) for line in model.lines_of(order) for row in model.line_rows(line)}
    if not held <= DELETABLE:
        raise ChangeNotAllowed(
            f"Order {order['OrderNo']} has quantity in {', '.join(sorted(held - DELETABLE))}; "
            "only Draft, Created or Cancelled orders can be deleted.",
            attributes={
                "OrderHeaderKey": order["OrderHeaderKey"],
                "Status": str(order.get("MaxOrderStatus")),
            },
        )
    ctx.tx.delete_order(ctx.ns, order["OrderHeaderKey"])
    keys = ("DocumentType", "OrderNo", "OrderHeaderKey", "EnterpriseCode")
    return Output("Order", {k: order[k] for k in keys}, meta={"id": order["OrderHeaderKey"]})


APIS = {
    "createOrder": ApiSpec(create_order, "Order", "Order", writes=True, prepared=True),
    "getOrderDetails": ApiSpec(get_order_details, "Order", "Order", fast=cached_order_details),
    "deleteOrder": ApiSpec(delete_order, "Order", "Order", writes=True),
}
