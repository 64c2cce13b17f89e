"""Receipts against return orders: start, receive (lines with disposition; the return's quantity -> 3900
Received, the sales lines -> 3700.02, the refund), close (-> 3950 Receipt Closed)."""

from __future__ import annotations

import copy
from decimal import Decimal

from sterling_mock.client.wire import Doc, as_list, child
from sterling_mock.mock_server.base.errors import (
    InvalidReceipt,
    InvalidValue,
    MandatoryMissing,
    ReceiptClosed,
    ReceiptExceedsReturn,
)
from sterling_mock.mock_server.domain import clock, statuses
from sterling_mock.mock_server.domain.context import Ctx
from sterling_mock.mock_server.domain.fulfilment import lifecycle
from sterling_mock.mock_server.domain.invoices import invoices
from sterling_mock.mock_server.domain.orders import audit, model
from sterling_mock.mock_server.domain.payments import charges
from sterling_mock.mock_server.domain.returns import returns
from sterling_mock.mock_server.store.schema import aftercare

KIND = "receipt"
OPEN = "1100"
CLOSED = "1200"
DESCRIPTIONS = {OPEN: "Receipt Open", CLOSED: "Receipt Closed"}
RECEIVED = "3900"
RECEIPT_CLOSED = "3950"


def _order_of(ctx: Ctx, doc: Doc) -> Doc:
    shipment = child(doc, "Shipment") or {}
    named = {**shipment, **{k: v for k, v in doc.items() if k == "OrderHeaderKey" and v}}
    named.setdefault("DocumentType", returns.RETURN)
    order = model.load(ctx, named)
    if not returns.is_return(order):
        raise InvalidValue(
            f"Order {order['OrderNo']} is not a return order (DocumentType {order['DocumentType']}).",
            attributes={"Name": "DocumentType", "Value": str(order["DocumentType"])},
        )
    return order


def start(ctx: Ctx, doc: Doc) -> Doc:
    order = _order_of(ctx, doc)
    stamp = ctx.stamp()
    date = model.present(doc, "ReceiptDate")
    receipt: Doc = {
        "ReceiptHeaderKey": ctx.new_key(),
        "ReceiptNo": model.present(doc, "ReceiptNo") or ctx.sequence_text("receipt_no", 100000001, "{:d}"),
        "ShipmentKey": ctx.new_key(),
        "Status": OPEN,
        "StatusDescription": DESCRIPTIONS[OPEN],
        "OpenReceiptFlag": "Y",
        "ReceivingNode": model.present(doc, "ReceivingNode") or "",
        "ReceiptDate": clock.normalise_datetime(date, attribute="ReceiptDate") if date else stamp,
        "DocumentType": str(order["DocumentType"]),
        "EnterpriseCode": str(order["EnterpriseCode"]),
        "OrderHeaderKey": str(order["OrderHeaderKey"]),
        "OrderNo": str(order["OrderNo"]),
        "Createts": stamp,
        "Modifyts": stamp,
        "Createuserid": ctx.user,
        "Modifyuserid": ctx.user,
        "ReceiptLines": {"ReceiptLine": []},
    }
    save(ctx, receipt)
    return receipt


def save(ctx: Ctx, receipt: Doc) -> None:
    aftercare.put(ctx.tx, ctx.ns, KIND, str(receipt["ReceiptHeaderKey"]), str(receipt["OrderHeaderKey"]),
                  str(receipt["Status"]), str(receipt["ReceiptNo"]), receipt)  # fmt: skip


def find(ctx: Ctx, doc: Doc, *, open_only: bool) -> Doc:
    key = model.present(doc, "ReceiptHeaderKey")
    number = model.present(doc, "ReceiptNo")
    if key is None and number is None:
        raise MandatoryMissing("Give ReceiptHeaderKey or ReceiptNo.", attributes={"Name": "ReceiptHeaderKey"})
    found = (
        aftercare.get(ctx.tx, ctx.ns, KIND, key)
        if key
        else aftercare.by_ref(ctx.tx, ctx.ns, KIND, str(number))
    )
    if found is None:
        raise InvalidReceipt(
            f"No receipt {key or number}.",
            attributes={"ReceiptHeaderKey": key or "", "ReceiptNo": number or ""},
        )
    if open_only and found["Status"] != OPEN:
        raise ReceiptClosed(
            f"Receipt {found['ReceiptNo']} is closed.",
            attributes={"ReceiptHeaderKey": str(found["ReceiptHeaderKey"]), "Status": str(found["Status"])},
        )
    return found


def _receivable(line: Doc) -> list[Doc]:
    goal = statuses.sort_key(RECEIVED)
    return [r for r in model.line_rows(line) if r.get("Status") != statuses.CANCELLED
            and statuses.sort_key(str(r["Status"])) < goal and lifecycle.qty(r) > 0]  # fmt: skip


