"""Order creation and reading: createOrder, getOrderDetails."""

from __future__ import annotations

from client.wire import Doc

from .. import audit, model, render
from ..context import Ctx, Output
from ..templates import apply_template
from .spec import ApiSpec


def create_order(ctx: Ctx, doc: Doc) -> Output:
    """createOrder: stores the order at 1100 Created (1000 with ``DraftOrderFlag="Y"``).

    Default output is exactly ``DocumentType, OrderNo, OrderHeaderKey, EnterpriseCode`` [OBS, two instances].
    Left out: pricing rules, payment processing, holds and dependencies; totals are computed from the
    input's unit prices, charges and taxes.
    """
    order = model.new_order(ctx, doc)
    model.save(ctx, order, insert=True)
    audit.record(ctx, None, order, ["CREATE"])
    if ctx.template is not None:
        full = render.full_order(order, ctx.settings, ctx.pipelines.get(order["DocumentType"]).descriptions)
        return Output("Order", apply_template("Order", full, ctx.template))
    keys = ("DocumentType", "OrderNo", "OrderHeaderKey", "EnterpriseCode")
    return Output("Order", {k: order[k] for k in keys}, meta={"id": order["OrderHeaderKey"]})


def get_order_details(ctx: Ctx, doc: Doc) -> Output:
    """getOrderDetails by OrderHeaderKey or EnterpriseCode + OrderNo + DocumentType.

    The default output has the shape of reference §8; header Notes, OrderDates, Extn and the audit columns
    come back only when a template names them.
    """
    key = model.resolve_key(ctx, doc)
    order = ctx.tx.get_order(ctx.ns, key) or {}
    descriptions = ctx.pipelines.get(order.get("DocumentType", "0001")).descriptions
    if ctx.template is None:
        return Output("Order", render.order_details(order, ctx.settings, descriptions), meta={"id": key})
    full = render.full_order(order, ctx.settings, descriptions)
    return Output("Order", apply_template("Order", full, ctx.template), meta={"id": key})


APIS = {
    "createOrder": ApiSpec(create_order, "Order", "Order", writes=True),
    "getOrderDetails": ApiSpec(get_order_details, "Order", "Order"),
}
