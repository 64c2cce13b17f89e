"""APIs of the fulfilment family: scheduleOrder, releaseOrder, changeOrderStatus, getOrderReleaseList."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sterling_mock.client.wire import Doc, as_list, child
from sterling_mock.mock_server.apis.spec import ApiSpec
from sterling_mock.mock_server.base.errors import InvalidTransition, MandatoryMissing
from sterling_mock.mock_server.domain import statuses
from sterling_mock.mock_server.domain.alerts import alerts
from sterling_mock.mock_server.domain.context import Ctx, Output
from sterling_mock.mock_server.domain.fulfilment import lifecycle
from sterling_mock.mock_server.domain.holds import config as hold_types
from sterling_mock.mock_server.domain.holds import holds
from sterling_mock.mock_server.domain.orders import model, render
from sterling_mock.mock_server.domain.queries.query import compile_query, present
from sterling_mock.mock_server.domain.queries.templates import apply_template, item_template
from sterling_mock.mock_server.store.schema import lifecycle as sql

ORDER_KEYS = ("DocumentType", "OrderNo", "OrderHeaderKey", "EnterpriseCode")


def schedule_order(ctx: Ctx, doc: Doc) -> Output:
    """scheduleOrder (void): Created, Backordered and Unscheduled quantity -> 1500 Scheduled at a ship node;
    quantity no node can supply -> 1300 Backordered.  ``ScheduleAndRelease="Y"`` releases it too.

    Sourcing [INF]: the line's ShipNode, else the enterprise's DefaultShipNode, then (strict master data) every
    node holding the item, splitting a line over nodes when one cannot supply it all.  Lenient master data
    (the default) has unlimited supply.  ``CheckInventory="N"`` skips the inventory check.  Accepted and
    ignored: ``IgnoreTransactionDependencies`` (the fake has no dependencies), ``IgnoreMinNotificationTime``,
    ``PrimeLineNo``/``SubLineNo`` (the whole order is scheduled).  Nothing to schedule is not an error: the
    call changes nothing, as an agent run over a scheduled order does.  An active hold whose type blocks
    scheduling refuses the call (MOCK0700, nothing changed); a line held so is skipped; quantity newly
    backordered raises a LINE_BACKORDERED alert (setting ``alert_on_backorder``).
    """
    order = model.load(ctx, doc)
    before = lifecycle.snapshot(order)
    with holds.unheld_lines(ctx, order, hold_types.SCHEDULE):
        touched = lifecycle.schedule(ctx, order, check_inventory=present(doc, "CheckInventory") != "N")
    alerts.backorders(ctx, before, order)
    types = ["SCHEDULE"] if touched else []
    release_held = holds.blocking(ctx, order, order, hold_types.RELEASE)
    if present(doc, "ScheduleAndRelease") == "Y" and not release_held:
        with holds.unheld_lines(ctx, order, hold_types.RELEASE):
            released = lifecycle.release(ctx, order)
        if released:
            touched = model.lines_of(order)
            types.append("RELEASE")
    if touched:
        lifecycle.commit(ctx, order, before, types, touched, doc)
    return Output.none()


def release_order(ctx: Ctx, doc: Doc) -> Output:
    """releaseOrder (void): 1500 Scheduled -> 3200 Released, one new ``OrderRelease`` per ship node
    (``ReleaseNo`` 1, 2, ... per order).  Status rows of released quantity carry ``OrderReleaseKey`` and
    ``ShipNode``.  Accepted and ignored: ``IgnoreTransactionDependencies``, ``CheckInventory``,
    ``IgnoreReleaseDate`` (no release dates or dependencies in the fake).  Nothing scheduled: no change.
    An active hold whose type blocks release refuses the call (MOCK0700); a line held so is skipped.
    """
    order = model.load(ctx, doc)
    before = lifecycle.snapshot(order)
    with holds.unheld_lines(ctx, order, hold_types.RELEASE):
        released = lifecycle.release(ctx, order)
    if released:
        lifecycle.commit(ctx, order, before, ["RELEASE"], model.lines_of(order), doc)
    return Output.none()


# ------------------------------------------------------------------------------------------ status change


def _target(ctx: Ctx, order: Doc, raw: str | None, where: str) -> str:
    """A BaseDropStatus: a code of the pipeline, or a sub-status of one (``3200.10``) [INF: sub-statuses an
    instance configured are accepted even when the pipeline file does not describe them]."""
    if raw is None:
        raise MandatoryMissing(
            f"BaseDropStatus is mandatory ({where}).", attributes={"Name": "BaseDropStatus"}
        )
    pipeline = lifecycle.pipeline_of(ctx, order)
    code = raw.strip()
    if not statuses.is_code(code) or not (pipeline.known(code) or pipeline.known(statuses.base_of(code))):
        raise InvalidTransition(
            f"BaseDropStatus {raw} is not a status of the {order['DocumentType']} pipeline.",
            attributes={"BaseDropStatus": raw},
        )
    return code


def _release_filter(ctx: Ctx, order: Doc, doc: Doc) -> str | None:
    key = present(doc, "OrderReleaseKey")
    number = present(doc, "ReleaseNo")
    if key or number:
        for header in sql.releases_of(ctx.tx, ctx.ns, order["OrderHeaderKey"]):
            if header["OrderReleaseKey"] == key or (not key and header["ReleaseNo"] == number):
                return str(header["OrderReleaseKey"])
        raise InvalidTransition(
            f"Order {order['OrderNo']} has no release {key or number}.",
            attributes={"OrderReleaseKey": key or "", "ReleaseNo": number or ""},
        )
    return None


def _plan(ctx: Ctx, order: Doc, doc: Doc) -> list[tuple[Doc, list[Doc], Decimal, str]]:
    """(line, rows to take from, quantity, target) for each line to change — checked, nothing moved yet."""
    header_target = present(doc, "BaseDropStatus")
    any_move = present(doc, "IgnoreTransactionDependencies") == "Y" or ctx.settings.allow_any_transition
    release_key = _release_filter(ctx, order, doc)
    pipeline = lifecycle.pipeline_of(ctx, order)
    wrapper = child(doc, "OrderLines")
    given = as_list(wrapper.get("OrderLine") if wrapper else None)
    everything = present(doc, "ChangeForAllAvailableQty") == "Y" or not given
    requests = given or [{"OrderLineKey": ln["OrderLineKey"]} for ln in model.lines_of(order)]
    plan = []
    for entry in requests:
        line = lifecycle.find_line(order, entry)
        target = _target(ctx, order, present(entry, "BaseDropStatus") or header_target, "OrderStatusChange")
        rows = lifecycle.line_movable(pipeline, line, target, any_move=any_move)
        rows = [r for r in rows if release_key is None or r.get("OrderReleaseKey") == release_key]
        available = sum((lifecycle.qty(r) for r in rows), Decimal(0))
        if everything or present(entry, "ChangeForAllAvailableQty") == "Y":
            wanted = available
        elif present(entry, "Quantity") is None:
            raise MandatoryMissing(
                f'Line {line["PrimeLineNo"]}: give Quantity or ChangeForAllAvailableQty="Y".',
                attributes={"Name": "Quantity", "OrderLineKey": line["OrderLineKey"]},
            )
        else:
            wanted = model.decimal_of(entry, "Quantity", minimum=Decimal(0))
        if wanted > available or (given and wanted == 0 and not everything):
            raise _refusal(pipeline, line, target, wanted, available)
        if wanted > 0:
            plan.append((line, rows, wanted, target))
    if not plan:
        raise InvalidTransition(
            f"No quantity of order {order['OrderNo']} can move to {header_target}: the order is at "
            f"{order['MinOrderStatus']}-{order['MaxOrderStatus']} ({order['Status']}).",
            attributes={
                "BaseDropStatus": header_target or "",
                "MaxOrderStatus": str(order["MaxOrderStatus"]),
            },
        )
    return plan


def _refusal(pipeline: Any, line: Doc, target: str, wanted: Decimal, available: Decimal) -> InvalidTransition:
    held = ", ".join(f"{r['StatusQty']} at {r['Status']}" for r in model.line_rows(line)) or "nothing"
    return InvalidTransition(
        f"Line {line['PrimeLineNo']}: {model.qty_text(wanted)} cannot move to {target} "
        f"({pipeline.describe(target)}); {model.qty_text(available)} may (the line holds {held}).",
        attributes={
            "OrderLineKey": str(line["OrderLineKey"]),
            "BaseDropStatus": target,
            "Quantity": model.qty_text(wanted),
            "MovableQty": model.qty_text(available),
        },
    )


def change_order_status(ctx: Ctx, doc: Doc) -> Output:
    """changeOrderStatus: moves quantity to ``BaseDropStatus`` (header, or per line) along the pipeline.

    Lines by ``OrderLineKey`` or ``PrimeLineNo``/``SubLineNo`` with ``Quantity`` or
    ``ChangeForAllAvailableQty="Y"``; with no lines, all movable quantity of every line moves [INF: captured
    flows send no lines and an empty ChangeForAllAvailableQty and expect the order to move].
    ``OrderReleaseKey``/``ReleaseNo`` limit the move to one release.  A move the pipeline does not allow is
    refused (MOCK0200, nothing changed) unless ``IgnoreTransactionDependencies="Y"`` or the
    ``allow_any_transition`` setting, which let any open (not cancelled) quantity move.  ``TransactionId`` is
    accepted and not checked: transactions are instance configuration.  Quantity in a shipment moved here
    does not change the shipment.  A move to 1500 or beyond (not 9000) is refused (MOCK0700) while a hold on
    the order or line blocks the matching transaction (scheduling, release, shipment).  Output [INF]: the
    order's keys (``DocumentType OrderNo OrderHeaderKey
    EnterpriseCode``); a template selects from the full order.
    """
    order = model.load(ctx, doc)
    before = lifecycle.snapshot(order)
    plan = _plan(ctx, order, doc)
    for line, _rows, _wanted, target in plan:
        transaction = holds.transaction_for(target)
        if transaction is not None:  # a held order or line does not move on (MOCK0700)
            holds.check(ctx, order, transaction, [line])
    for line, rows, wanted, target in plan:
        lifecycle.take(ctx, line, rows, wanted, target)
    lifecycle.commit(ctx, order, before, ["CHANGE_STATUS"], [p[0] for p in plan], doc)
    return order_output(ctx, order)


def order_output(ctx: Ctx, order: Doc) -> Output:
    if ctx.template is not None:
        descriptions = lifecycle.pipeline_of(ctx, order).descriptions
        full = render.full_order(order, ctx.settings, descriptions)
        return Output("Order", apply_template("Order", full, ctx.template))
    return Output("Order", {k: order[k] for k in ORDER_KEYS})


# ------------------------------------------------------------------------------------------ releases


RELEASE_FIELDS = {
    "OrderReleaseKey": "text",
    "OrderHeaderKey": "text",
    "ReleaseNo": "number",
    "ShipNode": "text",
    "EnterpriseCode": "text",
    "DocumentType": "text",
    "SellerOrganizationCode": "text",
    "BuyerOrganizationCode": "text",
    "SalesOrderNo": "text",
    "Status": "status",
    "MinOrderReleaseStatus": "status",
    "MaxOrderReleaseStatus": "status",
    "Createts": "datetime",
    "Modifyts": "datetime",
}


def release_view(ctx: Ctx, order: Doc, header: Doc) -> Doc:
    """One OrderRelease as getOrderReleaseList answers it, with lines and statuses read from the order."""
    pipeline = lifecycle.pipeline_of(ctx, order)
    lines = lifecycle.release_lines(order, header["OrderReleaseKey"])
    pairs = [(str(r["Status"]), float(r["StatusQty"])) for _, rows in lines for r in rows]
    low, high = statuses.min_max(pairs)
    out = dict(header)
    out.update(
        Status=high,
        StatusDescription=pipeline.describe(high),
        MinOrderReleaseStatus=low,
        MaxOrderReleaseStatus=high,
        OrderNo=order["OrderNo"],
    )
    out["Order"] = {k: order[k] for k in ORDER_KEYS}
    out["OrderLines"] = {
        "OrderLine": [
            {
                "OrderLineKey": line["OrderLineKey"],
                "PrimeLineNo": line["PrimeLineNo"],
                "SubLineNo": line["SubLineNo"],
                "ItemID": str((line.get("Item") or {}).get("ItemID", "")),
                "UnitOfMeasure": str((line.get("Item") or {}).get("UnitOfMeasure", "")),
                "StatusQuantity": render.qty(
                    model.qty_text(sum((lifecycle.qty(r) for r in rows), Decimal(0))), ctx.settings
                ),
            }
            for line, rows in lines
        ]
    }
    return out


def get_order_release_list(ctx: Ctx, doc: Doc) -> Output:
    """getOrderReleaseList: ``OrderReleaseList TotalOrderReleaseList LastOrderReleaseKey LastRecordSet
    ReadFromHistory`` with one ``OrderRelease`` per release (filters per reference §9 on its attributes;
    ``Status`` is the release's highest status code).  Default output [INF]: the release header, its
    ``Order`` keys and ``OrderLines/OrderLine`` with the released ``StatusQuantity``.  Ordered by
    OrderReleaseKey unless OrderBy says otherwise; no history store (``ReadFromHistory="Y"`` finds none).
    """
    query = compile_query(doc, RELEASE_FIELDS)
    history = present(doc, "ReadFromHistory") or ""
    ohk = present(doc, "OrderHeaderKey")
    if history == "Y":
        pairs: list[tuple[str, str]] = []
    elif ohk and present(doc, "OrderHeaderKeyQryType") in (None, "EQ"):
        pairs = [(h["OrderReleaseKey"], ohk) for h in sql.releases_of(ctx.tx, ctx.ns, ohk)]
    else:
        pairs = sql.release_keys(ctx.tx, ctx.ns)
    limit = query.max_records or ctx.settings.default_max_records
    orders: dict[str, Doc] = {}
    found: list[Doc] = []
    for release_key, order_key in pairs:
        order = orders.get(order_key) or ctx.tx.get_order(ctx.ns, order_key)
        header = sql.get_release(ctx.tx, ctx.ns, release_key)
        if order is None or header is None:
            continue
        orders[order_key] = order
        view = release_view(ctx, order, header)
        if query.matches(view):
            found.append(view)
    found = query.sort(found)
    more = len(found) > limit
    found = found[:limit]
    attrs = {
        "TotalOrderReleaseList": str(len(found)),
        "LastOrderReleaseKey": found[-1]["OrderReleaseKey"] if found else "",
        "LastRecordSet": "N" if more else "Y",
        "ReadFromHistory": history,
    }
    return Output("OrderReleaseList", list_doc(ctx, "OrderReleaseList", "OrderRelease", found, attrs))


def list_doc(ctx: Ctx, root: str, item: str, items: list[Doc], attrs: dict[str, str]) -> Doc:
    """A list output, pruned by the call's template when it has one (paging attributes always kept)."""
    if ctx.template is None:
        return {item: items, **attrs} if items else dict(attrs)
    sub = item_template(ctx.template, item)
    pruned = [apply_template(item, view, sub, keep_paging=False) for view in items] if sub is not None else []
    return {item: pruned, **attrs} if pruned else dict(attrs)


APIS = {
    "scheduleOrder": ApiSpec(schedule_order, "ScheduleOrder", "Output", writes=True, void=True),
    "releaseOrder": ApiSpec(release_order, "ReleaseOrder", "Output", writes=True, void=True),
    "changeOrderStatus": ApiSpec(change_order_status, "OrderStatusChange", "Order", writes=True),
    "getOrderReleaseList": ApiSpec(get_order_release_list, "OrderRelease", "OrderReleaseList"),
}
