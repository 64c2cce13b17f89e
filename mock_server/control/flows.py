"""Control routes for configured services (``mock_server/apis/flows.py``), per namespace."""

from __future__ import annotations

from flask import Response

from sterling_mock.mock_server.apis import APIS, flows
from sterling_mock.mock_server.base.errors import InvalidServiceDefinition
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


def _define(name: str | None) -> Response:
    data = body()
    ns = namespace(data)
    data.pop("namespace", None)
    try:
        flow = flows.validate(data, APIS, name=name)
    except flows.FlowError as exc:
        raise invalid(exc.field, exc.message) from None
    with fake().store.write() as tx:
        flows.put(tx, ns, flow)
    return json_response({**flow, "namespace": ns}, 200 if name else 201)


@bp.get("/flows")
def list_flows() -> Response:
    """``{"flows": [definition + "source", ...]}``: the namespace's services and the flows file's."""
    try:
        with fake().store.read() as tx:
            return json_response({"flows": flows.listing(tx, namespace(), fake().settings, APIS)})
    except InvalidServiceDefinition as exc:
        raise ControlError(500, "INVALID_FLOWS_FILE", exc.more_info) from None


@bp.post("/flows")
def add_flow() -> Response:
    """A definition with its ``name`` -> 201; an existing service of that name is replaced."""
    return _define(None)


@bp.put("/flows/<name>")
def put_flow(name: str) -> Response:
    return _define(name)


@bp.delete("/flows/<name>")
def delete_flow(name: str) -> Response:
    with fake().store.write() as tx:
        if not flows.delete(tx, namespace(), name):
            raise ControlError(404, "NOT_FOUND", f"no service {name!r} defined through the control plane")
    return no_content()


@bp.delete("/flows")
def delete_flows() -> Response:
    with fake().store.write() as tx:
        flows.delete(tx, namespace(), None)
    return no_content()
