"""Control routes for time: the namespace's virtual clock, lifecycle agents, advancing one order."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from flask import Response

from sterling_mock.mock_server.base.errors import SterlingError
from sterling_mock.mock_server.calls import agents
from sterling_mock.mock_server.control import ControlError, body, bp, fake, invalid, json_response, namespace
from sterling_mock.mock_server.domain import clock

_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


def parse_duration(value: Any) -> float:
    """Seconds from a number or an ISO 8601 duration (``PT1H``, ``P2DT30M``, ``PT0.5S``)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        m = _DURATION.match(value.strip().upper())
        if m and value.strip().upper() not in ("P", "PT"):
            days, hours, minutes, seconds = (float(g) if g else 0.0 for g in m.groups())
            return days * 86400 + hours * 3600 + minutes * 60 + seconds
    raise invalid("advance", "must be seconds or an ISO 8601 duration such as PT1H")


@bp.get("/clock")
def get_clock() -> Response:
    with fake().store.read() as tx:
        return json_response({**clock.clock_info(tx, namespace()), "namespace": namespace()})


@bp.post("/clock")
def post_clock() -> Response:
    """``freeze`` (bool), ``set`` (ISO 8601), ``advance`` (seconds or duration), in that order; then due
    agent steps run, so advancing time moves orders as it would on a running instance."""
    data = body()
    ns = namespace(data)
    unknown = set(data) - {"freeze", "set", "advance", "namespace"}
    if unknown:
        raise invalid(sorted(unknown)[0], "unknown clock field (freeze, set, advance)")
    if "freeze" in data and not isinstance(data["freeze"], bool):
        raise invalid("freeze", "must be true or false")
    when = None
    if "set" in data:
        if not isinstance(data["set"], str):
            raise invalid("set", "must be an ISO 8601 date-time")
        try:
            when = clock.parse_datetime(data["set"], attribute="set")
        except SterlingError:
            raise invalid("set", f"{data['set']!r} is not an ISO 8601 date-time") from None
    seconds = parse_duration(data["advance"]) if "advance" in data else None
    if seconds is not None and seconds < 0:
        raise invalid("advance", "the clock only moves forward with advance (use set to go back)")
    _check_range(ns, when, seconds)
    with fake().store.write() as tx:
        if "freeze" in data:
            clock.freeze(tx, ns, data["freeze"])
        if when is not None:
            clock.set_time(tx, ns, when)
        if seconds:
            clock.advance(tx, ns, seconds)
    moved = agents.catch_up(fake(), ns)
    with fake().store.read() as tx:
        info = clock.clock_info(tx, ns)
    return json_response({**info, "namespace": ns, **({"moved": moved} if moved else {})})


def _check_range(ns: str, when: datetime | None, seconds: float | None) -> None:
    """Validate first (clock.py refuses too): the error names the field at fault."""
    with fake().store.read() as tx:
        start = when or clock.now(tx, ns)
    try:
        target: datetime | None = start + timedelta(seconds=seconds or 0)
    except (OverflowError, ValueError):
        target = None
    if target is None or not clock.EARLIEST <= target <= clock.LATEST:
        raise invalid("advance" if seconds else "set", "the clock must stay between the years 1000 and 9000")


@bp.get("/agents")
def get_agents() -> Response:
    with fake().store.read() as tx:
        return json_response({**agents.config(tx, namespace(), fake()), "namespace": namespace()})


@bp.put("/agents")
def put_agents() -> Response:
    """``{"enabled": true, "every": 60, ...}``: every field of POST /agents/run can be a standing setting."""
    data = body()
    ns = namespace(data)
    changes = _validated(data)
    changes.pop("steps", None)
    return json_response({**agents.configure(fake(), ns, changes), "namespace": ns})


@bp.post("/agents/run")
def run_agents() -> Response:
    """``{"steps": 1}`` plus optional one-off settings -> ``{"moved": {"1100->1500": n, ...}}``."""
    data = body()
    ns = namespace(data)
    overrides = _validated(data)
    steps = int(overrides.pop("steps", 1))
    if steps > 100:
        raise invalid("steps", "at most 100 steps per call")
    overrides.pop("enabled", None)
    return json_response({"moved": agents.run(fake(), ns, steps, overrides), "namespace": ns})


def _validated(data: dict[str, Any]) -> dict[str, Any]:
    try:
        return agents.validate(data)
    except ValueError as exc:
        field, _, message = str(exc).partition(": ")
        raise invalid(field, message) from None


@bp.post("/orders/<order_key>/advance")
def advance_order(order_key: str) -> Response:
    """``{"to": "3700"}``: walk one order to a status through the lifecycle APIs (journaled as ``control``)."""
    data = body()
    ns = namespace(data)
    target = data.get("to")
    if not isinstance(target, str) or not target:
        raise invalid("to", "must be a status code such as 3700")
    with fake().store.read() as tx:
        if not tx.order_exists(ns, order_key):
            raise ControlError(404, "NOT_FOUND", f"OrderHeaderKey: no order {order_key} in namespace {ns}")
    try:
        order = agents.advance(fake(), ns, order_key, target, transport="control")
    except agents.CannotAdvance as exc:
        raise ControlError(409, "CANNOT_ADVANCE", f"to: {exc}") from None
    except SterlingError as exc:
        raise ControlError(
            409, "CANNOT_ADVANCE", f"to: {exc.error_code} {exc.error_description} {exc.more_info}".strip()
        ) from None
    return json_response(
        {
            "OrderHeaderKey": order_key,
            "MinOrderStatus": order.get("MinOrderStatus"),
            "MaxOrderStatus": order.get("MaxOrderStatus"),
            "Status": order.get("Status"),
            "namespace": ns,
        }
    )
