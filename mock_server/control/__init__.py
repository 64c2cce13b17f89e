"""The fake's own control plane under ``/_fake/`` (every route in docs/control-plane.md): JSON in, JSON out.

This module holds the blueprint, its conventions (errors, token, namespace) and the state routes; the
other route groups live beside it (``rules``: faults and throttling, ``clockwork``: clock, agents and
advance, ``records``: journal, summary and snapshots).
"""

from __future__ import annotations

import hmac
import re
from typing import Any

import orjson
from flask import Blueprint, Response, current_app, request

from sterling_mock.mock_server.base.web import NAMESPACE_HEADER, same_origin
from sterling_mock.mock_server.calls.dispatch import TEMPLATES_NS, Fake

bp = Blueprint("control", __name__, url_prefix="/_fake")
VERSION = "0.1.0"
TOKEN_HEADER = "X-Sterling-Mock-Token"
_NAMESPACE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")


class ControlError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def invalid(field: str, message: str) -> ControlError:
    """A 400 naming the field at fault."""
    return ControlError(400, "INVALID_FIELD", f"{field}: {message}")


def error_response(status: int, code: str, message: str) -> Response:
    body = orjson.dumps({"error": {"code": code, "message": message}})
    return Response(body, status=status, content_type="application/json")


@bp.errorhandler(ControlError)
def _control_error(exc: ControlError) -> Response:
    return error_response(exc.status, exc.code, exc.message)


def fake() -> Fake:
    runtime: Fake = current_app.extensions["sterling_mock"]
    return runtime


def body() -> dict[str, Any]:
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ControlError(400, "INVALID_JSON", f"The body is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise ControlError(400, "INVALID_JSON", "The body must be a JSON object.")
    return value


def namespace(data: dict[str, Any] | None = None) -> str:
    """The body's ``namespace``, else the header, else ``default``; a bad name is a 400."""
    given: Any = None
    if data and data.get("namespace") is not None:
        given = data["namespace"]
    else:
        given = (
            request.args.get("namespace") or request.headers.get(NAMESPACE_HEADER, "").strip() or "default"
        )
    if not isinstance(given, str) or not _NAMESPACE.match(given):
        raise invalid("namespace", "letters, digits and . _ : - only, at most 128 characters")
    return given


def json_response(value: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(value), status=status, content_type="application/json")


def no_content() -> Response:
    response = Response(status=204)
    response.headers.remove("Content-Type")
    return response


@bp.before_request
def _protect() -> Response | None:
    if request.method not in ("GET", "HEAD", "OPTIONS") and not same_origin(
        request.headers.get("Sec-Fetch-Site"), request.headers.get("Origin"), request.host_url
    ):
        return error_response(
            403, "CROSS_SITE", "Control-plane changes are not accepted from another site's pages."
        )
    token = fake().settings.control_token
    if token:
        given = request.headers.get(TOKEN_HEADER, "")
        if not hmac.compare_digest(given.encode(), token.encode()):
            return error_response(401, "UNAUTHORIZED", f"{TOKEN_HEADER} is missing or wrong.")
    return None


@bp.get("/health")
def health() -> Response:
    """``{"status": "ok", "version": ..., "seeding": bool}``: ``seeding`` is true while the demo book of a
    first start is still being written (``seeding.demo``); every API answers meanwhile."""
    from sterling_mock.mock_server.seeding.demo import seeding

    return json_response({"status": "ok", "version": VERSION, "seeding": seeding(fake())})


@bp.post("/reset")
def reset() -> Response:
    """Fresh state: no orders, faults, journal, throttle or agent settings; the clock back to real time."""
    data = body()
    runtime = fake()
    if data.get("all") is True:
        runtime.store.reset(None)
        return json_response({"reset": ["*"]})
    if "all" in data and not isinstance(data["all"], bool):
        raise invalid("all", "must be true or false")
    ns = namespace(data)
    runtime.store.reset(ns)
    return json_response({"reset": [ns]})


def _int_field(data: dict[str, Any], name: str, default: int, low: int, high: int) -> int:
    value = data.get(name, default)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise invalid(name, f"must be an integer from {low} to {high}")
    return value


@bp.post("/seed")
def seed() -> Response:
    """``{"orders": N, "seed": S}`` (+ ``enterprises``, ``statuses``, ``from``, ``to``)."""
    from sterling_mock.mock_server.seeding.seed import SeedOptions, seed_orders

    data = body()
    count = _int_field(data, "orders", 100, 0, 1_000_000)
    seed_value = _int_field(data, "seed", fake().settings.seed, -(2**63), 2**63 - 1)
    try:
        options = SeedOptions.from_json(data)
    except ValueError as exc:
        field, _, message = str(exc).partition(": ")
        raise invalid(field, message) from None
    created = seed_orders(fake(), namespace(data), count, seed=seed_value, options=options)
    return json_response({"created": created})


@bp.put("/templates/<template_id>")
def put_template(template_id: str) -> Response:
    """Register an output template for ``_templateId`` (XML, or the document in Sterling's JSON mapping).

    Templates are shared by every namespace, like the files of ``template_dir``.
    """
    from sterling_mock.client.wire import WireError, from_json, from_xml

    raw = request.get_data(cache=True)
    try:
        doc = from_xml(raw)[1] if raw.lstrip().startswith(b"<") else from_json(raw)
    except WireError as exc:
        raise ControlError(400, "INVALID_TEMPLATE", exc.message) from None
    with fake().store.write() as tx:
        tx.kv_put(TEMPLATES_NS, template_id, doc)
    return json_response({"id": template_id, "template": doc})


@bp.delete("/templates/<template_id>")
def delete_template(template_id: str) -> Response:
    with fake().store.write() as tx:
        tx.kv_delete(TEMPLATES_NS, template_id)
    return no_content()


# The route modules (clockwork, records, rules, flows, stubs, ...) register on ``bp`` when imported; they import
# this module, so they are listed in ``control/routes.py``, which the app factory imports (no cycle).
__all__ = ["ControlError", "bp", "error_response"]
