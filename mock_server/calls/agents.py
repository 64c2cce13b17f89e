"""Lifecycle agents: move orders along the pipeline through the same APIs a Sterling agent server calls.

One *step* moves each order at most one stage, oldest orders first, up to ``limit`` per stage:
1100 Created -> 1500 Scheduled (scheduleOrder; or 1300 Backordered with ``backorder_rate``, or 9000
Cancelled with ``cancel_rate`` through changeOrder Action=CANCEL), 1300 -> 1500 (scheduleOrder), 1500 ->
3200 Released (releaseOrder), 3200 -> 3700 Shipped (createShipment + confirmShipment).  Every call goes
through ``Fake.invoke`` with transport ``agent``, so the journal shows what the agents did, and draws on
one seeded random source per (seed, step, order): the same seed and clock give the same moves.

Agents run on demand (``POST /_fake/agents/run``) or, when enabled, "continuously as the clock moves":
the due steps (``every`` virtual seconds) are claimed atomically and run at the start of the next call into
the namespace, or right after the clock is set or advanced — no background thread, so several server
processes never run the same step twice.
"""

from __future__ import annotations

import math
import random
from typing import TYPE_CHECKING, Any, Protocol

from sterling_mock.client.wire import Doc, as_list
from sterling_mock.mock_server.base.errors import SterlingError
from sterling_mock.mock_server.calls.call import Call
from sterling_mock.mock_server.domain import clock, statuses
from sterling_mock.mock_server.store import walcheckpoint
from sterling_mock.mock_server.store.journal import side_write

if TYPE_CHECKING:
    from sterling_mock.mock_server.base.settings import Settings
    from sterling_mock.mock_server.domain.context import Output
    from sterling_mock.mock_server.store.core import Store
    from sterling_mock.mock_server.store.tx import Tx

KV_CONFIG = "_agents"


class Fake(Protocol):
    """What the agents need of the fake's runtime (``calls.dispatch.Fake``): its settings, its store, and the
    dispatcher they call the APIs through, as a Sterling agent server does (dispatch triggers due agent steps
    before each call, so this module sits below it and names the runtime by this protocol)."""

    settings: Settings
    store: Store

    def invoke(self, call: Call, doc: Doc) -> Output: ...


KV_STATE = "_agents_state"
#: At most this many due steps run in one catch-up; the rest are skipped (a long jump in time would
#: otherwise stall the call that notices it).
MAX_CATCH_UP = 10
AGENT_USER = "agent"

BOOLEAN_FIELDS = ("enabled", "schedule", "release", "ship")
RATE_FIELDS = ("backorder_rate", "cancel_rate")


def defaults(fake: Fake) -> dict[str, Any]:
    return {
        "enabled": fake.settings.agents_enabled,
        "every": fake.settings.agents_every,
        "schedule": True,
        "release": True,
        "ship": True,
        "backorder_rate": 0.0,
        "cancel_rate": 0.0,
        "limit": 100,
        "seed": fake.settings.seed,
    }


def validate(changes: dict[str, Any]) -> dict[str, Any]:
    """Validated agent settings; ValueError("field: message") names the field at fault."""
    out: dict[str, Any] = {}
    for name, value in changes.items():
        if name in BOOLEAN_FIELDS:
            if not isinstance(value, bool):
                raise ValueError(f"{name}: must be true or false")
        elif name in RATE_FIELDS:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise ValueError(f"{name}: must be a number from 0 to 1")
            value = float(value)
        elif name in ("every", "limit", "seed", "steps"):
            low = 0 if name == "seed" else 1
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ValueError(f"{name}: must be an integer of at least {low}")
        elif name != "namespace":
            raise ValueError(f"{name}: unknown agent setting")
        out[name] = value
    out.pop("namespace", None)
    return out


def config(tx: Tx, ns: str, fake: Fake) -> dict[str, Any]:
    stored = tx.kv_get(ns, KV_CONFIG)
    return {**defaults(fake), **(stored if isinstance(stored, dict) else {})}


def configure(fake: Fake, ns: str, changes: dict[str, Any]) -> dict[str, Any]:
    """Store settings; enabling starts the schedule from the namespace's current time."""
    with fake.store.write() as tx:
        current = config(tx, ns, fake)
        stored = tx.kv_get(ns, KV_CONFIG)
        tx.kv_put(ns, KV_CONFIG, {**(stored if isinstance(stored, dict) else {}), **changes})
        if (changes.get("enabled") and not current["enabled"]) or tx.kv_get(ns, KV_STATE) is None:
            tx.kv_put(ns, KV_STATE, {"last": clock.now(tx, ns).timestamp(), "steps": 0})
        return config(tx, ns, fake)


