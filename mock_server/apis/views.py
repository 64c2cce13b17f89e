"""Order views that join: getCompleteOrderDetails, getOrderLineDetails, getShipmentLineList (reference §14).
``OrderLine/ItemDetails`` joins the item master when a template asks (``domain/catalog/enrich.py``)."""

from __future__ import annotations

from typing import Any

from sterling_mock.client.wire import Doc, as_list
from sterling_mock.mock_server.apis.fulfilment import list_doc
from sterling_mock.mock_server.apis.lists import line_item
from sterling_mock.mock_server.apis.shipments import candidate_shipments
from sterling_mock.mock_server.apis.spec import ApiSpec
from sterling_mock.mock_server.base.errors import InvalidOrderLine, MandatoryMissing
from sterling_mock.mock_server.domain.catalog import enrich
from sterling_mock.mock_server.domain.context import Ctx, Output
from sterling_mock.mock_server.domain.orders import model, render
from sterling_mock.mock_server.domain.queries.query import compile_query, present
from sterling_mock.mock_server.domain.queries.templates import apply_template
from sterling_mock.mock_server.store.schema import lifecycle as sql

SHIPMENT_LINE_FIELDS = {
    "ShipmentLineKey": "text",
    "ShipmentKey": "text",
    "ShipmentNo": "text",
    "ShipNode": "text",
    "OrderHeaderKey": "text",
    "OrderLineKey": "text",
    "OrderNo": "text",
    "ItemID": "text",
    "PrimeLineNo": "number",
    "SubLineNo": "number",
    "Quantity": "number",
    "ReleaseNo": "text",
    "Status": "status",
}
HEADER_ATTRS = ("ShipmentKey", "ShipmentNo", "ShipNode", "SellerOrganizationCode", "EnterpriseCode", "Status")


def get_complete_order_details(ctx: Ctx, doc: Doc) -> Output:
    """getCompleteOrderDetails by OrderHeaderKey or EnterpriseCode + OrderNo + DocumentType.

    Without a template the answer is deliberately tiny, as documented: ``Order@EnterpriseCode, OrderHeaderKey,
    DocumentType, OrderNo`` with ``OrderLines/OrderLine@PrimeLineNo, SubLineNo, OrderLineKey/Item@ItemID,
    UnitOfMeasure`` [DOC].  A template selects from everything getOrderDetails can answer (lines, statuses,
    addresses, notes, dates, Extn, audit columns) plus ``OrderLine/ItemDetails`` (the item master) [INF].
    Left out: the releases, shipments and invoices real instances can join in.
    """
    order = model.load(ctx, doc)
    if ctx.template is None:
        lines = []
        for line in as_list((order.get("OrderLines") or {}).get("OrderLine")):
            item = line.get("Item") if isinstance(line.get("Item"), dict) else {}
            lines.append(
                {
                    **render.fixed(line, ("OrderLineKey", "PrimeLineNo", "SubLineNo")),
                    "Item": render.fixed(item, ("ItemID", "UnitOfMeasure")),
                }
            )
        head = render.fixed(order, ("EnterpriseCode", "OrderHeaderKey", "DocumentType", "OrderNo"))
        out = {**head, "OrderLines": {"OrderLine": lines} if lines else {}}
        return Output("Order", out, meta={"id": order["OrderHeaderKey"]})
    descriptions = ctx.pipelines.get(str(order.get("DocumentType", "0001"))).descriptions
    full = enrich.join_order(ctx, order, render.full_order(order, ctx.settings, descriptions), ctx.template)
    return Output("Order", apply_template("Order", full, ctx.template), meta={"id": order["OrderHeaderKey"]})


def get_order_line_details(ctx: Ctx, doc: Doc) -> Output:
    """getOrderLineDetails (``OrderLineDetail@OrderLineKey``, or OrderHeaderKey / EnterpriseCode + OrderNo +
    DocumentType with PrimeLineNo + SubLineNo): the line as getOrderLineList answers it, with an embedded
    ``Order`` (the header's keys and statuses) and ``Item`` [DOC].  A template selects from the whole line
    and header, and may ask for ``ItemDetails``.  An unknown line is MOCK0310 [INF]."""
    olk = present(doc, "OrderLineKey")
    if olk is not None:
        ohk = sql.order_of_line(ctx.tx, ctx.ns, olk)
        if ohk is None:
            raise InvalidOrderLine(
                f"No order line with OrderLineKey {olk}.", attributes={"OrderLineKey": olk}
            )
        order = model.load(ctx, {"OrderHeaderKey": ohk})
        wanted: dict[str, Any] = {"OrderLineKey": olk}
    else:
        if present(doc, "PrimeLineNo") is None:
            raise MandatoryMissing(
                "getOrderLineDetails needs OrderLineKey, or the order with PrimeLineNo and SubLineNo.",
                attributes={"Name": "OrderLineKey"},
            )
        order = model.load(ctx, doc)
        wanted = {"PrimeLineNo": str(doc["PrimeLineNo"]), "SubLineNo": present(doc, "SubLineNo") or "1"}
    for line in as_list((order.get("OrderLines") or {}).get("OrderLine")):
        if all(str(line.get(k, "")) == v for k, v in wanted.items()):
            return Output("OrderLine", line_item(ctx, order, line, ctx.template))
    raise InvalidOrderLine(
        f"Order {order['OrderNo']} has no line {wanted}.",
        attributes={"OrderHeaderKey": str(order["OrderHeaderKey"]), **wanted},
    )


def get_shipment_line_list(ctx: Ctx, doc: Doc) -> Output:
    """getShipmentLineList: ``ShipmentLines TotalNumberOfRecords`` with each shipment line matching the input
    ``ShipmentLine`` (ShipmentKey, ShipmentLineKey, OrderHeaderKey, OrderLineKey, OrderNo, ItemID, PrimeLineNo,
    the shipment's ShipmentNo, ShipNode and Status... with QryTypes, OrderBy, MaximumRecords).  Each line
    carries its attributes and a ``Shipment`` element with the header's keys and status [INF: no capture of
    the default].  Default order: shipment key, then line order."""
    query = compile_query(doc, dict(SHIPMENT_LINE_FIELDS))
    shipments = candidate_shipments(ctx, doc)
    views = []
    for shipment in shipments:
        header = {k: str(shipment.get(k, "")) for k in HEADER_ATTRS}
        for line in as_list((shipment.get("ShipmentLines") or {}).get("ShipmentLine")):
            flat = {k: v for k, v in line.items() if isinstance(v, str)}
            flat["Quantity"] = render.qty(str(line.get("Quantity", "0")), ctx.settings)
            # ShipmentLineKey first: getPage's LastRecord names a line by the first *Key attribute
            view = {"ShipmentLineKey": flat.get("ShipmentLineKey", "")}
            view.update({**{k: header[k] for k in ("ShipmentKey", "ShipmentNo", "ShipNode")}, **flat})
            if query.matches({**view, "Status": header["Status"]}):
                views.append({**view, "Shipment": header})
    views = query.sort(views)
    limit = query.max_records or ctx.settings.default_max_records
    attrs = {"TotalNumberOfRecords": str(len(views[:limit]))}
    return Output("ShipmentLines", list_doc(ctx, "ShipmentLines", "ShipmentLine", views[:limit], attrs))


APIS = {
    "getCompleteOrderDetails": ApiSpec(get_complete_order_details, "Order", "Order"),
    "getOrderLineDetails": ApiSpec(get_order_line_details, "OrderLineDetail", "OrderLine"),
    "getShipmentLineList": ApiSpec(get_shipment_line_list, "ShipmentLine", "ShipmentLines"),
}
