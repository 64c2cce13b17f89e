"""The console's POST routes: order actions through the APIs a client calls, and the controls.

Order actions go through ``Fake.invoke`` with transport ``console`` and user ``console``, so they are
journaled, throttled and faulted like any client's call.  Controls call the same functions as the control
plane's routes (``/_fake/seed``, ``/reset``, ``/agents/run``, ``/clock``, ``/throttle``, ``/faults``).
Every route answers a 303 back to the page it came from with a one-line message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from flask import redirect, request
from werkzeug.wrappers import Response

from sterling_mock.client.wire import Doc
from sterling_mock.mock_server.base.errors import SterlingError
from sterling_mock.mock_server.calls import agents, faults, throttle
from sterling_mock.mock_server.calls.dispatch import Call
from sterling_mock.mock_server.console import USER, bp, fake, link, namespace, refuse_if_read_only
from sterling_mock.mock_server.control import ControlError
from sterling_mock.mock_server.control.clockwork import parse_duration
from sterling_mock.mock_server.domain import clock, statuses
from sterling_mock.mock_server.store.journal import side_write

MAX_SEED = 50_000


def _back(path: str, ns: str, text: str, *, error: bool = False) -> Response:
    return redirect(link(path, ns=ns, msg=text, err="1" if error else ""), 303)


def _invoke(ns: str, api: str, doc: Doc, progid: str = "Console") -> Doc:
    output = fake().invoke(Call(api=api, ns=ns, user=USER, transport="console", progid=progid), doc)
    return output.doc or {}


# ------------------------------------------------------------------------------------------ order actions


def _cancel(ns: str, key: str) -> str:
    doc = {
        "OrderHeaderKey": key,
        "Action": "CANCEL",
        "ModificationReasonCode": "CONSOLE",
        "ModificationReasonText": "Cancelled from the demo console",
    }
    _invoke(ns, "changeOrder", doc)
    return "Cancelled (changeOrder Action=CANCEL)."


def _schedule(ns: str, key: str) -> str:
    _invoke(ns, "scheduleOrder", {"OrderHeaderKey": key}, "SCHEDULE")
    return "Scheduled (scheduleOrder)."


def _release(ns: str, key: str) -> str:
    _invoke(ns, "releaseOrder", {"OrderHeaderKey": key}, "RELEASE")
    return "Released (releaseOrder)."


def _min_status(ns: str, key: str) -> str:
    with fake().store.read() as tx:
        order = tx.get_order(ns, key) or {}
    return str(order.get("MinOrderStatus", statuses.CREATED))


def _walk(ns: str, key: str, target: str) -> list[str]:
    """scheduleOrder and releaseOrder as far as ``target`` needs, from the order's lowest status."""
    done: list[str] = []
    current = statuses.sort_key(_min_status(ns, key))
    if current == statuses.sort_key(statuses.CANCELLED):
        return done
    for code, api, progid in (("1500", "scheduleOrder", "SCHEDULE"), ("3200", "releaseOrder", "RELEASE")):
        if current < statuses.sort_key(code) <= statuses.sort_key(target):
            _invoke(ns, api, {"OrderHeaderKey": key}, progid)
            done.append(api)
    return done


def _ship(ns: str, key: str) -> str:
    """Schedule and release what is not yet released, then confirmShipment with the tracking number given."""
    steps = _walk(ns, key, statuses.RELEASED)
    tracking = request.form.get("tracking", "").strip()[:40]
    doc: Doc = {"OrderHeaderKey": key}
    if tracking:
        doc["TrackingNo"] = tracking
    _invoke(ns, "confirmShipment", doc, "CONFIRM_SHIPMENT")
    steps.append("confirmShipment")
    return f"Shipped ({', '.join(steps)})" + (f", tracking {tracking}." if tracking else ".")


def _advance(ns: str, key: str) -> str:
    """Walk to 1500, 3200 or 3700 through the same calls as the buttons, or cancel for 9000."""
    target = request.form.get("to", "").strip()
    if target == statuses.CANCELLED:
        return _cancel(ns, key)
    if target not in ADVANCE_TARGETS:
        raise ValueError(f"to: the console advances to {', '.join(ADVANCE_TARGETS)} or 9000")
    current = _min_status(ns, key)
    if statuses.sort_key(current) >= statuses.sort_key(target):
        raise ValueError(f"The order is already at {current}, not below {target}.")
    if target == statuses.SHIPPED:
        return _ship(ns, key)
    steps = _walk(ns, key, target)
    return f"Advanced to {target} ({', '.join(steps)})."


#: Statuses the advance form offers (besides 9000 Cancelled).
ADVANCE_TARGETS = (statuses.SCHEDULED, statuses.RELEASED, statuses.SHIPPED)


ORDER_ACTIONS: dict[str, Callable[[str, str], str]] = {
    "cancel": _cancel,
    "schedule": _schedule,
    "release": _release,
    "ship": _ship,
    "advance": _advance,
}


@bp.post("/orders/<order_key>/<action>")
def order_action(order_key: str, action: str) -> Response:
    refuse_if_read_only()
    ns = namespace()
    path = f"/orders/{quote(order_key, safe='')}"
    handler = ORDER_ACTIONS.get(action)
    if handler is None:
        return _back(path, ns, f"Unknown action {action!r}.", error=True)
    try:
        return _back(path, ns, handler(ns, order_key))
    except SterlingError as exc:
        text = f"{exc.error_code}: {exc.error_description}" + (f" ({exc.more_info})" if exc.more_info else "")
        return _back(path, ns, text, error=True)
    except ValueError as exc:
        return _back(path, ns, str(exc), error=True)


