"""APIs of the shipments family: createShipment, confirmShipment, changeShipment, getShipmentDetails,
getShipmentList, getShipmentListForOrder (the shipment model lives in ``shipping.py``)."""

from __future__ import annotations

from sterling_mock.client.wire import Doc, as_list
from sterling_mock.mock_server.apis.fulfilment import list_doc
from sterling_mock.mock_server.apis.spec import ApiSpec
from sterling_mock.mock_server.base.errors import QuantityNotReleased, ShipmentClosed, ShipmentNodeConflict
from sterling_mock.mock_server.domain.context import Ctx, Output
from sterling_mock.mock_server.domain.fulfilment import shipping
from sterling_mock.mock_server.domain.orders import model
from sterling_mock.mock_server.domain.queries.query import compile_query, present
from sterling_mock.mock_server.domain.queries.templates import apply_template
from sterling_mock.mock_server.store.schema import lifecycle as sql

# ------------------------------------------------------------------------------------------ the APIs


def create_shipment(ctx: Ctx, doc: Doc) -> Output:
    """createShipment: the lines' released quantity -> 3350 Included In Shipment, in one shipment at one node.

    Lines by ``OrderHeaderKey``/``OrderNo`` (line or header) + ``PrimeLineNo``/``SubLineNo``, or
    ``OrderLineKey``, with ``Quantity`` (default: all of the line's released quantity) and optionally
    ``ReleaseNo``/``OrderReleaseKey``.  With no lines, the whole order (header ``OrderHeaderKey`` or
    ``OrderNo``) is taken.  ``ShipNode`` defaults to the released node; ``ShipmentNo`` is generated when
    absent; ``ShipmentNo+ShipNode+SellerOrganizationCode`` is unique (YFC0001).  Unreleased quantity
    (MOCK0203) and lines at different nodes (MOCK0205) are refused; strict master data checks the node
    (YDM00085).  Output [INF]: ``SellerOrganizationCode ShipNode ShipmentKey ShipmentNo`` as confirmShipment.
    """
    batch = shipping.Batch(ctx)
    entries = shipping.entries(doc)
    if not entries:
        groups = shipping.by_node(ctx, batch, doc)
        wanted = present(doc, "ShipNode")
        if not groups or (wanted is None and len(groups) > 1):
            raise (ShipmentNodeConflict if groups else QuantityNotReleased)(
                "Give ShipmentLines, or an order whose released quantity sits at one node.",
                attributes={"Nodes": ",".join(groups)},
            )
        entries = groups.get(wanted or next(iter(groups)), [])
        if not entries:
            raise QuantityNotReleased(
                f"No released quantity of the order sits at ShipNode {wanted}.",
                attributes={"ShipNode": str(wanted), "Nodes": ",".join(groups)},
            )
    shipment = shipping.build(ctx, batch, doc, entries)
    batch.commit("CREATE_SHIPMENT", doc)
    return _keys(ctx, shipment)


def confirm_shipment(ctx: Ctx, doc: Doc) -> Output:
    """confirmShipment: quantity -> 3700 Shipped; the shipment -> 1400 Shipment Shipped.

    The shipment is the one named by ``ShipmentKey`` or ``ShipmentNo`` (+``ShipNode``,
    ``SellerOrganizationCode``); lines given with a smaller ``Quantity`` ship part of it, the rest going back
    to 3200 (or 1300 with ``BackOrderRemovedQuantity="Y"``).  When no shipment matches and ``ShipmentLines``
    are given, the shipment is created and confirmed in one call; with neither, every released quantity of
    the order named on the header (``OrderHeaderKey`` or ``OrderNo``, optionally one ``ReleaseNo``/
    ``OrderReleaseKey``) ships, its open shipments confirmed and one new shipment per node for the rest.
    ``TrackingNo``, ``SCAC``, ``CarrierServiceCode``, ``ScacAndService``, ``ActualShipmentDate`` (default
    now) and other header attributes are kept on the shipment.  Accepted and ignored: ``ShipComplete``,
    ``IgnoreOrdering``, ``OverrideModificationRules``.  Containers and packing are not modelled.
    """
    batch = shipping.Batch(ctx)
    shipment = shipping.find_shipment(ctx, doc, required=False)
    if shipment is None and shipping.entries(doc):
        shipment = shipping.build(ctx, batch, doc, shipping.entries(doc))
        shipping.confirm(ctx, batch, shipment, {k: v for k, v in doc.items() if k != "ShipmentLines"})
    elif shipment is None:
        shipment = shipping.confirm_order_shipments(ctx, batch, doc)
    else:
        shipping.confirm(ctx, batch, shipment, doc)
    batch.commit("CONFIRM_SHIPMENT", doc)
    return _keys(ctx, shipment)


def _keys(ctx: Ctx, shipment: Doc) -> Output:
    if ctx.template is not None:
        return Output(
            "Shipment", apply_template("Shipment", shipping.shipment_view(ctx, shipment), ctx.template)
        )
    return Output("Shipment", {k: str(shipment.get(k, "")) for k in shipping.OUTPUT_KEYS})


# ------------------------------------------------------------------------------------------ change, read


