"""Holds on orders and lines: put and resolved through ``OrderHoldTypes/OrderHoldType`` on createOrder and
changeOrder (reference §14), flags derived from the active ones, and the check that a held order or line is
not scheduled, released or shipped.

A hold lives in the order document (``OrderHoldTypes/OrderHoldType`` on the order or a line: ``HoldType``,
``ReasonText``, ``Status`` 1100 Created or 1300 Resolved, keys, dates, who resolved it) and is copied into the
``aftercare`` table (kind ``hold``) so lists can find holds across orders.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sterling_mock.client.wire import Doc, as_list
from sterling_mock.mock_server.base.errors import (
    HoldNotFound,
    InvalidValue,
    MandatoryMissing,
    OrderOnHold,
    UnknownHoldType,
)
from sterling_mock.mock_server.domain.context import Ctx
from sterling_mock.mock_server.domain.holds import config
from sterling_mock.mock_server.domain.orders import model
from sterling_mock.mock_server.store.schema import aftercare

ACTIVE = "1100"
RESOLVED = "1300"
DESCRIPTIONS = {ACTIVE: "Created", RESOLVED: "Resolved"}
WRAPPER, ELEMENT = "OrderHoldTypes", "OrderHoldType"


def given(element: Doc) -> list[Doc]:
    """The OrderHoldType entries of an input element, in either form: ``{"OrderHoldType": [..]}`` or IBM's
    connector JSON ``"OrderHoldTypes": [{"OrderHoldType": {..}}]``."""
    wrapper: Any = element.get(WRAPPER)
    if isinstance(wrapper, str) or wrapper is None:
        return []
    entries: list[Doc] = []
    for part in as_list(wrapper):
        entries.extend(as_list(part.get(ELEMENT)))
    return entries


def held(element: Doc) -> list[Doc]:
    """The holds stored on an order or line (all statuses)."""
    node = element.get(WRAPPER)
    return as_list(node.get(ELEMENT)) if isinstance(node, dict) else []


def active(element: Doc) -> list[Doc]:
    return [h for h in held(element) if h.get("Status") == ACTIVE]


def _flags(element: Doc) -> None:
    on = active(element)
    element["HoldFlag"] = "Y" if on else "N"
    element["HoldReasonCode"] = str(on[0]["HoldType"]) if on else ""


def _entry(entry: Doc) -> tuple[str, str, str | None]:
    if not isinstance(entry.get("HoldType", ""), str):
        raise InvalidValue("OrderHoldType/@HoldType must be an attribute.", attributes={"Name": "HoldType"})
    hold_type = model.present(entry, "HoldType")
    if hold_type is None:
        raise MandatoryMissing("OrderHoldType needs a HoldType.", attributes={"Name": "HoldType"})
    status = model.present(entry, "Status")
    if status not in (None, ACTIVE, RESOLVED):
        raise InvalidValue(
            f"OrderHoldType Status={status!r}: use 1100 (hold) or 1300 (resolve).",
            attributes={"Name": "Status", "Value": str(status), "HoldType": hold_type},
        )
    return hold_type, status or ACTIVE, model.present(entry, "ReasonText")


def apply(ctx: Ctx, order: Doc, element: Doc, entries: list[Doc], line: Doc | None = None) -> list[str]:
    """Put or resolve the ``entries`` on ``element`` (the order, or ``line``); returns what happened, as
    ``APPLY:<type>`` / ``RESOLVE:<type>`` / ``REAPPLY:<type>`` (empty when nothing changed)."""
    enterprise = str(order.get("EnterpriseCode", ""))
    stored = [h for h in held(element) if h.get("OrderHoldTypeKey")]  # not a copy of an input's entries
    done: list[str] = []
    for entry in entries:
        hold_type, status, reason = _entry(entry)
        strict = ctx.settings.strict_hold_types
        if strict and config.find(ctx, enterprise, hold_type) is None:
            raise UnknownHoldType(
                f"Hold type {hold_type} is not configured for enterprise {enterprise}.",
                attributes={"HoldType": hold_type, "EnterpriseCode": enterprise},
            )
        found = next((h for h in stored if h.get("HoldType") == hold_type), None)
        if found is None:
            if status == RESOLVED and strict:
                raise HoldNotFound(
                    f"{'Line ' + str(line.get('PrimeLineNo')) if line else 'Order ' + str(order.get('OrderNo'))} "
                    f"has no hold {hold_type} to resolve.",
                    attributes={
                        "HoldType": hold_type,
                        "OrderHeaderKey": str(order.get("OrderHeaderKey", "")),
                    },
                )
            # IBM support 553315: a hold type not yet on the order is created at 1100, whatever Status says
            stored.append(_new(ctx, order, line, hold_type, reason))
            done.append("APPLY:" + hold_type)
            continue
        if reason is not None:
            found["ReasonText"] = reason
        if status != found.get("Status"):
            found.update(Status=status, StatusDescription=DESCRIPTIONS[status], LastHoldTypeDate=ctx.stamp())
            if status == RESOLVED:
                found["ResolverUserId"] = ctx.user
            done.append(("RESOLVE:" if status == RESOLVED else "REAPPLY:") + hold_type)
        found.update(Modifyts=ctx.stamp(), Modifyuserid=ctx.user)
    element.pop(WRAPPER, None)
    if stored:
        element[WRAPPER] = {ELEMENT: stored}
    _flags(element)
    return done


def _new(ctx: Ctx, order: Doc, line: Doc | None, hold_type: str, reason: str | None) -> Doc:
    stamp = ctx.stamp()
    return {
        "OrderHoldTypeKey": ctx.new_key(),
        "HoldType": hold_type,
        "ReasonText": reason or "",
        "Status": ACTIVE,
        "StatusDescription": DESCRIPTIONS[ACTIVE],
        "OrderHeaderKey": str(order.get("OrderHeaderKey", "")),
        "OrderLineKey": str(line.get("OrderLineKey", "")) if line else "",
        "LastHoldTypeDate": stamp,
        "ResolverUserId": "",
        "Createts": stamp,
        "Modifyts": stamp,
        "Createuserid": ctx.user,
        "Modifyuserid": ctx.user,
    }


def apply_input(ctx: Ctx, order: Doc, doc: Doc, *, creating: bool) -> list[str]:
    """Holds of a createOrder/changeOrder input at order and line level onto ``order`` (lines matched by
    OrderLineKey or PrimeLineNo/SubLineNo); the changes made (see ``apply``)."""
    done = []
    header = given(doc)
    if creating:
        order.pop(WRAPPER, None)
    if header:
        done += apply(ctx, order, order, header)
    line_inputs = doc.get("OrderLines")
    inputs = as_list(line_inputs.get("OrderLine")) if isinstance(line_inputs, dict) else []
    lines = model.lines_of(order)
    if creating:  # createOrder built one line per input line, in order
        pairs = list(zip(lines, inputs, strict=False))
        for line in lines:
            line.pop(WRAPPER, None)
    else:
        pairs = [
            (found, entry) for entry in inputs if given(entry) and (found := model.line_named(order, entry))
        ]
    for line, entry in pairs:
        entries = given(entry)
        if entries:
            done += [f"{c}@{line.get('PrimeLineNo')}" for c in apply(ctx, order, line, entries, line)]
    return done


def index(ctx: Ctx, order: Doc) -> None:
    """Rewrite the order's rows in the hold index (lists across orders read them)."""
    ohk = str(order["OrderHeaderKey"])
    aftercare.drop_order(ctx.tx, ctx.ns, "hold", ohk)
    for element, line in [(order, None), *((ln, ln) for ln in model.lines_of(order))]:
        for hold in held(element):
            view = dict(hold)
            view.update(
                OrderNo=str(order.get("OrderNo", "")),
                EnterpriseCode=str(order.get("EnterpriseCode", "")),
                DocumentType=str(order.get("DocumentType", "")),
                PrimeLineNo=str(line.get("PrimeLineNo", "")) if line else "",
                SubLineNo=str(line.get("SubLineNo", "")) if line else "",
            )
            status = str(hold.get("Status", ""))
            aftercare.put(ctx.tx, ctx.ns, "hold", str(hold["OrderHoldTypeKey"]), ohk, status, "", view)


