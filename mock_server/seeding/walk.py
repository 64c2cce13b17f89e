"""The seed's lifecycle walk: a seeded order taken and moved to the status drawn for it, inside the seed's own
transaction, through the same API functions a client's calls run (as multiApi runs them), each step at its own
instant of the order's past: Createts, Modifyts, keys, audits and shipment dates spread as a working system's.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable
from datetime import datetime, timedelta

from sterling_mock.client.wire import Doc
from sterling_mock.mock_server.apis import APIS
from sterling_mock.mock_server.base.errors import SterlingError
from sterling_mock.mock_server.calls import agents
from sterling_mock.mock_server.domain.context import Ctx
from sterling_mock.mock_server.domain.orders import cache, model

#: A seed mix's pseudo status "partially shipped": released, then part of it shipped (MinOrderStatus 3200,
#: MaxOrderStatus 3700, Status "Partially Shipped").
PARTIAL = "partial"
#: The mix of a seed that names none: a book some weeks into trading, most orders done, some on their way, a
#: few cancelled or waiting for stock [INF: proportions of a plausible retail pipeline, not a measurement].
DEFAULT_MIX: dict[str, float] = {
    "1100": 12.0,
    "1300": 3.0,
    "1500": 10.0,
    "3200": 10.0,
    PARTIAL: 7.0,
    "3700": 50.0,
    "9000": 8.0,
}
#: Seconds (low, high) from the order's date to its entry, and from one step to the next [INF].
ENTRY = (5, 180)
GAPS: dict[str, tuple[int, int]] = {
    "backorder": (60, 3_600),
    "schedule": (120, 7_200),
    "release": (1_800, 43_200),
    "ship": (14_400, 259_200),
    "ship_part": (14_400, 259_200),
    "cancel": (600, 172_800),
}
#: The steps that take an order from Created to each status the walk reaches.  Any other status of a mix leaves
#: its orders at Created, as ``POST /_fake/orders/<key>/advance`` refuses to walk there.
STEPS: dict[str, tuple[str, ...]] = {
    "1100": (),
    "1300": ("backorder",),
    "1500": ("schedule",),
    "3200": ("schedule", "release"),
    PARTIAL: ("schedule", "release", "ship_part"),
    "3700": ("schedule", "release", "ship"),
    "9000": ("cancel",),
}


def dice(seed: int, position: int) -> random.Random:
    """The random source of the ``position``-th order of a seed (by position, not key: keys carry the time of
    the run, and one seed must give the same book at any time and in any namespace)."""
    return random.Random(f"{seed}:seed-status:{position}")


def target(rng: random.Random, mix: dict[str, float]) -> str:
    codes = list(mix)
    return rng.choices(codes, weights=[mix[c] for c in codes])[0]


def timeline(rng: random.Random, dated: datetime, steps: tuple[str, ...], now: datetime) -> list[datetime]:
    """The entry time of an order dated ``dated``, then the time of each step: drawn gaps, squeezed in
    proportion into a drawn share of the time left when they would pass ``now`` (an order of this morning is
    released by now, not next week, and not all of them this very minute)."""
    gaps = [rng.randint(*ENTRY), *(rng.randint(*GAPS[step]) for step in steps)]
    room = (now - dated).total_seconds() * rng.uniform(0.5, 0.95)
    total = sum(gaps)
    scale = min(1.0, max(0.0, room) / total) if total else 1.0
    out, at = [], 0.0
    for gap in gaps:
        at += gap * scale
        out.append(dated + timedelta(seconds=int(at)))
    return out


def take_and_walk(ctx: Ctx, doc: Doc, goal: str, times: list[datetime]) -> None:
    """Create the order of ``doc`` at ``times[0]`` and walk it to ``goal`` (steps at ``times[1:]``) in the
    caller's transaction.  A step the pipeline refuses ends the walk there, undone."""
    taken = _at(ctx, "createOrder", "SeedAgent", times[0])
    order = model.new_order(taken, doc)
    model.save(taken, order, insert=True)
    key = str(order["OrderHeaderKey"])
    for step, when in zip(STEPS.get(goal, ()), times[1:], strict=False):
        ctx.tx.conn.execute("SAVEPOINT seed_step")
        try:
            MOVES[step](ctx, key, when)
        except SterlingError:
            ctx.tx.conn.execute("ROLLBACK TO seed_step")
            ctx.tx.conn.execute("RELEASE seed_step")
            return
        ctx.tx.conn.execute("RELEASE seed_step")


def _at(ctx: Ctx, api: str, progid: str, when: datetime) -> Ctx:
    return dataclasses.replace(ctx, api=api, progid=progid, template=None, _now=when, _stamp="", extras={})


def _run(ctx: Ctx, api: str, doc: Doc, progid: str, when: datetime) -> Doc:
    """One API function at ``when`` in the seed's transaction, its render-cache fills stored as
    ``Fake.run`` stores a write's."""
    call = _at(ctx, api, progid, when)
    output = APIS[api].fn(call, doc)
    fills = [fill.row() for fill in call.extras.get(cache.FILLS, ())]
    if fills:
        ctx.tx.put_renders(ctx.ns, fills, cache.KEEP)
    return output.doc or {}


def _order(ctx: Ctx, key: str) -> Doc:
    return ctx.tx.get_order(ctx.ns, key) or {}


def _schedule(ctx: Ctx, key: str, when: datetime) -> None:
    _run(ctx, "scheduleOrder", {"OrderHeaderKey": key}, "SCHEDULE", when)


def _release(ctx: Ctx, key: str, when: datetime) -> None:
    _run(ctx, "releaseOrder", {"OrderHeaderKey": key}, "RELEASE", when)


def _cancel(ctx: Ctx, key: str, when: datetime) -> None:
    _run(ctx, "changeOrder", agents.cancel_input(key), "CANCEL_AGENT", when)


def _backorder(ctx: Ctx, key: str, when: datetime) -> None:
    _run(ctx, "changeOrderStatus", agents.backorder_input(_order(ctx, key)), "SCHEDULE", when)


def _ship(ctx: Ctx, key: str, when: datetime, *, part: bool = False) -> None:
    for shipment in agents.shipment_inputs(_order(ctx, key), part=part):
        made = _run(ctx, "createShipment", shipment, "CONSOLIDATE_TO_SHIPMENT", when)
        confirm = {"ShipmentKey": made["ShipmentKey"]} if made.get("ShipmentKey") else shipment
        _run(ctx, "confirmShipment", confirm, "CONFIRM_SHIPMENT", when)


def _ship_part(ctx: Ctx, key: str, when: datetime) -> None:
    _ship(ctx, key, when, part=True)


MOVES: dict[str, Callable[[Ctx, str, datetime], None]] = {
    "backorder": _backorder,
    "schedule": _schedule,
    "release": _release,
    "ship": _ship,
    "ship_part": _ship_part,
    "cancel": _cancel,
}
