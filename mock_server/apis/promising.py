"""APIs of promising and reservations: findInventory, reserveAvailableInventory, cancelReservation."""

from __future__ import annotations

from decimal import Decimal

from sterling_mock.client.wire import Doc, child
from sterling_mock.mock_server.apis.spec import ApiSpec
from sterling_mock.mock_server.base.errors import RecordAlreadyExists, ReservationMismatch
from sterling_mock.mock_server.domain import clock
from sterling_mock.mock_server.domain.context import Ctx, Output
from sterling_mock.mock_server.domain.inventory import promising, reservations, sourcing, supply
from sterling_mock.mock_server.domain.orders.model import qty_text
from sterling_mock.mock_server.store.schema import inventory as sql


def find_inventory(ctx: Ctx, doc: Doc) -> Output:
    """findInventory: ``Promise`` with ``PromiseLines/PromiseLine@LineId,ItemID,RequiredQty,UnitOfMeasure,
    ProductClass,DeliveryMethod,ShipNode``, optional ``ShipToAddress``, ``ShipNodes/ShipNode@Node``
    (candidates) and ``ExcludedShipNodes/ShipNode@Node`` -> the Promise's attributes with
    ``SuggestedOption/Option@OptionNo,FirstDate,LastDate,NodeQty,TotalShipments,HasAnyUnavailableQty``,
    its ``Interactions/Interaction`` and ``PromiseLines/PromiseLine/Assignments/Assignment@ShipNode,Quantity,
    ShipDate,DeliveryDate,ProductAvailDate,NodePriority,ReservedQty,Distance,InteractionNo``,
    ``SuggestedOption/UnavailableLines/UnavailableLine@...,AssignedQty,UnavailableQty`` and
    ``Options@TotalNumberOfRecords="0"`` [OBS shape].

    Sourcing and dates [INF, docs/inventory.md]: nodes nearest the ship-to first (state, ZIP region or
    country centroids), then node priority, then name; on-hand supply first across nodes, then future supply
    by ETA; a line splits over nodes unless ``ShipFromSingleNode="Y"`` (on the Promise or the line) [INF
    attribute]; ship today from on hand or on the ETA, delivery 1 day per started 500 miles (3 unplaced,
    0 for PICK).  ``CheckInventory="N"`` assigns everything to the first candidate.  An item with no supply
    record is always available unless strict inventory is on.  Nothing is reserved (``ReservedQty="0"``).
    Ignored: ``AllocationRuleID``, ``FulfillmentType``, ``OptimizationType`` (one rule in the fake), other
    options (``Options`` is always empty), procurement, substitutions, bundles, capacity, and time zones
    (dates are midnight UTC).
    """
    request = promising.read(ctx, doc)
    planned = promising.plan(ctx, request)
    out = promising.echo(doc)
    out["SuggestedOption"] = promising.suggested_option(ctx, request, planned)
    out["Options"] = {"TotalNumberOfRecords": "0"}
    return Output("Promise", out)