def receive(ctx: Ctx, doc: Doc) -> Doc:
    """Receive the lines of ``doc`` against an open receipt; every check before any change."""
    receipt = find(ctx, doc, open_only=True)
    order = model.load(ctx, {"OrderHeaderKey": receipt["OrderHeaderKey"]})
    before = copy.deepcopy(order)
    entries = as_list((child(doc, "ReceiptLines") or {}).get("ReceiptLine"))
    if not entries:
        raise MandatoryMissing(
            "receiveOrder needs ReceiptLines/ReceiptLine.", attributes={"Name": "ReceiptLine"}
        )
    picks: list[tuple[Doc, Decimal, Doc]] = []
    for entry in entries:
        line = lifecycle.find_line(order, entry)
        quantity = model.decimal_of(entry, "Quantity", minimum=Decimal(0))
        rows = _receivable(line)
        expected = lifecycle.total(rows)
        if quantity <= 0 or quantity > expected:
            raise ReceiptExceedsReturn(
                f"Return line {line['PrimeLineNo']}: {model.qty_text(quantity)} received, "
                f"{model.qty_text(expected)} expected.",
                attributes={"OrderLineKey": str(line["OrderLineKey"]), "Quantity": model.qty_text(quantity),
                            "ExpectedQty": model.qty_text(expected)},
            )  # fmt: skip
        lifecycle.take(ctx, line, rows, quantity, RECEIVED)
        model.touch(ctx, line)
        picks.append((line, quantity, entry))
    sales_orders: dict[str, tuple[Doc, Doc]] = {}
    lines = as_list(receipt["ReceiptLines"].get("ReceiptLine"))
    for line, quantity, entry in picks:
        returns.received(ctx, line, quantity, sales_orders)
        item = line.get("Item") or {}
        lines.append({
            "ReceiptLineKey": ctx.new_key(), "ReceiptLineNo": str(len(lines) + 1),
            "OrderLineKey": str(line["OrderLineKey"]), "PrimeLineNo": str(line["PrimeLineNo"]),
            "SubLineNo": str(line["SubLineNo"]), "ItemID": str(item.get("ItemID", "")),
            "UnitOfMeasure": str(item.get("UnitOfMeasure", "")), "ProductClass": str(item.get("ProductClass", "")),
            "Quantity": model.qty_text(quantity), "DispositionCode": model.present(entry, "DispositionCode") or "",
            "ReceivingNode": str(receipt["ReceivingNode"]),
        })  # fmt: skip
    receipt["ReceiptLines"] = {"ReceiptLine": lines}
    receipt.update(Modifyts=ctx.stamp(), Modifyuserid=ctx.user)
    _refund(ctx, order, [(line, quantity) for line, quantity, _ in picks], sales_orders)
    _save_return(ctx, order, before, "RECEIPT")
    returns.save_sales(ctx, sales_orders, "RETURN")
    save(ctx, receipt)
    return receipt


def _refund(
    ctx: Ctx, order: Doc, picks: list[tuple[Doc, Decimal]], sales_orders: dict[str, tuple[Doc, Doc]]
) -> None:
    """A RETURN invoice on the return order for what was received, and a credit back to the payment methods
    the sales order was charged to (CHARGE with a negative request: CreditAmount)."""
    by_sales: dict[str, list[tuple[Doc, Decimal]]] = {}
    for line, quantity in picks:
        by_sales.setdefault(str(line.get("DerivedFromOrderHeaderKey") or ""), []).append((line, quantity))
    for sales_key, group in by_sales.items():
        invoice = invoices.build(ctx, order, group, "RETURN")
        sales = sales_orders.get(sales_key)
        if sales is not None:
            charges.refund(ctx, sales[0], Decimal(invoice["TotalAmount"]), str(invoice["OrderInvoiceKey"]))
            charges.write_totals(sales[0])


def _save_return(ctx: Ctx, order: Doc, before: Doc, change: str) -> None:
    model.touch(ctx, order)
    model.save(ctx, order, insert=False)
    audit.record(ctx, before, order, [change])


def close(ctx: Ctx, doc: Doc) -> Doc:
    """Close an open receipt: what it received moves on to 3950 Receipt Closed."""
    receipt = find(ctx, doc, open_only=True)
    order = model.load(ctx, {"OrderHeaderKey": receipt["OrderHeaderKey"]})
    before = copy.deepcopy(order)
    received = {str(r["OrderLineKey"]) for r in as_list(receipt["ReceiptLines"].get("ReceiptLine"))}
    touched = False
    for line in model.lines_of(order):
        rows = [r for r in model.line_rows(line) if r.get("Status") == RECEIVED]
        if str(line["OrderLineKey"]) in received and rows:
            lifecycle.take(ctx, line, rows, lifecycle.total(rows), RECEIPT_CLOSED)
            model.touch(ctx, line)
            touched = True
    if touched:
        _save_return(ctx, order, before, "RECEIPT")
    receipt.update(Status=CLOSED, StatusDescription=DESCRIPTIONS[CLOSED], OpenReceiptFlag="N",
                   Modifyts=ctx.stamp(), Modifyuserid=ctx.user)  # fmt: skip
    save(ctx, receipt)
    return receipt
