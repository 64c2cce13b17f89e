"""changeOrder: header changes, order and line cancellation, line CREATE/MODIFY/CANCEL/REMOVE (reference §7)."""

from __future__ import annotations

import copy
from decimal import Decimal

from sterling_mock.client.wire import Doc, as_list, child
from sterling_mock.mock_server.apis.spec import ApiSpec
from sterling_mock.mock_server.base.errors import ChangeNotAllowed, InvalidOrderLine, InvalidValue
from sterling_mock.mock_server.domain import clock, intake, statuses
from sterling_mock.mock_server.domain.context import Ctx, Output
from sterling_mock.mock_server.domain.orders import audit, model, render
from sterling_mock.mock_server.domain.queries.query import present
from sterling_mock.mock_server.domain.queries.templates import apply_template

#: Attributes changeOrder never takes from its input: identity, what Sterling derives, and the call's verbs.
FIXED = frozenset(
    {
        "OrderHeaderKey",
        "OrderNo",
        "EnterpriseCode",
        "DocumentType",
        "Status",
        "MinOrderStatus",
        "MaxOrderStatus",
        "MinOrderStatusDesc",
        "MaxOrderStatusDesc",
        "Action",
        "Override",
        "ModificationReasonCode",
        "ModificationReasonText",
        "SelectMethod",
        *render.AUDIT_ATTRS,
    }
)
LINE_FIXED = frozenset(
    {
        "OrderLineKey",
        "OrderHeaderKey",
        "PrimeLineNo",
        "SubLineNo",
        "OrderedQty",
        "OriginalOrderedQty",
        "OpenQty",
        "Status",
        "MinLineStatus",
        "MaxLineStatus",
        "MinLineStatusDesc",
        "MaxLineStatusDesc",
        "Action",
        *render.AUDIT_ATTRS,
    }
)
DATES = ("OrderDate", "ReqDeliveryDate", "ReqShipDate")
#: Quantity at or past 3350 (on a shipment) is no longer cancellable [INF: Sterling needs the shipment changed
#: first]; 9000 is already cancelled.
CANCELLABLE_BELOW = statuses.sort_key("3350")
#: Keyed child lists merged by changeOrder: (wrapper, element, attributes that identify an entry, change type).
MERGED = (
    ("OrderDates", "OrderDate", ("DateTypeId",), "CHANGE_ORDER_DATE"),
    ("References", "Reference", ("Name",), "OTHERS"),
    ("PaymentMethods", "PaymentMethod", ("PaymentKey",), "PAYMENT_METHOD"),
    ("HeaderCharges", "HeaderCharge", ("ChargeCategory", "ChargeName"), "PRICE"),
    ("HeaderTaxes", "HeaderTax", ("TaxName",), "PRICE"),
)


def _strings(doc: Doc, skip: frozenset[str]) -> dict[str, str]:
    return {k: v for k, v in doc.items() if isinstance(v, str) and v != "" and k not in skip}


def _merge_entries(ctx: Ctx, target: Doc, wrapper: str, name: str, keys: tuple[str, ...], given: Doc) -> bool:
    entries = as_list(given.get(name))
    if not entries:
        return False
    node = target.setdefault(wrapper, {})
    existing = as_list(node.get(name))
    for entry in entries:
        values = _strings(entry, frozenset())
        match = next(
            (e for e in existing if keys and all(values.get(k) and e.get(k) == values[k] for k in keys)), None
        )
        if match is None:
            if name == "PaymentMethod":
                values.setdefault("PaymentKey", ctx.new_key())
            existing.append(values)
        else:
            match.update(values)
    node[name] = existing
    return True


