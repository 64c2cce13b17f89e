"""getOrderAuditList and getOrderAuditDetails: the audit records every order change writes (reference §7,
written by ``audit.record``)."""

from __future__ import annotations

from sterling_mock.client.wire import Doc
from sterling_mock.mock_server.apis.spec import ApiSpec
from sterling_mock.mock_server.base.errors import AuditNotFound, MandatoryMissing
from sterling_mock.mock_server.domain.context import Ctx, Output
from sterling_mock.mock_server.domain.orders import audit, model
from sterling_mock.mock_server.domain.queries.query import compile_query
from sterling_mock.mock_server.domain.queries.templates import apply_template, item_template
from sterling_mock.mock_server.store.schema import queries as queries_sql

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
    ``OrderAuditList TotalOrderAuditList LastOrderAuditKey LastRecordSet`` with ``OrderAudit`` oldest first.
    Default output, IBM's default template: ``OrderAudit AuditTransactionId Modifyts Modifyuserid ReasonCode
    ReasonText OrderAuditKey OrderHeaderKey OrderLineKey OrderReleaseKey`` with ``Order DocumentType
    EnterpriseCode OrderNo`` and ``OrderAuditLevels/OrderAuditLevel`` (ORDER, ORDER_LINE with its
    ``OrderLine``) holding ``ModificationTypes/ModificationType``; no details.  A template selects from the
    whole record, so one naming ``OrderAuditLevel/OrderAuditDetails`` gets each level's
    ``OrderAuditDetail AuditType Action`` with ``Attributes/Attribute Name OldValue NewValue`` and ``IDs/ID``.
    Filters on the audit's own attributes (ReasonCode, Createts ranges, Modifyuserid, ...) and MaximumRecords
    apply; a missing order is YFS10003.
    Deviations: createOrder writes an audit too (ModificationType ``CREATE``, every attribute as NewValue);
    ``AuditType`` names the element (Order, OrderLine, PersonInfoShipTo, ...), ``Action`` is Create, Update or
    Delete and ``ScreenName`` is empty [INF].
    """
    key = model.resolve_key(ctx, doc)
    query = compile_query(doc, AUDIT_FIELDS)
    audits = [a for a in ctx.tx.audits_of(ctx.ns, key) if query.matches(a)]
    audits = query.sort(audits)
    more = query.max_records is not None and len(audits) > query.max_records
    if query.max_records is not None:
        audits = audits[: query.max_records]
    attrs = {
        "TotalOrderAuditList": str(len(audits)),
        "LastOrderAuditKey": str(audits[-1]["OrderAuditKey"]) if audits else "",
        "LastRecordSet": "N" if more else "Y",
    }
    if ctx.template is None:
        shown = [audit.summary(a) for a in audits]
    else:
        sub = item_template(ctx.template, "OrderAudit")
        shown = [apply_template("OrderAudit", a, sub, keep_paging=False) for a in audits] if sub else []
    return Output("OrderAuditList", {"OrderAudit": shown, **attrs} if shown else attrs)


def get_order_audit_details(ctx: Ctx, doc: Doc) -> Output:
    """getOrderAuditDetails: one audit record by ``OrderAuditKey`` (mandatory), whole: the summary of
    getOrderAuditList plus ``Createts``/``Createuserid``/``Createprogid``/``Modifyprogid`` and, inside each
    ``OrderAuditLevel``, ``OrderAuditDetails/OrderAuditDetail`` with ``Attributes/Attribute`` and ``IDs/ID``.
    A template prunes it.  An unknown key is the fake's MOCK0311 (no capture of a real instance's answer).
    """
    key = model.present(doc, "OrderAuditKey")
    if key is None:
        raise MandatoryMissing("OrderAuditKey is mandatory.", attributes={"Name": "OrderAuditKey"})
    found = queries_sql.get_audit(ctx.tx, ctx.ns, key)
    if found is None:
        raise AuditNotFound(f"No order audit with OrderAuditKey {key}.", attributes={"OrderAuditKey": key})
    if ctx.template is not None:
        found = apply_template("OrderAudit", found, ctx.template)
    return Output("OrderAudit", found)


APIS = {
    "getOrderAuditList": ApiSpec(get_order_audit_list, "OrderAudit", "OrderAuditList"),
    "getOrderAuditDetails": ApiSpec(get_order_audit_details, "OrderAudit", "OrderAudit"),
}
