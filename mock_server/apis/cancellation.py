"""cancelOrder: the whole order, or quantities by line, cancelled with a modification reason through
changeOrder's cancellation rules (reference §14)."""

from __future__ import annotations

from decimal import Decimal

from sterling_mock.client.wire import Doc, as_list, child
from sterling_mock.mock_server.apis import changes
from sterling_mock.mock_server.apis.spec import ApiSpec
from sterling_mock.mock_server.base.errors import ChangeNotAllowed, InvalidValue, MandatoryMissing
from sterling_mock.mock_server.domain.context import Ctx, Output
from sterling_mock.mock_server.domain.fulfilment import lifecycle
from sterling_mock.mock_server.domain.orders import model, render
from sterling_mock.mock_server.domain.queries.query import present
from sterling_mock.mock_server.domain.queries.templates import apply_template

KEYS = ("OrderHeaderKey", "EnterpriseCode", "OrderNo", "DocumentType")
REASONS = ("ModificationReasonCode", "ModificationReasonText")


def _line_change(order: Doc, given: Doc) -> Doc:
    line = lifecycle.find_line(order, given)
    name = {"OrderLineKey": str(line["OrderLineKey"])}
    if present(given, "Action") == "CANCEL":
        return {**name, "Action": "CANCEL"}
    if present(given, "QuantityToCancel") is not None:
        cancel = model.decimal_of(given, "QuantityToCancel", minimum=Decimal(0))
        if cancel > Decimal(str(line["OrderedQty"])):
            raise ChangeNotAllowed(
                f"Line {line['PrimeLineNo']}: QuantityToCancel {model.qty_text(cancel)} is more than its "
                f"ordered quantity {line['OrderedQty']}.",
                attributes={
                    "OrderLineKey": str(line["OrderLineKey"]),
                    "QuantityToCancel": model.qty_text(cancel),
                },
            )
        return {**name, "OrderedQty": model.qty_text(Decimal(str(line["OrderedQty"])) - cancel)}
    if present(given, "OrderedQty") is not None:
        wanted = model.decimal_of(given, "OrderedQty", minimum=Decimal(0))
        if wanted > Decimal(str(line["OrderedQty"])):
            raise InvalidValue(
                f"cancelOrder cannot raise line {line['PrimeLineNo']}'s OrderedQty.",
                attributes={"Name": "OrderedQty", "Value": str(given["OrderedQty"])},
            )
        return {**name, "OrderedQty": model.qty_text(wanted)}
    raise MandatoryMissing(
        f'Line {line["PrimeLineNo"]}: give QuantityToCancel, OrderedQty or Action="CANCEL".',
        attributes={"Name": "QuantityToCancel", "OrderLineKey": str(line["OrderLineKey"])},
    )


def cancel_order(ctx: Ctx, doc: Doc) -> Output:
    """cancelOrder by OrderHeaderKey or natural key, with ``ModificationReasonCode``/``ModificationReasonText``
    (stored on the audit).  Without ``OrderLines`` all open quantity is cancelled; with them, each line names
    itself (OrderLineKey or PrimeLineNo/SubLineNo) and gives ``QuantityToCancel``, the new lower
    ``OrderedQty``, or ``Action="CANCEL"`` (the whole line) [INF: line inputs as changeOrder's].

    The rules are changeOrder's (same code): nothing cancels once on a shipment or shipped, a cancelled order
    cannot change, asking for more than the open quantity is MOCK0201 and changes nothing.  Default output
    [OBS client]: ``Order@OrderNo,DocumentType,EnterpriseCode`` with ``OrderLines/OrderLine@OrderHeaderKey,
    OrderedQty,StopDeliveryQty`` for the lines named (all lines for a whole-order cancel); StopDeliveryQty is
    always 0 (no delivery stops in the fake).  A template selects from the full order.
    """
    order = model.load(ctx, doc)
    change: Doc = {"OrderHeaderKey": order["OrderHeaderKey"]}
    change.update({name: doc[name] for name in REASONS if present(doc, name)})
    wrapper = child(doc, "OrderLines")
    given = as_list(wrapper.get("OrderLine") if wrapper else None)
    if given:
        change["OrderLines"] = {"OrderLine": [_line_change(order, entry) for entry in given]}
    else:
        change["Action"] = "CANCEL"
    saved = ctx.template
    ctx.template = None
    try:
        changes.change_order(ctx, change)
    finally:
        ctx.template = saved
    after = model.load(ctx, {"OrderHeaderKey": order["OrderHeaderKey"]})
    if ctx.template is not None:
        full = render.full_order(after, ctx.settings, ctx.pipelines.get(after["DocumentType"]).descriptions)
        return Output(
            "Order", apply_template("Order", full, ctx.template), meta={"id": after["OrderHeaderKey"]}
        )
    named = {ln["OrderLineKey"] for ln in change.get("OrderLines", {}).get("OrderLine", [])}
    lines = [ln for ln in model.lines_of(after) if not named or ln["OrderLineKey"] in named]
    out: Doc = {k: str(after[k]) for k in ("OrderNo", "DocumentType", "EnterpriseCode")}
    out["OrderLines"] = {
        "OrderLine": [
            {
                "OrderHeaderKey": str(after["OrderHeaderKey"]),
                "OrderedQty": render.qty(str(ln["OrderedQty"]), ctx.settings),
                "StopDeliveryQty": render.qty("0", ctx.settings),
            }
            for ln in lines
        ]
    }
    return Output("Order", out, meta={"id": str(after["OrderHeaderKey"])})


APIS = {
    "cancelOrder": ApiSpec(cancel_order, "Order", "Order", writes=True),
}