def _cancel(line: Doc, quantity: Decimal) -> None:
    """Move ``quantity`` of open (cancellable) quantity to 9000, least progressed statuses first."""
    rows = model.line_rows(line)
    open_rows = sorted(
        (r for r in rows if _cancellable(r)), key=lambda r: statuses.sort_key(str(r["Status"]))
    )
    available = sum((Decimal(r["StatusQty"]) for r in open_rows), Decimal(0))
    if quantity > available:
        raise ChangeNotAllowed(
            f"Line {line.get('PrimeLineNo')}: only {model.qty_text(available)} of the quantity can still be "
            f"cancelled (shipped or cancelled quantity cannot).",
            attributes={
                "OrderLineKey": str(line.get("OrderLineKey")),
                "CancellableQty": model.qty_text(available),
            },
        )
    remaining = quantity
    for row in open_rows:
        take = min(remaining, Decimal(row["StatusQty"]))
        row["StatusQty"] = model.qty_text(Decimal(row["StatusQty"]) - take)
        remaining -= take
    cancelled = next((r for r in rows if r.get("Status") == statuses.CANCELLED), None)
    if cancelled is None and quantity > 0:
        rows.append({"Status": statuses.CANCELLED, "StatusQty": "0"})
        cancelled = rows[-1]
    if cancelled is not None:
        cancelled["StatusQty"] = model.qty_text(Decimal(cancelled["StatusQty"]) + quantity)
    line["OrderStatuses"] = {"OrderStatus": [r for r in rows if Decimal(r["StatusQty"]) > 0]}


def _cancellable(row: Doc) -> bool:
    code = str(row.get("Status", ""))
    return (
        code != statuses.CANCELLED
        and statuses.sort_key(code) < CANCELLABLE_BELOW
        and Decimal(row["StatusQty"]) > 0
    )


def _open_qty(line: Doc) -> Decimal:
    return sum((Decimal(r["StatusQty"]) for r in model.line_rows(line) if _cancellable(r)), Decimal(0))


def _find_line(order: Doc, given: Doc) -> Doc | None:
    found = model.line_named(order, given)
    if found is not None:
        return found
    key = present(given, "OrderLineKey")
    prime, sub = present(given, "PrimeLineNo"), present(given, "SubLineNo") or "1"
    if key or present(given, "Action") in ("MODIFY", "CANCEL", "REMOVE"):
        raise InvalidOrderLine(
            f"No line {key or f'{prime}/{sub}'} on order {order.get('OrderNo')}.",
            attributes={"OrderLineKey": key or "", "PrimeLineNo": prime or "", "SubLineNo": sub},
        )
    return None


def _new_line(ctx: Ctx, order: Doc, given: Doc) -> None:
    lines = model.lines_of(order)
    seen = {(str(ln.get("PrimeLineNo")), str(ln.get("SubLineNo"))) for ln in lines}
    index = max((int(p) for p, _ in seen if p.isdigit()), default=0) + 1
    initial = statuses.DRAFT if order.get("DraftOrderFlag") == "Y" else statuses.CREATED
    clean = {k: v for k, v in given.items() if k != "Action"}
    lines.append(model.new_line(ctx, order, clean, index, initial, seen))
    order["OrderLines"] = {"OrderLine": lines}


def _modify_line(ctx: Ctx, line: Doc, given: Doc, types: set[str]) -> None:
    line.update(_strings(given, LINE_FIXED))
    for name in ("Item", "LinePriceInfo", "Extn"):
        node = child(given, name)
        if node is not None:
            if name == "LinePriceInfo":
                model.decimal_of(node, "UnitPrice", minimum=Decimal(0))
                types.add("PRICE")
            line.setdefault(name, {}).update(_strings(node, frozenset({"ItemID"} if name == "Item" else ())))
    notes = child(given, "Notes")
    if notes is not None and as_list(notes.get("Note")):
        _append_notes(ctx, line, notes)
        types.add("NOTE")
    wanted = present(given, "OrderedQty")
    if wanted is not None:
        target = model.decimal_of(given, "OrderedQty", minimum=Decimal(0))
        current = Decimal(line["OrderedQty"])
        if target < current:
            _cancel(line, current - target)
            types.add("CANCEL")
        elif target > current:
            _add_quantity(ctx, line, target - current)
            types.add("CHANGE_ORDERED_QTY")
    model.touch(ctx, line)