def catch_up(fake: Fake, ns: str) -> dict[str, int]:
    """Run the steps that fell due since the last run, if agents are enabled in ``ns``."""
    with fake.store.read() as tx:
        settings = config(tx, ns, fake)
        if not settings["enabled"]:
            return {}
    with side_write(fake.store) as tx:
        now = clock.now(tx, ns).timestamp()
        state = tx.kv_get(ns, KV_STATE) or {"last": now, "steps": 0}
        every = float(settings["every"])
        due = math.floor((now - float(state["last"])) / every) if now > float(state["last"]) else 0
        if due <= 0:
            if tx.kv_get(ns, KV_STATE) is None:
                tx.kv_put(ns, KV_STATE, state)
            return {}
        first = int(state["steps"])
        last = now if due > MAX_CATCH_UP else float(state["last"]) + due * every
        tx.kv_put(ns, KV_STATE, {"last": last, "steps": first + min(due, MAX_CATCH_UP)})
    moved: dict[str, int] = {}
    for number in range(first, first + min(due, MAX_CATCH_UP)):
        _merge(moved, step(fake, ns, settings, number))
    return moved


def run(fake: Fake, ns: str, steps: int, overrides: dict[str, Any]) -> dict[str, int]:
    """``POST /_fake/agents/run``: ``steps`` steps now, with per-run overrides of the settings."""
    with side_write(fake.store) as tx:
        settings = {**config(tx, ns, fake), **overrides}
        state = tx.kv_get(ns, KV_STATE) or {"last": clock.now(tx, ns).timestamp(), "steps": 0}
        first = int(state["steps"])
        tx.kv_put(ns, KV_STATE, {**state, "steps": first + steps})
    moved: dict[str, int] = {}
    for number in range(first, first + steps):
        _merge(moved, step(fake, ns, settings, number))
    walcheckpoint.truncate(fake.store)  # bulk work: the log does not keep its high-water mark
    return moved


def _merge(into: dict[str, int], more: dict[str, int]) -> None:
    for key, value in more.items():
        into[key] = into.get(key, 0) + value


# ------------------------------------------------------------------------------------------ one step


def _orders_at(fake: Fake, ns: str, code: str, limit: int) -> list[tuple[str, str]]:
    """(key, natural key) of the orders wholly at ``code``, oldest first; for 1300 every order with
    backordered quantity (partly scheduled ones too: the backorder schedules once supply arrives, issue 24)."""
    wholly = "" if code == statuses.BACKORDERED else " AND max_status=?"
    args = (
        (ns, statuses.sort_key(code))
        if not wholly
        else (ns, statuses.sort_key(code), statuses.sort_key(code))
    )
    with fake.store.read() as tx:
        rows = tx.conn.execute(
            "SELECT ohk, enterprise_code, document_type, order_no FROM orders "
            f"WHERE ns=? AND min_status=?{wholly} ORDER BY id LIMIT ?",
            (*args, limit),
        ).fetchall()
    return [(str(row[0]), f"{row[1]}/{row[2]}/{row[3]}") for row in rows]


def step(fake: Fake, ns: str, settings: dict[str, Any], number: int) -> dict[str, int]:
    """One agent pass over the pipeline; stages are snapshotted first so an order moves once per step."""
    limit = int(settings["limit"])
    plan: list[tuple[str, list[tuple[str, str]]]] = [
        (code, _orders_at(fake, ns, code, limit)) for code in (statuses.CREATED, "1300", "1500", "3200")
    ]
    moved: dict[str, int] = {}
    for code, keys in plan:
        for key, natural in keys:
            # drawn by the order's natural key, not its OrderHeaderKey: keys carry the time of the run, and
            # one seed must move the same orders the same way every run
            dice = random.Random(f"{settings['seed']}:{number}:{natural}")
            transition = _choose(code, settings, dice)
            if transition is None:
                continue
            label, action = transition
            try:
                action(fake, ns, key)
            except SterlingError:  # the order changed meanwhile, or the pipeline refuses: skip it this step
                continue
            moved[label] = moved.get(label, 0) + 1
    return moved


