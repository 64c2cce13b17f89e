"""getOrderAuditList: the audit records every order change writes (reference §7, written by ``audit.record``)."""

from __future__ import annotations

from sterling_mock.client.wire import Doc
from sterling_mock.mock_server.apis.spec import ApiSpec
from sterling_mock.mock_server.domain.context import Ctx, Output
from sterling_mock.mock_server.domain.orders import model
from sterling_mock.mock_server.domain.queries.query import compile_query
from sterling_mock.mock_server.domain.queries.templates import apply_template, item_template

AUDIT_FIELDS: dict[str, str] = {
    **dict.fromkeys(
        (
            "OrderAuditKey",
            "ReasonCode",
            "ReasonText",
            "Createuserid",
            "Modifyuserid",
            "Createprogid",
            "Modifyprogid",
            "AuditTransactionId",
        ),
        "text",
    ),
    **dict.fromkeys(("Createts", "Modifyts"), "datetime"),
}


def get_order_audit_list(ctx: Ctx, doc: Doc) -> Output:
    """getOrderAuditList for one order (``OrderHeaderKey``, or EnterpriseCode + OrderNo + DocumentType):
    ``OrderAuditList/OrderAudit`` oldest first, with OrderAuditLevels (ORDER, ORDER_LINE) and their
    ModificationTypes, OrderAuditDetails/Attributes/Attribute (Name, OldValue, NewValue), ReasonCode,
    ReasonText, Createts, Modifyuserid.  Filters on the audit's own attributes (ReasonCode, Createts ranges,
    Modifyuserid, ...) and MaximumRecords apply; a missing order is YFS10003.
    Deviations: createOrder writes an audit too (ModificationType ``CREATE``, every attribute as NewValue);
    ``AuditType`` names the element (Order, OrderLine, PersonInfoShipTo, ...) [INF].
    """
    key = model.resolve_key(ctx, doc)
    query = compile_query(doc, AUDIT_FIELDS)
    audits = [a for a in ctx.tx.audits_of(ctx.ns, key) if query.matches(a)]
    audits = query.sort(audits)
    if query.max_records is not None:
        audits = audits[: query.max_records]
    out: Doc = {"OrderAudit": audits} if audits else {}
    if ctx.template is not None:
        sub = item_template(ctx.template, "OrderAudit")
        out = (
            {"OrderAudit": [apply_template("OrderAudit", a, sub, keep_paging=False) for a in audits]}
            if (sub is not None and audits)
            else {}
        )
    return Output("OrderAuditList", out)


APIS = {
    "getOrderAuditList": ApiSpec(get_order_audit_list, "OrderAudit", "OrderAuditList"),
}