def reserve_available_inventory(ctx: Ctx, doc: Doc) -> Output:
    """reserveAvailableInventory: a ``Promise`` as findInventory takes it plus ``ReservationParameters@
    ReservationID,ExpirationDate,AllowPartialReservation,AllowMultipleReservations`` -> the Promise's
    attributes, the parameters as applied, and ``PromiseLines/PromiseLine@LineId,ItemID,...,RequiredQty,
    ReservedQty`` each with ``Reservations/Reservation@ReservationID,ShipNode,ReservedQty,
    ProductAvailabilityDate,ExpirationDate`` per node used [OBS callers read ``Reservation@ReservationID``;
    the rest INF].

    The quantity is planned as findInventory plans it (future supply included) and held until
    ``ExpirationDate`` (default now + 1 hour on the virtual clock [INF]) or until an order line naming the
    ReservationID consumes it.  ``AllowPartialReservation="N"`` (default [INF]) reserves nothing on a line
    that cannot get all of it.  A ReservationID already on file is refused (YFC0001) unless
    ``AllowMultipleReservations="Y"``, which adds to it; without one the fake draws a key.  An item with no
    supply record (lenient) is reserved without limit.  Concurrent calls are serialised by the store's write
    transaction and the item's supply rows are row-locked: they never hand out more than the supply.
    """
    params = child(doc, "ReservationParameters") or {}
    request = promising.read(ctx, doc)
    partial = supply.text(params, "AllowPartialReservation", "N") == "Y"
    reservation_id = supply.text(params, "ReservationID") or ctx.new_key()
    expires = reservations.expiry(ctx, supply.text(params, "ExpirationDate"))
    if (
        sql.reservation(ctx.tx, ctx.ns, reservation_id)
        and supply.text(params, "AllowMultipleReservations") != "Y"
    ):
        raise RecordAlreadyExists(
            f"Reservation {reservation_id!r} exists.", attributes={"ReservationID": reservation_id}
        )
    supply.ensure(ctx)
    planned = promising.plan(ctx, request, lock=True)
    existing = {(r["item_id"], r["node"]): r for r in sql.reservation(ctx.tx, ctx.ns, reservation_id)}
    lines = []
    for item in planned:
        held = [] if item.short > 0 and not partial else item.assignments
        shown = []
        for a in held:
            key = (item.line.item, a.node)
            before = Decimal(str(existing[key]["qty"])) if key in existing else Decimal(0)
            row = {
                "reservation_id": reservation_id,
                "item_id": item.line.item,
                "uom": item.line.uom,
                "pclass": item.line.pclass,
                "node": a.node,
                "qty": float(before + a.qty),
                "expires": expires,
                "created": clock.column_value(ctx.now()),
                "ohk": "",
                "olk": "",
            }
            existing[key] = row
            sql.put_reservation(ctx.tx, ctx.ns, row)
            shown.append(
                {
                    "ReservationID": reservation_id,
                    "ShipNode": a.node,
                    "ReservedQty": qty_text(a.qty),
                    "ProductAvailabilityDate": sourcing.stamp(sourcing.ship_day(ctx, a.avail)),
                    "ExpirationDate": reservations.shown(expires),
                }
            )
        reserved = sum((a.qty for a in held), Decimal(0))
        extra: Doc = {
            "ReservedQty": qty_text(reserved),
            "Reservations": {"Reservation": shown} if shown else {},
        }
        lines.append(promising.line_doc(item, extra))
    out = promising.echo(doc)
    out["ReservationParameters"] = {
        "ReservationID": reservation_id,
        "ExpirationDate": reservations.shown(expires),
        "AllowPartialReservation": "Y" if partial else "N",
    }
    out["PromiseLines"] = {"PromiseLine": lines}
    return Output("Promise", out)


def cancel_reservation(ctx: Ctx, doc: Doc) -> Output:
    """cancelReservation (void [INF]): ``CancelReservation@ReservationID`` (mandatory), optional ``ItemID``,
    ``ShipNode`` and ``QtyToBeCancelled`` narrowing what is given back (all of it by default).  Unknown or
    already consumed: MOCK0900; expired: MOCK0901 (an expired reservation holds nothing already).
    ``OrganizationCode``, ``UnitOfMeasure``, ``ProductClass`` are accepted and not checked.
    """
    reservation_id = supply.required(doc, "ReservationID", "CancelReservation")
    rows = reservations.live(ctx, reservation_id)
    item = supply.text(doc, "ItemID")
    node = supply.text(doc, "ShipNode")
    chosen = [r for r in rows if (not item or r["item_id"] == item) and (not node or r["node"] == node)]
    if not chosen:
        raise ReservationMismatch(
            f"Reservation {reservation_id!r} holds no {item or '?'} at {node or 'any node'}.",
            attributes={"ReservationID": reservation_id, "ItemID": item, "ShipNode": node},
        )
    left = supply.quantity(doc, "QtyToBeCancelled", required=False) or None
    for row in chosen:
        qty = Decimal(str(row["qty"]))
        cut = qty if left is None else min(qty, left)
        if left is not None:
            left -= cut
        if cut >= qty:
            sql.delete_reservation(ctx.tx, ctx.ns, reservation_id, row["item_id"], row["node"])
        elif cut > 0:
            sql.put_reservation(ctx.tx, ctx.ns, {**row, "qty": float(qty - cut)})
    return Output.none()


APIS = {
    "findInventory": ApiSpec(find_inventory, "Promise", "Promise"),
    "reserveAvailableInventory": ApiSpec(reserve_available_inventory, "Promise", "Promise", writes=True),
    "cancelReservation": ApiSpec(cancel_reservation, "CancelReservation", "Output", writes=True, void=True),
}
