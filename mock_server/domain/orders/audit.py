"""Order audit records (getOrderAuditList): what changed, by whom, why.  Written by every API that changes
an order, inside the same transaction.

Interface used by every writer (keep it stable):
    record(ctx, before, after, modification_types, reason_code="", reason_text="")
``before`` is the canonical order before the change (None for createOrder), ``after`` the order as saved.

One call writes one ``OrderAudit``: an ``ORDER`` level carrying the caller's modification types, one
``ORDER_LINE`` level per line that changed, and one ``OrderAuditDetail`` per changed element with its
``Attribute Name OldValue NewValue`` rows.  Line levels name what happened to the line: ``ADD_LINE`` for a
new line, ``REMOVE_LINE`` for a removed one, ``CANCEL`` when its OrderedQty went down, else the
caller's types.
The audit columns themselves (Createts, Modifyts, ...) are not diffed: every change moves them.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from sterling_mock.client.wire import Doc, as_list
from sterling_mock.mock_server.domain.context import Ctx

#: Moved by every change: recorded on the OrderAudit itself, not as attribute changes.
NOT_AUDITED = frozenset(
    {"Createts", "Modifyts", "Createuserid", "Modifyuserid", "Createprogid", "Modifyprogid"}
)
#: Header child elements whose attributes are audited as their own detail (AuditType = element name).
AUDITED_ELEMENTS = ("PersonInfoShipTo", "PersonInfoBillTo", "PersonInfoContact", "PriceInfo", "Extn")


def _attrs(element: Any) -> dict[str, str]:
    if not isinstance(element, dict):
        return {}
    return {k: v for k, v in element.items() if isinstance(v, str) and k not in NOT_AUDITED}


def diff(old: Any, new: Any) -> list[Doc]:
    """``Attribute Name OldValue NewValue`` rows for every attribute that differs, in name order."""
    before, after = _attrs(old), _attrs(new)
    if not before:  # a new element (createOrder, an added line): every value it has is new
        return [{"Name": k, "OldValue": "", "NewValue": v} for k, v in sorted(after.items()) if v != ""]
    rows = []
    for name in sorted(before.keys() | after.keys()):
        old_value, new_value = before.get(name, ""), after.get(name, "")
        if old_value != new_value:
            rows.append({"Name": name, "OldValue": old_value, "NewValue": new_value})
    return rows


def _lines(order: Doc | None) -> dict[str, Doc]:
    node = (order or {}).get("OrderLines")
    lines = as_list(node.get("OrderLine") if isinstance(node, dict) else None)
    return {str(line.get("OrderLineKey", "")): line for line in lines}


def _qty(line: Doc | None) -> Decimal:
    try:
        return Decimal(str((line or {}).get("OrderedQty", "0")))
    except InvalidOperation:
        return Decimal(0)


def _detail(audit_type: str, operation: str, rows: list[Doc], ids: dict[str, str]) -> Doc:
    return {
        "AuditType": audit_type,
        "Operation": operation,
        "Attributes": {"Attribute": rows},
        "IDs": {"ID": [{"Name": k, "Value": v} for k, v in ids.items()]},
    }


def _level(level: str, types: list[str], line_key: str = "") -> Doc:
    return {
        "ModificationLevel": level,
        "OrderLineKey": line_key,
        "OrderReleaseKey": "",
        "ModificationTypes": {"ModificationType": [{"Name": name} for name in types]},
    }


def _line_changes(before: Doc | None, after: Doc, types: list[str]) -> tuple[list[Doc], list[Doc]]:
    old_lines, new_lines = _lines(before), _lines(after)
    levels: list[Doc] = []
    details: list[Doc] = []
    for key in [*new_lines, *(k for k in old_lines if k not in new_lines)]:
        old, new = old_lines.get(key), new_lines.get(key)
        rows = diff(old, new)
        if not rows:
            continue
        if before is not None and old is None:
            line_types, operation = ["ADD_LINE"], "Create"
        elif new is None:
            line_types, operation = ["REMOVE_LINE"], "Delete"
        else:
            line_types = ["CANCEL"] if before is not None and _qty(new) < _qty(old) else list(types)
            operation = "Create" if before is None else "Update"
        levels.append(_level("ORDER_LINE", line_types, key))
        ids = {"OrderHeaderKey": str(after["OrderHeaderKey"]), "OrderLineKey": key}
        details.append(_detail("OrderLine", operation, rows, ids))
    return levels, details


def record(
    ctx: Ctx,
    before: Doc | None,
    after: Doc,
    modification_types: list[str],
    reason_code: str = "",
    reason_text: str = "",
) -> None:
    """Store one OrderAudit for this change (nothing when nothing audited changed)."""
    ohk = str(after["OrderHeaderKey"])
    ids = {"OrderHeaderKey": ohk}
    operation = "Create" if before is None else "Update"
    details: list[Doc] = []
    header_rows = diff(before, after)
    if header_rows:
        details.append(_detail("Order", operation, header_rows, ids))
    for name in AUDITED_ELEMENTS:
        rows = diff((before or {}).get(name), after.get(name))
        if rows:
            details.append(_detail(name, operation, rows, ids))
    line_levels, line_details = _line_changes(before, after, modification_types)
    details.extend(line_details)
    if not details:
        return
    stamp = ctx.stamp()
    audit_key = ctx.new_key()
    audit: Doc = {
        "OrderAuditKey": audit_key,
        "AuditTransactionId": audit_key,
        "OrderHeaderKey": ohk,
        "EnterpriseCode": str(after.get("EnterpriseCode", "")),
        "DocumentType": str(after.get("DocumentType", "")),
        "OrderNo": str(after.get("OrderNo", "")),
        "ReasonCode": reason_code,
        "ReasonText": reason_text,
        "Createts": stamp,
        "Modifyts": stamp,
        "Createuserid": ctx.user,
        "Modifyuserid": ctx.user,
        "Createprogid": ctx.progid,
        "Modifyprogid": ctx.progid,
        "OrderAuditLevels": {"OrderAuditLevel": [_level("ORDER", list(modification_types)), *line_levels]},
        "OrderAuditDetails": {"OrderAuditDetail": details},
    }
    ctx.tx.put_audit(ctx.ns, audit_key, ohk, audit)