# ------------------------------------------------------------------------------------------ controls


def _int(name: str, low: int, high: int, default: int | None = None) -> int:
    raw = request.form.get(name, "").strip()
    if not raw and default is not None:
        return default
    if not raw.lstrip("-").isdigit() or not low <= int(raw) <= high:
        raise ValueError(f"{name}: must be a whole number from {low:,} to {high:,}")
    return int(raw)


def _seed(ns: str) -> str:
    """``orders``, ``seed`` and, optionally, ``statuses`` (comma-separated codes; default: the realistic mix)."""
    from sterling_mock.mock_server.seeding.seed import SeedOptions, seed_orders

    count = _int("orders", 1, MAX_SEED)
    codes = [c.strip() for c in request.form.get("statuses", "").split(",") if c.strip()]
    options = SeedOptions.from_json({"statuses": codes} if codes else {})
    seed = _int("seed", 0, 2**31, fake().settings.seed)
    created = seed_orders(fake(), ns, count, seed=seed, options=options)
    return f"Seeded {created:,} orders."


def _reset(ns: str) -> str:
    fake().store.reset(ns)
    return f"Namespace {ns} reset: no orders, faults, journal; clock back to real time."


def _agents_run(ns: str) -> str:
    moved = agents.run(fake(), ns, _int("steps", 1, 100, 1), {})
    return (
        "Agents ran: " + (", ".join(f"{k} {v}" for k, v in sorted(moved.items())) or "nothing to move") + "."
    )


def _agents_auto(ns: str) -> str:
    enabled = request.form.get("enabled") == "1"
    config = agents.configure(fake(), ns, {"enabled": enabled, "every": _int("every", 1, 86400, 60)})
    state = f"on, every {config['every']} virtual seconds" if enabled else "off"
    return f"Agents {state}."


def _clock(ns: str) -> str:
    freeze = request.form.get("freeze")
    raw = request.form.get("advance", "").strip()
    seconds = None
    if raw:
        try:
            seconds = parse_duration(float(raw) if raw.replace(".", "", 1).isdigit() else raw)
        except ControlError as exc:
            raise ValueError(exc.message) from None
    with fake().store.write() as tx:
        if freeze in ("0", "1"):
            clock.freeze(tx, ns, freeze == "1")
        if seconds:
            clock.advance(tx, ns, seconds)
    moved = agents.catch_up(fake(), ns)
    with fake().store.read() as tx:
        info = clock.clock_info(tx, ns)
    frozen = " (frozen)" if info["frozen"] else ""
    return f"Clock now {info['now']}{frozen}." + (
        f" Agents moved {sum(moved.values())} orders." if moved else ""
    )


def _throttle(ns: str) -> str:
    rate_raw = request.form.get("rate", "").strip()
    try:
        rate = float(rate_raw) if rate_raw else None
    except ValueError:
        raise ValueError("rate: must be a number of calls per second") from None
    if rate is not None and not 0 < rate <= 1_000_000:
        raise ValueError("rate: must be above 0")
    changes: dict[str, Any] = {"enabled": request.form.get("enabled") == "1"}
    if rate is not None:
        changes["rate"] = rate
    if request.form.get("burst", "").strip():
        changes["burst"] = _int("burst", 1, 1_000_000)
    with fake().store.write() as tx:
        cfg = throttle.configure(tx, ns, fake().settings, changes)
    return f"Throttling {'on' if cfg.enabled else 'off'}: {cfg.rate:g} calls/s per user, burst {cfg.burst}."


def _fault_add(ns: str) -> str:
    form = request.form
    kind = form.get("type", "error")
    action: dict[str, Any] = {"type": kind}
    if kind == "error":
        action.update(code=form.get("code", "").strip(), description=form.get("description", "").strip())
        action["http_status"] = _int("http_status", 400, 599, 400)
    elif kind == "http":
        action["status"] = _int("status", 500, 504, 503)
    elif kind == "latency":
        action["ms"] = _int("ms", 0, 60_000, 1500)
    data: dict[str, Any] = {"api": form.get("api", "").strip() or "*", "action": action}
    if form.get("times", "").strip():
        data["times"] = _int("times", 1, 1_000_000)
    try:
        rule = faults.validate_rule(data, fake().settings.seed)
    except faults.RuleError as exc:
        raise ValueError(f"{exc.field}: {exc.message}") from None
    with side_write(fake().store) as tx:
        created = faults.add(tx, ns, rule)
    return f"Fault {created['id']} added on {rule['api']} ({kind})."


def _fault_delete(ns: str) -> str:
    fault_id = request.form.get("id", "")
    with side_write(fake().store) as tx:
        found = faults.delete(tx, ns, fault_id)
    if not found:
        raise ValueError(f"id: no fault rule {fault_id!r} in this namespace")
    return f"Fault {fault_id} removed."


CONTROLS: dict[str, Callable[[str], str]] = {
    "seed": _seed,
    "reset": _reset,
    "agents-run": _agents_run,
    "agents-auto": _agents_auto,
    "clock": _clock,
    "throttle": _throttle,
    "fault-add": _fault_add,
    "fault-delete": _fault_delete,
}


@bp.post("/controls/<what>")
def control_action(what: str) -> Response:
    refuse_if_read_only()
    ns = namespace()
    handler = CONTROLS.get(what)
    if handler is None:
        return _back("/controls", ns, f"Unknown control {what!r}.", error=True)
    try:
        return _back("/controls", ns, handler(ns))
    except ValueError as exc:
        return _back("/controls", ns, str(exc), error=True)
