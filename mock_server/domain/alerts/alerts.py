"""Inbox records: raising (``raise_alert``), resolving, and the alerts the fake raises itself."""

from __future__ import annotations

from typing import Any

from sterling_mock.client.wire import Doc
from sterling_mock.mock_server.base.errors import InvalidException
from sterling_mock.mock_server.domain.context import Ctx
from sterling_mock.mock_server.store.schema import aftercare

OPEN = "OPEN"
CLOSED = "CLOSED"
KIND = "inbox"
#: Queues the fake's own alerts go to [INF: queues are configured per installation].
QUEUES = {"BACKORDER": "DEFAULT", "PAYMENT": "PAYMENT_QUEUE", "HOLD": "HOLD_QUEUE"}


def raise_alert(
    ctx: Ctx,
    exception_type: str,
    description: str,
    *,
    order: Doc | None = None,
    priority: str = "3",
    queue: str = "DEFAULT",
    detail: str = "",
    references: dict[str, str] | None = None,
    **attributes: str,
) -> Doc:
    """Store one open Inbox record and return it.  ``order`` fills the order references (OrderHeaderKey,
    OrderNo, EnterpriseKey, DocumentType); ``attributes`` any other Inbox attribute (ShipmentKey, ItemId,
    ShipnodeKey, ...); ``references`` become ``InboxReferencesList/InboxReferences``."""
    stamp = ctx.stamp()
    key = ctx.new_key()
    inbox: Doc = {
        "InboxKey": key,
        "InboxType": "",
        "ExceptionType": exception_type,
        "Description": description,
        "DetailDescription": detail,
        "Priority": priority,
        "QueueId": queue,
        "ActiveFlag": "Y",
        "Status": OPEN,
        "GeneratedOn": stamp,
        "LastOccurredOn": stamp,
        "ConsolidationCount": "1",
        "OrderHeaderKey": "",
        "OrderNo": "",
        "EnterpriseKey": "",
        "DocumentType": "",
        "ShipmentKey": "",
        "ItemId": "",
        "OwnerKey": "",
        "ResolvedBy": "",
        "ResolvedOn": "",
        "Createts": stamp,
        "Modifyts": stamp,
        "Createuserid": ctx.user,
        "Modifyuserid": ctx.user,
    }
    if order is not None:
        inbox.update(
            OrderHeaderKey=str(order.get("OrderHeaderKey", "")),
            OrderNo=str(order.get("OrderNo", "")),
            EnterpriseKey=str(order.get("EnterpriseCode", "")),
            DocumentType=str(order.get("DocumentType", "")),
        )
    inbox.update({k: v for k, v in attributes.items() if isinstance(v, str)})
    refs = [{"Name": k, "Value": v, "ReferenceType": "TEXT"} for k, v in (references or {}).items()]
    if refs:
        inbox["InboxReferencesList"] = {"InboxReferences": refs}
    inbox["InboxAuditList"] = {"InboxAudit": [_audit(ctx, "CREATE", "Raised")]}
    save(ctx, inbox)
    return inbox


def _audit(ctx: Ctx, action: str, text: str) -> Doc:
    return {"InboxAuditKey": ctx.new_key(), "Action": action, "AuditDetail": text, "Createts": ctx.stamp(),
            "Createuserid": ctx.user}  # fmt: skip


def save(ctx: Ctx, inbox: Doc) -> None:
    aftercare.put(
        ctx.tx, ctx.ns, KIND, str(inbox["InboxKey"]), str(inbox.get("OrderHeaderKey", "")),
        str(inbox["Status"]), str(inbox.get("ExceptionType", "")), inbox,
    )  # fmt: skip


def get(ctx: Ctx, key: str) -> Doc:
    found = aftercare.get(ctx.tx, ctx.ns, KIND, key)
    if found is None:
        raise InvalidException(f"No alert with InboxKey {key}.", attributes={"InboxKey": key})
    return found


def resolve(ctx: Ctx, inbox: Doc, note: str = "") -> None:
    """Close an alert (again: no change but the audit) and record who did it."""
    inbox.update(Status=CLOSED, ActiveFlag="N", ResolvedBy=ctx.user, ResolvedOn=ctx.stamp(), Modifyts=ctx.stamp(),
                 Modifyuserid=ctx.user)  # fmt: skip
    trail = inbox.setdefault("InboxAuditList", {}).setdefault("InboxAudit", [])
    if isinstance(trail, list):
        trail.append(_audit(ctx, "RESOLVE", note or "Resolved"))
    save(ctx, inbox)


# ------------------------------------------------------------------------------------------ the fake's own


def _on(ctx: Ctx, name: str) -> bool:
    return bool(getattr(ctx.settings, name, True))


def hold_applied(ctx: Ctx, order: Doc, hold_type: str) -> None:
    if _on(ctx, "alert_on_hold"):
        raise_alert(ctx, "ORDER_ON_HOLD", f"Order {order.get('OrderNo')} put on hold {hold_type}", order=order,
                    queue=QUEUES["HOLD"], references={"HoldType": hold_type})  # fmt: skip


def payment_declined(ctx: Ctx, order: Doc, payment: Doc, reason: str) -> None:
    if _on(ctx, "alert_on_payment_decline"):
        raise_alert(ctx, "PAYMENT_DECLINED", f"Authorisation declined for order {order.get('OrderNo')}",
                    order=order, priority="2", queue=QUEUES["PAYMENT"], detail=reason,
                    references={"PaymentKey": str(payment.get("PaymentKey", "")),
                                "PaymentType": str(payment.get("PaymentType", ""))})  # fmt: skip


def line_backordered(ctx: Ctx, order: Doc, line: Doc, quantity: str) -> None:
    if _on(ctx, "alert_on_backorder"):
        item = str((line.get("Item") or {}).get("ItemID", ""))
        raise_alert(ctx, "LINE_BACKORDERED", f"Line {line.get('PrimeLineNo')} of order {order.get('OrderNo')} "
                    f"backordered", order=order, queue=QUEUES["BACKORDER"], ItemId=item,
                    references={"OrderLineKey": str(line.get("OrderLineKey", "")), "Quantity": quantity})  # fmt: skip


def view(inbox: Doc) -> dict[str, Any]:
    return dict(inbox)


def backorders(ctx: Ctx, before: Doc, order: Doc) -> None:
    """A LINE_BACKORDERED alert for each line whose backordered (1300) quantity grew since ``before``."""
    if not _on(ctx, "alert_on_backorder"):
        return
    from decimal import Decimal

    from sterling_mock.mock_server.domain.orders import model

    old = {str(line.get("OrderLineKey")): model.quantity_in(line, "1300") for line in model.lines_of(before)}
    for line in model.lines_of(order):
        grew = model.quantity_in(line, "1300") - old.get(str(line.get("OrderLineKey")), Decimal(0))
        if grew > 0:
            line_backordered(ctx, order, line, model.qty_text(grew))
