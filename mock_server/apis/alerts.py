"""APIs of the alerts family: createException, getExceptionList, getExceptionListForOrder and
resolveException over Sterling's Inbox records (reference §14)."""

from __future__ import annotations

from sterling_mock.client.wire import Doc, as_list, child
from sterling_mock.mock_server.apis import listing
from sterling_mock.mock_server.apis.spec import ApiSpec
from sterling_mock.mock_server.base.errors import MandatoryMissing
from sterling_mock.mock_server.domain.alerts import alerts
from sterling_mock.mock_server.domain.context import Ctx, Output
from sterling_mock.mock_server.domain.orders import model
from sterling_mock.mock_server.domain.queries.query import present
from sterling_mock.mock_server.domain.queries.templates import apply_template
from sterling_mock.mock_server.store.schema import aftercare

INBOX_FIELDS = {
    "InboxKey": "text",
    "ExceptionType": "text",
    "Status": "text",
    "ActiveFlag": "text",
    "Priority": "number",
    "QueueId": "text",
    "OrderHeaderKey": "text",
    "OrderNo": "text",
    "EnterpriseKey": "text",
    "DocumentType": "text",
    "ShipmentKey": "text",
    "ItemId": "text",
    "OwnerKey": "text",
    "Description": "text",
    "GeneratedOn": "datetime",
    "ResolvedBy": "text",
}
#: Inbox attributes createException copies from its input.
GIVEN = ("Description", "DetailDescription", "ShipmentKey", "ItemId", "OwnerKey", "ShipnodeKey", "InboxType",
         "ExceptionTypeDescription", "ErrorReason", "FollowupDate", "ExpectedResolutionDate")  # fmt: skip


def create_exception(ctx: Ctx, doc: Doc) -> Output:
    """createException: a new open Inbox record.  ``ExceptionType`` is mandatory (MOCK0100); ``Priority``
    (default 3), ``QueueId`` (default DEFAULT), ``ActiveFlag``, ``Description``, ``DetailDescription``,
    ``ShipmentKey``, ``ItemId``, ``OwnerKey``, ``EnterpriseKey`` and ``InboxReferencesList/InboxReferences@Name,
    Value,ReferenceType`` are kept; an order named by ``OrderHeaderKey`` (or ``OrderNo`` + ``EnterpriseKey``)
    must exist (YFS10003) and fills the order references.  Output: the Inbox with InboxKey, Status OPEN and
    GeneratedOn [OBS client reads; the rest INF].  Left out: consolidation of repeated alerts, queues'
    users and alert e-mails."""
    exception_type = present(doc, "ExceptionType")
    if exception_type is None:
        raise MandatoryMissing("ExceptionType is mandatory.", attributes={"Name": "ExceptionType"})
    order = None
    if present(doc, "OrderHeaderKey") or present(doc, "OrderNo"):
        enterprise = present(doc, "EnterpriseKey") or present(doc, "EnterpriseCode") or ""
        order = model.load(ctx, {**doc, "EnterpriseCode": enterprise})
    given = as_list((child(doc, "InboxReferencesList") or {}).get("InboxReferences"))
    references = {str(r.get("Name")): str(r.get("Value", "")) for r in given if r.get("Name")}
    extra = {name: str(doc[name]) for name in GIVEN if present(doc, name)}
    inbox = alerts.raise_alert(
        ctx,
        exception_type,
        extra.pop("Description", exception_type),
        order=order,
        priority=present(doc, "Priority") or "3",
        queue=present(doc, "QueueId") or "DEFAULT",
        detail=extra.pop("DetailDescription", ""),
        references=references,
        **extra,
    )
    if present(doc, "EnterpriseKey") and order is None:
        inbox["EnterpriseKey"] = str(doc["EnterpriseKey"])
        alerts.save(ctx, inbox)
    return _answer(ctx, inbox)


def _answer(ctx: Ctx, inbox: Doc) -> Output:
    out = alerts.view(inbox)
    return Output("Inbox", apply_template("Inbox", out, ctx.template) if ctx.template else out)


def get_exception_list(ctx: Ctx, doc: Doc) -> Output:
    """getExceptionList: ``InboxList`` of ``Inbox`` records, oldest first, filtered on the listed attributes
    (QryTypes, OrderBy, MaximumRecords), each with its references and ``InboxAuditList`` [INF: audit by
    default].  Without ``Status``/``ActiveFlag`` filters, open and closed alerts are both listed."""
    status = present(doc, "Status") if present(doc, "StatusQryType") in (None, "EQ") else None
    views = aftercare.of_kind(ctx.tx, ctx.ns, alerts.KIND, status)
    return listing.answer(ctx, doc, INBOX_FIELDS, "Inbox", "InboxKey", views)


def get_exception_list_for_order(ctx: Ctx, doc: Doc) -> Output:
    """getExceptionListForOrder: the alerts of one order (``OrderHeaderKey``, or ``OrderNo`` +
    ``EnterpriseCode``; YFS10003 when none), as getExceptionList answers them [INF: input root Inbox or
    Order, both read]."""
    key = model.resolve_key(ctx, doc)
    views = aftercare.of_order(ctx.tx, ctx.ns, alerts.KIND, key)
    filters = {
        k: v
        for k, v in doc.items()
        if k not in ("OrderHeaderKey", "OrderNo", "EnterpriseCode", "DocumentType")
    }
    return listing.answer(ctx, filters, INBOX_FIELDS, "Inbox", "InboxKey", views)


def resolve_exception(ctx: Ctx, doc: Doc) -> Output:
    """resolveException: ``ResolutionDetails`` with ``Inbox@InboxKey`` (an ``Inbox`` root with InboxKey is
    read too) closes the alert: Status CLOSED, ActiveFlag N, ResolvedBy, ResolvedOn and a RESOLVE entry in
    its ``InboxAuditList`` (``ResolutionDetails@AuditDetail`` or ``Comment`` as its text).  An unknown key
    is MOCK0740; resolving a closed alert again only adds to its audit.  Output [INF]: the Inbox."""
    inner = child(doc, "Inbox") or doc
    key = present(inner, "InboxKey")
    if key is None:
        raise MandatoryMissing("ResolutionDetails/Inbox needs InboxKey.", attributes={"Name": "InboxKey"})
    inbox = alerts.get(ctx, key)
    alerts.resolve(ctx, inbox, present(doc, "AuditDetail") or present(doc, "Comment") or "")
    return _answer(ctx, inbox)


APIS = {
    "createException": ApiSpec(create_exception, "Inbox", "Inbox", writes=True),
    "getExceptionList": ApiSpec(get_exception_list, "Inbox", "InboxList"),
    "getExceptionListForOrder": ApiSpec(get_exception_list_for_order, "Inbox", "InboxList"),
    "resolveException": ApiSpec(resolve_exception, "ResolutionDetails", "Inbox", writes=True),
}