def has_holds(order: Doc) -> bool:
    return bool(held(order)) or any(held(line) for line in model.lines_of(order))


# ------------------------------------------------------------------------------------------ blocking


def blocking(ctx: Ctx, order: Doc, element: Doc, transaction: str) -> list[str]:
    enterprise = str(order.get("EnterpriseCode", ""))
    return [
        str(h["HoldType"])
        for h in active(element)
        if config.blocks(ctx, enterprise, str(h["HoldType"]), transaction)
    ]


def check(ctx: Ctx, order: Doc, transaction: str, lines: list[Doc] | None = None) -> None:
    """Refuse (MOCK0700) when an active hold on the order, or on one of ``lines``, blocks ``transaction``."""
    on_order = blocking(ctx, order, order, transaction)
    if on_order:
        raise _refusal(order, None, on_order, transaction)
    for line in lines or []:
        on_line = blocking(ctx, order, line, transaction)
        if on_line:
            raise _refusal(order, line, on_line, transaction)


def _refusal(order: Doc, line: Doc | None, types: list[str], transaction: str) -> OrderOnHold:
    where = f"line {line.get('PrimeLineNo')} of order" if line else "order"
    attributes = {
        "OrderHeaderKey": str(order.get("OrderHeaderKey", "")),
        "OrderNo": str(order.get("OrderNo", "")),
        "HoldType": ",".join(types),
        "Transaction": config.TRANSACTION_IDS.get(transaction, transaction),
    }
    if line is not None:
        attributes["OrderLineKey"] = str(line.get("OrderLineKey", ""))
    return OrderOnHold(
        f"The {where} {order.get('OrderNo')} is on hold ({', '.join(types)}): "
        f"{transaction.lower()} is blocked until the hold is resolved.",
        attributes=attributes,
    )


@contextmanager
def unheld_lines(ctx: Ctx, order: Doc, transaction: str) -> Iterator[None]:
    """Refuse a held order; while inside, the order shows only the lines no hold blocks (lines held for the
    transaction are skipped, as Sterling's agents skip held lines), every line restored on the way out."""
    check(ctx, order, transaction)
    node = order.get("OrderLines")
    lines = model.lines_of(order)
    free = [line for line in lines if not blocking(ctx, order, line, transaction)]
    if len(free) == len(lines) or not isinstance(node, dict):
        yield
        return
    node["OrderLine"] = free
    try:
        yield
    finally:
        node["OrderLine"] = lines


def transaction_for(code: str) -> str | None:
    """The transaction a move to status ``code`` stands for, as holds see it [INF]: from 1500 scheduling,
    from 3200 release, from 3350 (on a shipment) to 9000 (excluded) shipment; None below 1500 and for 9000."""
    from sterling_mock.mock_server.domain import statuses

    key = statuses.sort_key(code)
    if code.split(".")[0] == statuses.CANCELLED or key < statuses.sort_key("1500"):
        return None
    if key >= statuses.sort_key("3350"):
        return config.SHIP
    return config.RELEASE if key >= statuses.sort_key("3200") else config.SCHEDULE