class Move(Protocol):
    def __call__(self, fake: Fake, ns: str, key: str, *, transport: str = "agent") -> None: ...


def _choose(code: str, settings: dict[str, Any], dice: random.Random) -> tuple[str, Move] | None:
    if code == statuses.CREATED:
        if dice.random() < settings["cancel_rate"]:
            return "1100->9000", cancel
        if dice.random() < settings["backorder_rate"]:
            return "1100->1300", backorder
        return ("1100->1500", schedule) if settings["schedule"] else None
    if code == "1300":
        return ("1300->1500", schedule) if settings["schedule"] else None
    if code == "1500":
        return ("1500->3200", release) if settings["release"] else None
    return ("3200->3700", ship) if settings["ship"] else None


def _call(fake: Fake, ns: str, api: str, doc: Doc, progid: str, transport: str) -> Doc:
    output = fake.invoke(Call(api=api, ns=ns, user=AGENT_USER, transport=transport, progid=progid), doc)
    return output.doc or {}


def schedule(fake: Fake, ns: str, key: str, *, transport: str = "agent") -> None:
    _call(fake, ns, "scheduleOrder", {"OrderHeaderKey": key}, "SCHEDULE", transport)


def release(fake: Fake, ns: str, key: str, *, transport: str = "agent") -> None:
    _call(fake, ns, "releaseOrder", {"OrderHeaderKey": key}, "RELEASE", transport)


def cancel(fake: Fake, ns: str, key: str, *, transport: str = "agent") -> None:
    _call(fake, ns, "changeOrder", cancel_input(key), "CANCEL_AGENT", transport)


def backorder(fake: Fake, ns: str, key: str, *, transport: str = "agent") -> None:
    with fake.store.read() as tx:
        order = tx.get_order(ns, key) or {}
    _call(fake, ns, "changeOrderStatus", backorder_input(order), "SCHEDULE", transport)


def ship(fake: Fake, ns: str, key: str, *, transport: str = "agent") -> None:
    """createShipment + confirmShipment per ship node for every released quantity: 3200 -> 3350 -> 3700."""
    with fake.store.read() as tx:
        order = tx.get_order(ns, key) or {}
    for shipment in shipment_inputs(order):
        created = _call(fake, ns, "createShipment", shipment, "CONSOLIDATE_TO_SHIPMENT", transport)
        confirm = {"ShipmentKey": created["ShipmentKey"]} if created.get("ShipmentKey") else shipment
        _call(fake, ns, "confirmShipment", confirm, "CONFIRM_SHIPMENT", transport)


# --------------------------------------------------------------- the agents' inputs (the seed's walk too)


def cancel_input(key: str) -> Doc:
    """changeOrder Action=CANCEL of the whole order, with the agent's reason."""
    return {
        "OrderHeaderKey": key,
        "Action": "CANCEL",
        "ModificationReasonCode": "AGENT_CANCEL",
        "ModificationReasonText": "Cancelled by the fake's lifecycle agent",
    }


def backorder_input(order: Doc) -> Doc:
    """changeOrderStatus moving every Created quantity of ``order`` to 1300 Backordered."""
    lines = _open_lines(order, statuses.CREATED)
    return {
        "OrderHeaderKey": order.get("OrderHeaderKey", ""),
        "TransactionId": "SCHEDULE.0001",
        "BaseDropStatus": "1300",
        "OrderLines": {
            "OrderLine": [
                {"OrderLineKey": k, "Quantity": q, "BaseDropStatus": "1300"} for k, q, _, _ in lines
            ]
        },
    }


