"""The fake's own control plane under ``/_fake/`` (shared/control-plane.md): JSON in, JSON out."""

from __future__ import annotations

from typing import Any

import orjson
from flask import Blueprint, Response, current_app, request

from ..dispatch import Fake
from ..http import NAMESPACE_HEADER

bp = Blueprint("control", __name__, url_prefix="/_fake")
VERSION = "0.1.0"


class ControlError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


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
    if data and isinstance(data.get("namespace"), str) and data["namespace"]:
        return str(data["namespace"])
    return request.headers.get(NAMESPACE_HEADER, "").strip() or "default"


def json_response(value: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(value), status=status, content_type="application/json")


@bp.before_request
def _protect() -> Response | None:
    token = fake().settings.control_token
    if token:
        import hmac

        given = request.headers.get("X-Sterling-Mock-Token", "")
        if not hmac.compare_digest(given.encode(), token.encode()):
            return error_response(401, "UNAUTHORIZED", "X-Sterling-Mock-Token is missing or wrong.")
    return None


@bp.get("/health")
def health() -> Response:
    return json_response({"status": "ok", "version": VERSION})


@bp.post("/reset")
def reset() -> Response:
    data = body()
    runtime = fake()
    if data.get("all") is True:
        runtime.store.reset(None)
        return json_response({"reset": ["*"]})
    ns = namespace(data)
    runtime.store.reset(ns)
    return json_response({"reset": [ns]})


@bp.post("/seed")
def seed() -> Response:
    from ..seed import seed_orders

    data = body()
    count = data.get("orders", 100)
    seed_value = data.get("seed", fake().settings.seed)
    if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= 1_000_000:
        raise ControlError(400, "INVALID_FIELD", "orders must be an integer from 0 to 1000000")
    if not isinstance(seed_value, int) or isinstance(seed_value, bool):
        raise ControlError(400, "INVALID_FIELD", "seed must be an integer")
    created = seed_orders(fake(), namespace(data), count, seed=seed_value)
    return json_response({"created": created})
