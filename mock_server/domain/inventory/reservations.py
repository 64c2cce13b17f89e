"""Reservations: quantity set aside per item and node under a ReservationID until it expires (virtual
clock), is cancelled, or an order line that names it consumes it (it then holds until the line schedules or
cancels that quantity)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from sterling_mock.client.wire import Doc, as_list
from sterling_mock.mock_server.base.errors import (
    InvalidValue,
    ReservationExpired,
    ReservationMismatch,
    UnknownReservation,
)
from sterling_mock.mock_server.domain import clock
from sterling_mock.mock_server.domain.context import Ctx
from sterling_mock.mock_server.store.schema import inventory as sql

#: How long a reservation lives without an ExpirationDate [INF: instances configure it per enterprise].
DEFAULT_LIFETIME = timedelta(hours=1)


def expiry(ctx: Ctx, raw: str) -> str:
    """The column form of a reservation's expiry (given, or now + the default lifetime); not in the past."""
    when = clock.parse_datetime(raw, attribute="ExpirationDate") if raw else ctx.now() + DEFAULT_LIFETIME
    if when <= ctx.now():
        raise InvalidValue(
            f"ExpirationDate={raw!r} is not in the future.",
            attributes={"Name": "ExpirationDate", "Value": raw},
        )
    return clock.column_value(when)


def shown(column: str) -> str:
    return clock.format_datetime(clock.parse_datetime(column))


def live(ctx: Ctx, reservation_id: str) -> list[dict[str, Any]]:
    """The rows of a reservation that may still be used: MOCK0900 unknown (or consumed), MOCK0901 expired."""
    rows = sql.reservation(ctx.tx, ctx.ns, reservation_id)
    if not rows or any(r["olk"] for r in rows):
        raise UnknownReservation(
            f"No open reservation {reservation_id!r}.", attributes={"ReservationID": reservation_id}
        )
    if all(r["expires"] <= clock.column_value(ctx.now()) for r in rows):
        raise ReservationExpired(
            f"Reservation {reservation_id!r} expired at {shown(rows[0]['expires'])}.",
            attributes={"ReservationID": reservation_id, "ExpirationDate": shown(rows[0]["expires"])},
        )
    return rows


def references(line: Doc) -> list[str]:
    """ReservationIDs an order line names: ``@ReservationID`` or ``OrderLineReservations/
    OrderLineReservation@ReservationID``."""
    found = (
        [line["ReservationID"]]
        if isinstance(line.get("ReservationID"), str) and line["ReservationID"]
        else []
    )
    wrapper = line.get("OrderLineReservations")
    if isinstance(wrapper, dict):
        for entry in as_list(wrapper.get("OrderLineReservation")):
            value = entry.get("ReservationID")
            if isinstance(value, str) and value:
                found.append(value)
    return list(dict.fromkeys(found))


def consume(ctx: Ctx, order: Doc, line: Doc) -> None:
    """createOrder / changeOrder CREATE: the line takes over the reservations it names (checked first)."""
    names = references(line)
    if not names:
        return
    item = str((line.get("Item") or {}).get("ItemID", ""))
    taken: list[dict[str, Any]] = []
    for name in names:
        rows = live(ctx, name)
        mine = [r for r in rows if r["item_id"] == item]
        if not mine:
            raise ReservationMismatch(
                f"Reservation {name!r} holds no {item!r}.", attributes={"ReservationID": name, "ItemID": item}
            )
        taken.extend(mine)
    for row in taken:
        sql.put_reservation(
            ctx.tx, ctx.ns, {**row, "ohk": order["OrderHeaderKey"], "olk": line["OrderLineKey"]}
        )


def of_line(ctx: Ctx, line: Doc) -> dict[str, Decimal]:
    """Quantity the line's consumed reservations hold per node."""
    if not references(line):
        return {}
    out: dict[str, Decimal] = {}
    for row in sql.reservations_of_line(ctx.tx, ctx.ns, str(line["OrderLineKey"])):
        out[row["node"]] = out.get(row["node"], Decimal(0)) + Decimal(str(row["qty"]))
    return out


def shrink(ctx: Ctx, line: Doc, open_qty: Decimal) -> None:
    """Keep the line's reservations no larger than its quantity still waiting to schedule."""
    if not references(line):
        return
    left = open_qty
    for row in sql.reservations_of_line(ctx.tx, ctx.ns, str(line["OrderLineKey"])):
        keep = min(left, Decimal(str(row["qty"])))
        left -= keep
        if keep <= 0:
            sql.delete_reservation(ctx.tx, ctx.ns, row["reservation_id"], row["item_id"], row["node"])
        elif keep < Decimal(str(row["qty"])):
            sql.put_reservation(ctx.tx, ctx.ns, {**row, "qty": float(keep)})
