"""APIs of the returns family: startReceipt, receiveOrder, closeReceipt and getReceiptList.  Return orders
themselves are created with createOrder (DocumentType 0003, lines with DerivedFromOrderHeaderKey and
DerivedFromOrderLineKey; ``domain/returns``)."""

from __future__ import annotations

from sterling_mock.client.wire import Doc
from sterling_mock.mock_server.apis import listing
from sterling_mock.mock_server.apis.spec import ApiSpec
from sterling_mock.mock_server.domain.context import Ctx, Output
from sterling_mock.mock_server.domain.orders import render
from sterling_mock.mock_server.domain.queries.templates import apply_template
from sterling_mock.mock_server.domain.returns import receipts
from sterling_mock.mock_server.store.schema import aftercare

HEADER = ("ReceiptHeaderKey", "ReceiptNo", "ShipmentKey", "Status", "ReceivingNode")
RECEIPT_FIELDS = {
    "ReceiptHeaderKey": "text",
    "ReceiptNo": "text",
    "ReceivingNode": "text",
    "Status": "text",
    "OpenReceiptFlag": "text",
    "DocumentType": "text",
    "EnterpriseCode": "text",
    "OrderHeaderKey": "text",
    "OrderNo": "text",
    "ShipmentKey": "text",
    "ReceiptDate": "datetime",
}


def _view(ctx: Ctx, receipt: Doc) -> Doc:
    out = dict(receipt)
    lines = [dict(line, Quantity=render.qty(str(line.get("Quantity", "0")), ctx.settings))
             for line in receipt.get("ReceiptLines", {}).get("ReceiptLine", [])]  # fmt: skip
    out["ReceiptLines"] = {"ReceiptLine": lines} if lines else {}
    return out


def _answer(ctx: Ctx, receipt: Doc, full: bool) -> Output:
    if ctx.template is not None:
        return Output("Receipt", apply_template("Receipt", _view(ctx, receipt), ctx.template))
    out = _view(ctx, receipt) if full else {k: str(receipt.get(k, "")) for k in HEADER}
    return Output("Receipt", out, meta={"id": str(receipt["ReceiptHeaderKey"])})


def start_receipt(ctx: Ctx, doc: Doc) -> Output:
    """startReceipt: ``Receipt@DocumentType,ReceiptNo,ReceivingNode,ReceiptDate`` with
    ``Shipment@DocumentType,EnterpriseCode,OrderNo`` (or ``OrderHeaderKey`` on either) naming a return order
    (DocumentType 0003, else MOCK0101; unknown order YFS10003).  Opens a receipt (Status 1100 Receipt Open
    [INF]); ReceiptNo is generated when absent.  Output [OBS client]: ``Receipt@ReceiptHeaderKey,ReceiptNo,
    ShipmentKey,Status,ReceivingNode``; ShipmentKey names no stored inbound shipment (the fake keeps none)."""
    return _answer(ctx, receipts.start(ctx, doc), full=False)


def receive_order(ctx: Ctx, doc: Doc) -> Output:
    """receiveOrder: ``Receipt@ReceiptHeaderKey`` (or ReceiptNo) with ``ReceiptLines/ReceiptLine@OrderLineKey
    (or PrimeLineNo, SubLineNo),Quantity,DispositionCode`` (ItemID, UnitOfMeasure, ProductClass are read from
    the line).  The return lines' quantity moves to 3900 Received, their sales lines' from 3700.01 Return
    Created to 3700.02 Return Received; a RETURN invoice is written on the return order and the amount is
    credited to the payment methods the sales order was charged to (a CHARGE ChargeTransactionDetail with a
    negative RequestAmount and its CreditAmount; TotalCredits) [INF: refund at receipt, no refund
    agent].  Refused with nothing changed: a closed receipt (MOCK0732), an unknown receipt (MOCK0731), more
    than the return line still expects (MOCK0733), an unknown line (MOCK0310).  Output [INF]: the receipt
    with its lines.  Left out: inspections, serials, putaway, exchanges."""
    return _answer(ctx, receipts.receive(ctx, doc), full=True)


def close_receipt(ctx: Ctx, doc: Doc) -> Output:
    """closeReceipt: ``Receipt@ReceiptHeaderKey`` (or ReceiptNo): the receipt closes (Status 1200 Receipt
    Closed, OpenReceiptFlag N [INF]) and the quantity it received moves to 3950 Receipt Closed.  A closed
    receipt is MOCK0732.  Output [INF]: the receipt header."""
    return _answer(ctx, receipts.close(ctx, doc), full=False)


def get_receipt_list(ctx: Ctx, doc: Doc) -> Output:
    """getReceiptList: ``ReceiptList`` of ``Receipt`` (header attributes and ``ReceiptLines/ReceiptLine``),
    filtered on the header attributes [INF: root and paging attributes as reference §14's list roots]."""
    views = [_view(ctx, r) for r in aftercare.of_kind(ctx.tx, ctx.ns, receipts.KIND)]
    return listing.answer(ctx, doc, RECEIPT_FIELDS, "Receipt", "ReceiptHeaderKey", views)


APIS = {
    "startReceipt": ApiSpec(start_receipt, "Receipt", "Receipt", writes=True),
    "receiveOrder": ApiSpec(receive_order, "Receipt", "Receipt", writes=True),
    "closeReceipt": ApiSpec(close_receipt, "Receipt", "Receipt", writes=True),
    "getReceiptList": ApiSpec(get_receipt_list, "Receipt", "ReceiptList"),
}