def change_shipment(ctx: Ctx, doc: Doc) -> Output:
    """changeShipment: header attributes (tracking, carrier, dates, Extn*) of an open or shipped shipment;
    ``Action="Cancel"`` cancels an open one (its quantity back to 3200 Released; shipment 9000).
    Line changes are not supported (deviation: use confirmShipment quantities or cancel and recreate)."""
    shipment = shipping.find_shipment(ctx, doc, required=True)
    assert shipment is not None
    if shipment["Status"] == shipping.SHIPMENT_CANCELLED:
        raise ShipmentClosed(
            f"Shipment {shipment['ShipmentNo']} is cancelled.",
            attributes={"ShipmentKey": shipment["ShipmentKey"]},
        )
    batch = shipping.Batch(ctx)
    if (present(doc, "Action") or "").upper() == "CANCEL":
        shipping.cancel(ctx, batch, shipment)
    shipment.update(
        shipping.copied(
            {k: v for k, v in doc.items() if k not in ("ShipNode", "ShipmentNo", "SellerOrganizationCode")}
        )
    )
    shipping.modified(ctx, shipment)
    sql.put_shipment(ctx.tx, ctx.ns, shipment, [])
    batch.commit("CHANGE_SHIPMENT", doc)
    return _keys(ctx, shipment)


def get_shipment_details(ctx: Ctx, doc: Doc) -> Output:
    """getShipmentDetails: the stored shipment with its lines (``ShipmentKey`` or ShipmentNo + ShipNode +
    SellerOrganizationCode).  Deviation: no containers, instructions or charges."""
    shipment = shipping.find_shipment(ctx, doc, required=True)
    assert shipment is not None
    view = shipping.shipment_view(ctx, shipment)
    return Output("Shipment", apply_template("Shipment", view, ctx.template) if ctx.template else view)


SHIPMENT_FIELDS = {
    "ShipmentKey": "text",
    "ShipmentNo": "text",
    "ShipNode": "text",
    "SellerOrganizationCode": "text",
    "EnterpriseCode": "text",
    "DocumentType": "text",
    "BuyerOrganizationCode": "text",
    "OrderHeaderKey": "text",
    "OrderNo": "text",
    "Status": "status",
    "TrackingNo": "text",
    "SCAC": "text",
    "CarrierServiceCode": "text",
    "ScacAndService": "text",
    "ActualShipmentDate": "datetime",
    "ExpectedShipmentDate": "datetime",
    "Createts": "datetime",
    "Modifyts": "datetime",
}


def _flat(shipment: Doc) -> Doc:
    """The query view: a shipment of several orders matches any of their keys and numbers."""
    view: Doc = {k: v for k, v in shipment.items() if isinstance(v, str)}
    lines = as_list((shipment.get("ShipmentLines") or {}).get("ShipmentLine"))
    view["OrderHeaderKey"] = sorted(
        {str(s["OrderHeaderKey"]) for s in lines} | {str(shipment["OrderHeaderKey"])}
    )
    view["OrderNo"] = sorted({str(s["OrderNo"]) for s in lines} | {str(shipment["OrderNo"])})
    return view


def get_shipment_list(ctx: Ctx, doc: Doc) -> Output:
    """getShipmentList: ``Shipments TotalNumberOfRecords`` (filters, QryTypes, ComplexQuery, OrderBy and
    MaximumRecords per reference §9 on the shipment's attributes; ``OrderHeaderKey``/``OrderNo`` match any
    order in the shipment).  Default output [INF]: the shipment header with ``ShipmentLines``.  Default
    order: ShipmentKey (creation order)."""
    query = compile_query(doc, SHIPMENT_FIELDS)
    candidates = candidate_shipments(ctx, doc)
    matched = query.sort([s for s in candidates if query.matches(_flat(s))], key_of=_flat)
    limit = query.max_records or ctx.settings.default_max_records
    views = [shipping.shipment_view(ctx, s) for s in matched[:limit]]
    attrs = {"TotalNumberOfRecords": str(len(views))}
    return Output("Shipments", list_doc(ctx, "Shipments", "Shipment", views, attrs))


def get_shipment_list_for_order(ctx: Ctx, doc: Doc) -> Output:
    """getShipmentListForOrder: the order's shipments as ``ShipmentList/Shipment`` (QryTypes ignored [DOC])."""
    ohk = model.resolve_key(ctx, doc)
    views = [shipping.shipment_view(ctx, s) for s in sql.shipments_of_order(ctx.tx, ctx.ns, ohk)]
    return Output("ShipmentList", list_doc(ctx, "ShipmentList", "Shipment", views, {}))


def candidate_shipments(ctx: Ctx, doc: Doc) -> list[Doc]:
    """The shipments a query can match, narrowed by an exact ShipmentKey or OrderHeaderKey when it gives one
    (getShipmentList, getShipmentLineList); the query's own conditions are applied by the caller."""
    key, ohk = present(doc, "ShipmentKey"), present(doc, "OrderHeaderKey")
    if key and present(doc, "ShipmentKeyQryType") in (None, "EQ"):
        found = sql.get_shipment(ctx.tx, ctx.ns, key)
        return [found] if found else []
    if ohk and present(doc, "OrderHeaderKeyQryType") in (None, "EQ"):
        return sql.shipments_of_order(ctx.tx, ctx.ns, ohk)
    return sql.all_shipments(ctx.tx, ctx.ns)


APIS = {
    "createShipment": ApiSpec(create_shipment, "Shipment", "Shipment", writes=True),
    "confirmShipment": ApiSpec(confirm_shipment, "Shipment", "Shipment", writes=True),
    "changeShipment": ApiSpec(change_shipment, "Shipment", "Shipment", writes=True),
    "getShipmentDetails": ApiSpec(get_shipment_details, "Shipment", "Shipment"),
    "getShipmentList": ApiSpec(get_shipment_list, "Shipment", "Shipments"),
    "getShipmentListForOrder": ApiSpec(get_shipment_list_for_order, "Order", "ShipmentList"),
}
