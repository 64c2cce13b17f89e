"""APIs of the holds family: getOrderHoldTypeList (holds on orders: the resolution list a call-centre screen
reads) and getHoldTypeList (the hold types configured per enterprise).  Holds are put and resolved through
createOrder and changeOrder (``domain/holds``)."""

from __future__ import annotations

from sterling_mock.client.wire import Doc
from sterling_mock.mock_server.apis import listing
from sterling_mock.mock_server.apis.spec import ApiSpec
from sterling_mock.mock_server.domain.context import Ctx, Output
from sterling_mock.mock_server.domain.holds import config
from sterling_mock.mock_server.domain.orders import model
from sterling_mock.mock_server.domain.queries.query import present
from sterling_mock.mock_server.store.schema import aftercare

HOLD_FIELDS = {
    "OrderHoldTypeKey": "text",
    "OrderHeaderKey": "text",
    "OrderLineKey": "text",
    "OrderNo": "text",
    "EnterpriseCode": "text",
    "DocumentType": "text",
    "HoldType": "text",
    "Status": "status",
    "ReasonText": "text",
    "ResolverUserId": "text",
    "LastHoldTypeDate": "datetime",
    "Createts": "datetime",
    "Modifyts": "datetime",
}
HOLD_TYPE_FIELDS = {
    "HoldType": "text",
    "OrganizationCode": "text",
    "HoldLevel": "text",
    "DocumentType": "text",
}


def get_order_hold_type_list(ctx: Ctx, doc: Doc) -> Output:
    """getOrderHoldTypeList: ``OrderHoldTypeList`` of ``OrderHoldType`` (HoldType, ReasonText, Status 1100
    Created / 1300 Resolved, StatusDescription, OrderHoldTypeKey, OrderHeaderKey, OrderLineKey (empty for an
    order hold), PrimeLineNo, SubLineNo, OrderNo, EnterpriseCode, DocumentType, LastHoldTypeDate,
    ResolverUserId, audit columns) [INF: names from the order's OrderHoldType; the list root and paging
    attributes follow reference §14].  One order (``OrderHeaderKey`` or EnterpriseCode + OrderNo; YFS10003 if
    none) or every order; ``Status="1100"`` is the list of holds waiting to be resolved.  Any listed attribute
    filters (QryTypes, OrderBy, MaximumRecords); oldest first."""
    if present(doc, "OrderHeaderKey") or (present(doc, "OrderNo") and present(doc, "EnterpriseCode")):
        key = model.resolve_key(ctx, doc)
        views = aftercare.of_order(ctx.tx, ctx.ns, "hold", key)
        filters = {k: v for k, v in doc.items() if k not in ("OrderNo", "EnterpriseCode", "DocumentType")}
    else:
        status = present(doc, "Status") if present(doc, "StatusQryType") in (None, "EQ") else None
        found = aftercare.of_kind(ctx.tx, ctx.ns, "hold", status)
        alive: dict[str, bool] = {}  # a deleted order's holds are not listed
        views = [
            h
            for h in found
            if alive.setdefault(h["OrderHeaderKey"], ctx.tx.order_exists(ctx.ns, h["OrderHeaderKey"]))
        ]
        filters = doc
    return listing.answer(ctx, filters, HOLD_FIELDS, "OrderHoldType", "OrderHoldTypeKey", views)


def get_hold_type_list(ctx: Ctx, doc: Doc) -> Output:
    """getHoldTypeList: ``HoldTypeList`` of the hold types configured for ``OrganizationCode`` (all seeded
    types without it), each ``HoldType HoldTypeDescription OrganizationCode HoldLevel DocumentType`` with
    ``HoldTypeTranList/HoldTypeTran@TransactionId`` naming what it blocks [INF: shape assumed; the types are
    the fake's seeded table, ``domain/holds/config.py``].  A type not listed blocks scheduling, release and
    shipment unless ``unknown_hold_blocks`` is off; with ``strict_hold_types`` it is refused (MOCK0701)."""
    organization = present(doc, "OrganizationCode") or present(doc, "EnterpriseCode") or ""
    views = []
    for found in config.configured(ctx, organization).values():
        views.append(
            {
                "HoldType": found.hold_type,
                "HoldTypeDescription": found.description,
                "OrganizationCode": organization or found.organization,
                "HoldLevel": found.level,
                "DocumentType": "0001",
                "HoldTypeTranList": {
                    "HoldTypeTran": [{"TransactionId": config.TRANSACTION_IDS[t]} for t in found.blocks]
                },
            }
        )
    filters = {k: v for k, v in doc.items() if k not in ("OrganizationCode", "EnterpriseCode")}
    return listing.answer(ctx, filters, HOLD_TYPE_FIELDS, "HoldType", "HoldType", views)


APIS = {
    "getOrderHoldTypeList": ApiSpec(get_order_hold_type_list, "OrderHoldType", "OrderHoldTypeList"),
    "getHoldTypeList": ApiSpec(get_hold_type_list, "HoldType", "HoldTypeList"),
}
