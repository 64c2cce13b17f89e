"""Control routes for fault rules and throttling (per namespace)."""

from __future__ import annotations

from flask import Response

from sterling_mock.mock_server.calls import faults, throttle
from sterling_mock.mock_server.control import (
    ControlError,
    body,
    bp,
    fake,
    invalid,
    json_response,
    namespace,
    no_content,
)
from sterling_mock.mock_server.store.journal import side_write


@bp.get("/faults")
def list_faults() -> Response:
    with fake().store.read() as tx:
        return json_response({"faults": faults.listing(tx, namespace())})


@bp.post("/faults")
def add_fault() -> Response:
    data = body()
    ns = namespace(data)
    try:
        rule = faults.validate_rule(data, fake().settings.seed)
    except faults.RuleError as exc:
        raise invalid(exc.field, exc.message) from None
    with side_write(fake().store) as tx:
        created = faults.add(tx, ns, rule)
    return json_response({**created, "namespace": ns}, 201)


@bp.delete("/faults/<fault_id>")
def delete_fault(fault_id: str) -> Response:
    with side_write(fake().store) as tx:
        found = faults.delete(tx, namespace(), fault_id)
    if not found:
        raise ControlError(404, "NOT_FOUND", f"id: no fault rule {fault_id!r} in this namespace")
    return no_content()


@bp.delete("/faults")
def clear_faults() -> Response:
    with side_write(fake().store) as tx:
        faults.clear(tx, namespace())
    return no_content()


@bp.get("/throttle")
def get_throttle() -> Response:
    ns = namespace()
    with fake().store.read() as tx:
        cfg = throttle.config(tx, ns, fake().settings)
        return json_response({**cfg.as_json(), "namespace": ns, **throttle.stats(tx, ns)})


@bp.put("/throttle")
def put_throttle() -> Response:
    """``{"enabled": true, "rate": 5, "burst": 10}``: any subset; buckets restart full."""
    data = body()
    ns = namespace(data)
    changes: dict[str, object] = {}
    for name, value in data.items():
        if name == "namespace":
            continue
        if name == "enabled":
            if not isinstance(value, bool):
                raise invalid(name, "must be true or false")
        elif name == "rate":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1_000_000:
                raise invalid(name, "must be a number of calls per second above 0")
            value = float(value)
        elif name == "burst":
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1_000_000:
                raise invalid(name, "must be an integer from 1 to 1000000")
        else:
            raise invalid(name, "unknown throttle setting (enabled, rate, burst)")
        changes[name] = value
    with side_write(fake().store) as tx:  # the buckets are bookkeeping: the lock their takers hold
        cfg = throttle.configure(tx, ns, fake().settings, changes)
        return json_response({**cfg.as_json(), "namespace": ns, **throttle.stats(tx, ns)})