def _add_quantity(ctx: Ctx, line: Doc, extra: Decimal) -> None:
    rows = model.line_rows(line)
    row = next((r for r in rows if r.get("Status") == statuses.CREATED), None)
    if row is None:
        rows.append({"Status": statuses.CREATED, "StatusQty": "0", "StatusDate": ctx.stamp()})
        row = rows[-1]
    row["StatusQty"] = model.qty_text(Decimal(row["StatusQty"]) + extra)
    line["OriginalOrderedQty"] = model.qty_text(
        Decimal(str(line.get("OriginalOrderedQty", line["OrderedQty"]))) + extra
    )
    line["OrderStatuses"] = {"OrderStatus": rows}


def _append_notes(ctx: Ctx, element: Doc, given: Doc) -> None:
    """Notes are appended, never replaced [DOC: changeOrder adds a note per Note element]."""
    node = element.setdefault("Notes", {})
    notes = as_list(node.get("Note"))
    for note in as_list(given.get("Note")):
        notes.append(
            {
                **_strings(note, frozenset()),
                "NotesKey": ctx.new_key(),
                "ContactTime": ctx.stamp(),
                "ContactUser": ctx.user,
            }
        )
    node["Note"] = notes
    node["NumberOfNotes"] = str(len(notes))


def _change_lines(ctx: Ctx, order: Doc, doc: Doc, types: set[str]) -> None:
    wrapper = child(doc, "OrderLines")
    for given in as_list(wrapper.get("OrderLine") if wrapper else None):
        action = present(given, "Action")
        if action not in (None, "CREATE", "MODIFY", "CANCEL", "REMOVE"):
            raise InvalidValue(
                f"OrderLine Action={action!r}: use CREATE, MODIFY, CANCEL or REMOVE.",
                attributes={"Name": "Action", "Value": action or ""},
            )
        line = None if action == "CREATE" else _find_line(order, given)
        if line is None:
            _new_line(ctx, order, given)
            types.add("ADD_LINE")
        elif action == "CANCEL":
            if _open_qty(line) == 0:
                raise ChangeNotAllowed(
                    f"Line {line.get('PrimeLineNo')} has no open quantity: shipped or cancelled quantity cannot be "
                    "cancelled.",
                    attributes={"OrderLineKey": str(line.get("OrderLineKey")), "CancellableQty": "0"},
                )
            _cancel(line, _open_qty(line))
            model.touch(ctx, line)
            types.add("CANCEL")
        elif action == "REMOVE":
            _remove(order, line)
            types.add("REMOVE_LINE")
        else:
            _modify_line(ctx, line, given, types)


def _remove(order: Doc, line: Doc) -> None:
    """Only lines nothing has happened to (draft or created) can be removed [DOC: REMOVE is for draft lines]."""
    if any(
        statuses.sort_key(str(r["Status"])) > statuses.sort_key(statuses.CREATED)
        for r in model.line_rows(line)
    ):
        raise ChangeNotAllowed(
            f"Line {line.get('PrimeLineNo')} has progressed past Created: cancel it instead.",
            attributes={"OrderLineKey": str(line.get("OrderLineKey"))},
        )
    order["OrderLines"] = {"OrderLine": [ln for ln in model.lines_of(order) if ln is not line]}