def shipment_inputs(order: Doc, *, part: bool = False) -> list[Doc]:
    """createShipment inputs for the released quantity of ``order``, one per ship node: a shipment leaves one
    node (Sterling refuses mixed nodes, MOCK0205), as the consolidation agent would build them.

    ``part``: one shipment of part of it (the first node's lines but its last, or all but one unit of a single
    line), so that the order ends partially shipped; the whole of it when it cannot be split."""
    key = order.get("OrderHeaderKey", "")
    groups = list(_released_by_node(order).items())
    if part and groups:
        node, lines = groups[0]
        if len(lines) > 1:
            lines = lines[:-1]
        elif len(groups) == 1 and float(lines[0][0]) >= 2:
            qty, prime, sub = lines[0]
            lines = [(str(int(float(qty)) // 2), prime, sub)]
        groups = [(node, lines)]
    out = []
    for node, lines in groups:
        shipment: Doc = {
            "EnterpriseCode": order.get("EnterpriseCode", ""),
            "DocumentType": order.get("DocumentType", "0001"),
            "ShipmentLines": {
                "ShipmentLine": [
                    {"OrderHeaderKey": key, "PrimeLineNo": prime, "SubLineNo": sub, "Quantity": qty}
                    for qty, prime, sub in lines
                ]
            },
        }
        if node:
            shipment["ShipNode"] = node
        out.append(shipment)
    return out


def _released_by_node(order: Doc) -> dict[str, list[tuple[str, str, str]]]:
    """(quantity, PrimeLineNo, SubLineNo) of released quantity, grouped by the node it was released to."""
    out: dict[str, list[tuple[str, str, str]]] = {}
    for line in as_list((order.get("OrderLines") or {}).get("OrderLine")):
        for row in as_list((line.get("OrderStatuses") or {}).get("OrderStatus")):
            if str(row.get("Status", "")).split(".")[0] != "3200":
                continue
            qty = float(row.get("StatusQty", "0"))
            if qty <= 0:
                continue
            node = str(row.get("ShipNode") or line.get("ShipNode") or "")
            text = str(int(qty)) if qty == int(qty) else str(qty)
            out.setdefault(node, []).append((text, str(line["PrimeLineNo"]), str(line["SubLineNo"])))
    return out


def _open_lines(order: Doc, code: str) -> list[tuple[str, str, str, str]]:
    """(OrderLineKey, quantity at ``code``, PrimeLineNo, SubLineNo) of each line with quantity there."""
    out = []
    for line in as_list((order.get("OrderLines") or {}).get("OrderLine")):
        rows = as_list((line.get("OrderStatuses") or {}).get("OrderStatus"))
        qty = sum(float(r.get("StatusQty", "0")) for r in rows if r.get("Status") == code)
        if qty > 0:
            text = str(int(qty)) if qty == int(qty) else str(qty)
            out.append((str(line["OrderLineKey"]), text, str(line["PrimeLineNo"]), str(line["SubLineNo"])))
    return out


# ------------------------------------------------------------------------------------------ one order


class CannotAdvance(ValueError):
    """The order cannot be walked to the requested status from where it is."""


def _path() -> list[tuple[str, Move]]:
    return [("1500", schedule), ("3200", release), ("3700", ship)]


def advance(fake: Fake, ns: str, key: str, target: str, *, transport: str = "control") -> Doc:
    """Walk one order to ``target``: scheduleOrder, releaseOrder, createShipment + confirmShipment, or
    changeOrder Action=CANCEL for 9000, changeOrderStatus for 1300; returns the order as stored.

    Each step is its own call (journaled); a refusal midway leaves the order at the last stage reached.
    """
    order = _order(fake, ns, key)
    current = str(order.get("MaxOrderStatus", statuses.CREATED))
    if statuses.sort_key(current) == statuses.sort_key(target) and order.get("MinOrderStatus") == current:
        return order
    if target == statuses.CANCELLED:
        cancel(fake, ns, key, transport=transport)
        return _order(fake, ns, key)
    if target == "1300":
        if current != statuses.CREATED:
            raise CannotAdvance(f"only a Created (1100) order can be backordered; this one is at {current}")
        backorder(fake, ns, key, transport=transport)
        return _order(fake, ns, key)
    stages = [code for code, _ in _path()]
    if target not in stages:
        raise CannotAdvance(
            f"{target} is not a stage the fake walks to ({', '.join(['1300', *stages, '9000'])})"
        )
    if statuses.sort_key(current) > statuses.sort_key(target) or current == statuses.CANCELLED:
        raise CannotAdvance(f"the order is already at {current}, past {target}")
    for code, move in _path():
        if statuses.sort_key(code) <= statuses.sort_key(str(_order(fake, ns, key).get("MinOrderStatus"))):
            continue
        move(fake, ns, key, transport=transport)
        if code == target:
            break
    return _order(fake, ns, key)


def _order(fake: Fake, ns: str, key: str) -> Doc:
    with fake.store.read() as tx:
        found = tx.get_order(ns, key)
    if found is None:
        raise CannotAdvance(f"no order {key}")
    return found
