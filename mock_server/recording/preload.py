"""Preconditions loaded from the recording itself: an order the session reads but did not create (it existed
before the recording) is created in the fake from the real answer that shows it, then advanced to its status.

The recorded getOrderDetails answer is the snapshot step: its header (enterprise, document type, order number,
parties, dates, name), its addresses and its lines (prime line numbers, items, quantities, prices, nodes) become
a createOrder input; ``POST /_fake/orders/<key>/advance`` then moves it to the recorded ``MaxOrderStatus``.  What
the answer does not show (holds, payments, notes, the audit trail, partial statuses) is not rebuilt [INF].
"""

from __future__ import annotations

from typing import Any

from sterling_mock.client.wire import Doc, as_list, child

HEADER = (
    "EnterpriseCode",
    "DocumentType",
    "OrderNo",
    "SellerOrganizationCode",
    "BuyerOrganizationCode",
    "OrderDate",
    "OrderName",
    "OrderType",
    "EntryType",
    "CustomerEMailID",
    "CustomerPONo",
    "ReqDeliveryDate",
)
LINE = ("PrimeLineNo", "SubLineNo", "OrderedQty", "ShipNode", "DeliveryMethod", "LineType", "FulfillmentType")
ADDRESSES = ("PersonInfoShipTo", "PersonInfoBillTo", "PersonInfoContact")
CREATED = "1100"


def _strings(doc: Doc | None, names: tuple[str, ...] | None = None) -> Doc:
    if not isinstance(doc, dict):
        return {}
    keys = names if names is not None else tuple(doc)
    return {k: doc[k] for k in keys if isinstance(doc.get(k), str) and doc[k]}


def order_input(order: Doc) -> Doc:
    """A createOrder input that rebuilds the order a getOrderDetails answer shows."""
    doc = _strings(order, HEADER)
    for name in ADDRESSES:
        found = _strings(child(order, name))
        found.pop("PersonInfoKey", None)
        if found:
            doc[name] = found
    lines = []
    for line in as_list(
        (order.get("OrderLines") or {}).get("OrderLine")
        if isinstance(order.get("OrderLines"), dict)
        else None
    ):
        entry: dict[str, Any] = _strings(line, LINE)
        item = _strings(child(line, "Item"), ("ItemID", "UnitOfMeasure", "ProductClass", "ItemDesc"))
        if item:
            entry["Item"] = item
        price = _strings(child(line, "LinePriceInfo"), ("UnitPrice", "ListPrice", "RetailPrice"))
        if price:
            entry["LinePriceInfo"] = price
        lines.append(entry)
    if lines:
        doc["OrderLines"] = {"OrderLine": lines}
    return doc


def status_of(order: Doc) -> str:
    """The status to advance to (``MaxOrderStatus``), or "" when the order is merely created."""
    status = order.get("MaxOrderStatus")
    return status if isinstance(status, str) and status and status != CREATED else ""