def _change_header(ctx: Ctx, order: Doc, doc: Doc, types: set[str]) -> None:
    values = _strings(doc, FIXED)
    for name in DATES:
        if name in values:
            values[name] = clock.normalise_datetime(values[name], attribute=name)
            types.add("CHANGE_ORDER_DATE")
    if "HoldFlag" in values or "HoldReasonCode" in values:
        types.add("HOLD")
    if values:
        order.update(values)
        types.add("OTHERS")
    for name in model.ADDRESS_ELEMENTS:
        node = child(doc, name)
        if node is not None and _strings(node, frozenset({"PersonInfoKey"})):
            target = order.setdefault(name, {"PersonInfoKey": ctx.new_key()})
            target.update(_strings(node, frozenset({"PersonInfoKey"})))
            types.add("ADDRESS")
    extn = child(doc, "Extn")
    if extn is not None and _strings(extn, frozenset()):
        order.setdefault("Extn", {}).update(_strings(extn, frozenset()))
        types.add("OTHERS")
    notes = child(doc, "Notes")
    if notes is not None and as_list(notes.get("Note")):
        _append_notes(ctx, order, notes)
        types.add("NOTE")
    for wrapper, name, keys, change in MERGED:
        node = child(doc, wrapper)
        if node is not None and _merge_entries(ctx, order, wrapper, name, keys, node):
            types.add(change)


def change_order(ctx: Ctx, doc: Doc) -> Output:
    """changeOrder by OrderHeaderKey or natural key; ``Override="Y"`` is accepted (the fake has no modification
    rules to override).  ``Action="CANCEL"`` cancels all open quantity; a lower line ``OrderedQty`` cancels
    the difference (least progressed quantity first), a higher one adds Created quantity.  A line given
    without Action that matches no line (by PrimeLineNo/SubLineNo) is created, as Sterling does.

    Refused with nothing changed: any change to a cancelled order, cancelling or lowering below shipped or
    cancelled quantity (quantity from 3350 Included In Shipment on is not cancellable), REMOVE of a line
    past Created, an unknown OrderLineKey (MOCK0310).  Default output [INF]: ``DocumentType, OrderNo,
    OrderHeaderKey, EnterpriseCode`` as createOrder's captured default — the REST PATCH answer carries ``id``
    and ``OrderNo`` — and a template selects anything else.  Every call advances Modifyts and writes an
    audit (ModificationTypes derived from what changed).
    """
    order = model.load(ctx, doc)
    before = copy.deepcopy(order)
    if order.get("MinOrderStatus") == statuses.CANCELLED:
        raise ChangeNotAllowed(
            f"Order {order['OrderNo']} is cancelled and cannot be changed.",
            attributes={"OrderHeaderKey": order["OrderHeaderKey"]},
        )
    action = present(doc, "Action")
    if action not in (None, "CANCEL", "MODIFY"):
        raise InvalidValue(
            f"Action={action!r}: use CANCEL or MODIFY.", attributes={"Name": "Action", "Value": action}
        )
    types: set[str] = set()
    _change_header(ctx, order, doc, types)
    _change_lines(ctx, order, doc, types)
    holds_changed = intake.before_save(ctx, order, doc, creating=False)
    if holds_changed:
        types.add("HOLD")
    if action == "CANCEL":
        open_lines = [ln for ln in model.lines_of(order) if _open_qty(ln) > 0]
        if not open_lines:
            raise ChangeNotAllowed(
                f"Order {order['OrderNo']} has no open quantity left to cancel.",
                attributes={"OrderHeaderKey": order["OrderHeaderKey"]},
            )
        for line in open_lines:
            _cancel(line, _open_qty(line))
            model.touch(ctx, line)
        types.add("CANCEL")
    model.touch(ctx, order)
    model.save(ctx, order, insert=False)
    intake.after_save(ctx, order, holds_changed)
    audit.record(
        ctx,
        before,
        order,
        sorted(types) or ["OTHERS"],
        present(doc, "ModificationReasonCode") or "",
        present(doc, "ModificationReasonText") or "",
    )
    if ctx.template is not None:
        full = render.full_order(order, ctx.settings, ctx.pipelines.get(order["DocumentType"]).descriptions)
        return Output(
            "Order", apply_template("Order", full, ctx.template), meta={"id": order["OrderHeaderKey"]}
        )
    keys = ("DocumentType", "OrderNo", "OrderHeaderKey", "EnterpriseCode")
    return Output("Order", {k: order[k] for k in keys}, meta={"id": order["OrderHeaderKey"]})


APIS = {
    "changeOrder": ApiSpec(change_order, "Order", "Order", writes=True),
}
