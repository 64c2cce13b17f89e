"""Order audit records (getOrderAuditList, getOrderAuditDetails): what changed, by whom, why.  Written by
every API that changes an order, inside the same transaction.

Interface used by every writer (keep it stable):
    record(ctx, before, after, modification_types, reason_code="", reason_text="")
``before`` is the canonical order before the change (None for createOrder), ``after`` the order as saved.

One call stores one ``OrderAudit`` in the shape of reference §7: the order's keys in ``Order``, an ``ORDER``
level carrying the caller's modification types and one ``ORDER_LINE`` level per line that changed (with its
``OrderLine PrimeLineNo SubLineNo`` and ``Item``).  The changed values sit inside each level:
``OrderAuditDetails/OrderAuditDetail AuditType Action`` with ``Attributes/Attribute Name OldValue NewValue`` and
``IDs/ID Name Value`` -- the header's elements (Order, PersonInfoShipTo, ...) in the ORDER level, each line's in
its own.  Line levels name what happened to the line: ``ADD_LINE`` for a new line, ``REMOVE_LINE`` for a removed
one, ``CANCEL`` when its OrderedQty went down, else the caller's types.  ``summary`` is the default
getOrderAuditList view (no details); ``OrderAuditDetails`` come by template or getOrderAuditDetails.
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


def _detail(audit_type: str, action: str, rows: list[Doc], ids: dict[str, str]) -> Doc:
    return {
        "AuditType": audit_type,
        "Action": action,
        "Attributes": {"Attribute": rows},
        "IDs": {"ID": [{"Name": k, "Value": v} for k, v in ids.items()]},
    }


def _level(level: str, types: list[str], details: list[Doc], line: Doc | None = None) -> Doc:
    """One ``OrderAuditLevel``: its modification types, the line it is about, the details it holds."""
    out: Doc = {
        "ModificationLevel": level,
        "OrderLineKey": str((line or {}).get("OrderLineKey", "")),
        "OrderReleaseKey": "",
        "ModificationTypes": {"ModificationType": [{"Name": name, "ScreenName": ""} for name in types]},
    }
    if line is not None:
        found = line.get("Item")
        item: Doc = found if isinstance(found, dict) else {}
        out["OrderLine"] = {
            "PrimeLineNo": str(line.get("PrimeLineNo", "")),
            "SubLineNo": str(line.get("SubLineNo", "")),
            "Item": {k: str(item.get(k, "")) for k in ("ItemID", "UnitOfMeasure", "ProductClass")},
        }
    if details:
        out["OrderAuditDetails"] = {"OrderAuditDetail": details}
    return out


def _line_levels(before: Doc | None, after: Doc, types: list[str]) -> list[Doc]:
    old_lines, new_lines = _lines(before), _lines(after)
    levels: list[Doc] = []
    for key in [*new_lines, *(k for k in old_lines if k not in new_lines)]:
        old, new = old_lines.get(key), new_lines.get(key)
        rows = diff(old, new)
        ids = {"OrderHeaderKey": str(after["OrderHeaderKey"]), "OrderLineKey": key}
        holds = _hold_details(old, new, "Create" if before is None else "Update", ids)
        if not rows and not holds:
            continue
        if before is not None and old is None:
            line_types, action = ["ADD_LINE"], "Create"
        elif new is None:
            line_types, action = ["REMOVE_LINE"], "Delete"
        else:
            line_types = ["CANCEL"] if before is not None and _qty(new) < _qty(old) else list(types)
            action = "Create" if before is None else "Update"
        line = {**(old or {}), **(new or {}), "OrderLineKey": key}
        line_details = [_detail("OrderLine", action, rows, ids)] if rows else []
        levels.append(_level("ORDER_LINE", line_types, [*line_details, *holds], line))
    return levels


#: What a hold's audit detail shows (AuditType OrderHoldType; put and resolved holds, reference §14).
HOLD_AUDITED = ("HoldType", "Status", "ReasonText")


def _hold_details(old: Doc | None, new: Doc | None, action: str, ids: dict[str, str]) -> list[Doc]:
    """One ``OrderHoldType`` detail per hold put, resolved or re-reasoned on the order or line."""

    def holds_of(element: Doc | None) -> dict[str, Doc]:
        node = (element or {}).get("OrderHoldTypes")
        found = as_list(node.get("OrderHoldType")) if isinstance(node, dict) else []
        return {str(h.get("OrderHoldTypeKey", "")): h for h in found if h.get("OrderHoldTypeKey")}

    old_holds, new_holds = holds_of(old), holds_of(new)
    details = []
    for key, hold in new_holds.items():
        previous = old_holds.get(key)
        rows = [r for r in diff(previous, hold) if r["Name"] in HOLD_AUDITED]
        if rows:
            hold_ids = {**ids, "OrderHoldTypeKey": key, "HoldType": str(hold.get("HoldType", ""))}
            verb = action if previous is not None else "Create"
            details.append(_detail("OrderHoldType", verb, rows, hold_ids))
    return details


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
    action = "Create" if before is None else "Update"
    details: list[Doc] = []
    header_rows = diff(before, after)
    if header_rows:
        details.append(_detail("Order", action, header_rows, ids))
    for name in AUDITED_ELEMENTS:
        rows = diff((before or {}).get(name), after.get(name))
        if rows:
            details.append(_detail(name, action, rows, ids))
    details.extend(_hold_details(before, after, action, ids))
    line_levels = _line_levels(before, after, modification_types)
    if not details and not line_levels:
        return
    stamp = ctx.stamp()
    audit_key = ctx.new_key()
    audit: Doc = {
        "OrderAuditKey": audit_key,
        "AuditTransactionId": audit_key,
        "OrderHeaderKey": ohk,
        "OrderLineKey": "",
        "OrderReleaseKey": "",
        "ReasonCode": reason_code,
        "ReasonText": reason_text,
        "Createts": stamp,
        "Modifyts": stamp,
        "Createuserid": ctx.user,
        "Modifyuserid": ctx.user,
        "Createprogid": ctx.progid,
        "Modifyprogid": ctx.progid,
        "Order": {k: str(after.get(k, "")) for k in ("DocumentType", "EnterpriseCode", "OrderNo")},
        "OrderAuditLevels": {
            "OrderAuditLevel": [_level("ORDER", list(modification_types), details), *line_levels]
        },
    }
    ctx.tx.put_audit(ctx.ns, audit_key, ohk, audit)


#: OrderAudit attributes of IBM's default getOrderAuditList template (reference §7).
SUMMARY_ATTRIBUTES = (
    "AuditTransactionId",
    "Modifyts",
    "Modifyuserid",
    "ReasonCode",
    "ReasonText",
    "OrderAuditKey",
    "OrderHeaderKey",
    "OrderLineKey",
    "OrderReleaseKey",
)


def summary(audit: Doc) -> Doc:
    """The default getOrderAuditList view of a stored audit: its summary attributes, ``Order`` and the levels
    with their modification types and lines, without ``OrderAuditDetails``."""
    out: Doc = {name: str(audit.get(name, "")) for name in SUMMARY_ATTRIBUTES}
    out["Order"] = dict(audit.get("Order") or {})
    levels = as_list((audit.get("OrderAuditLevels") or {}).get("OrderAuditLevel"))
    out["OrderAuditLevels"] = {
        "OrderAuditLevel": [{k: v for k, v in lv.items() if k != "OrderAuditDetails"} for lv in levels]
    }
    return out
