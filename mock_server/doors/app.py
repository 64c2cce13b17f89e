"""create_app(settings) -> the Flask app: blueprints, and the one handler per error family."""

from __future__ import annotations

import inspect
import logging
import re
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, Response, g, request
from werkzeug.exceptions import ClientDisconnected, HTTPException, RequestEntityTooLarge
from werkzeug.routing import Rule

from sterling_mock.mock_server import control
from sterling_mock.mock_server.base.errors import (
    BodyTooLarge,
    InternalError,
    MalformedDocument,
    MethodNotAllowed,
    NotFound,
    RequestTimeout,
    SterlingError,
)
from sterling_mock.mock_server.base.settings import Settings
from sterling_mock.mock_server.calls.dispatch import Fake
from sterling_mock.mock_server.calls.faults import ConnectionFaults, FaultAbort, FaultHttp
from sterling_mock.mock_server.console import routes as console_routes
from sterling_mock.mock_server.control import routes as control_routes
from sterling_mock.mock_server.doors import interop, resources, rest
from sterling_mock.mock_server.doors.http import (
    NAMESPACE_HEADER,
    current_request,
    response_format,
    rest_error,
)
from sterling_mock.mock_server.doors.limits import SwallowOversized
from sterling_mock.mock_server.store.core import Store

log = logging.getLogger("sterling_mock")
_SLASHES = re.compile(r"/{2,}")


class CollapseSlashes:
    """Serve ``/smcfs/restapi//invoke/getPage`` (as IBM's own client builds it) like the single-slash path [OBS]."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if "//" in path:
            environ["PATH_INFO"] = _SLASHES.sub("/", path)
        return self.app(environ, start_response)


class _LazyBuildRule(Rule):
    """A URL rule whose URL builder (what ``url_for`` runs) is compiled when first used, not when the app is made.

    Werkzeug compiles two builders per rule through ``ast`` and ``compile`` (~0.8 ms a rule): three quarters
    of ``create_app``'s 62 ms for the fake's ~64 rules, paid by every in-process app (a test suite makes one
    per test) though the fake builds few URLs.  Matching requests is unchanged."""

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        compiled: list[Callable[..., tuple[str, str]]] = []

        def build(rule: Rule, **values: Any) -> tuple[str, str]:
            if not compiled:
                compiled.append(Rule._compile_builder(rule, append_unknown).__get__(rule, None))
            return compiled[0](**values)

        return build


class _App(Flask):
    """Flask, minus a check per hook and view per request: the fake has no ``async def`` views (create_app
    refuses one), so nothing needs wrapping; and URL rules that compile their builders lazily."""

    url_rule_class = _LazyBuildRule

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        return func


def create_app(settings: Settings | None = None, *, store: Store | None = None) -> Flask:
    settings = settings or Settings.from_env()
    settings.validate()
    app = _App("mock_server")
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.url_map.strict_slashes = False
    app.url_map.merge_slashes = False
    app.extensions["sterling_mock"] = Fake(settings, store)
    app.register_blueprint(rest.bp)
    app.register_blueprint(control_routes.bp)
    app.register_blueprint(interop.bp)
    app.register_blueprint(resources.bp)
    app.register_blueprint(console_routes.bp)
    app.wsgi_app = SwallowOversized(  # type: ignore[method-assign]
        ConnectionFaults(CollapseSlashes(rest.FastInvoke(app, app.wsgi_app))), settings
    )
    app.before_request(_read_body_in_time)
    app.before_request(_refuse_nul)
    rest.check_hooks(app, (_read_body_in_time, _refuse_nul))
    _register_errors(app)
    coroutines = [name for name, view in app.view_functions.items() if inspect.iscoroutinefunction(view)]
    if coroutines:  # pragma: no cover - a guard for whoever adds one
        raise RuntimeError(f"async views need Flask's ensure_sync: {coroutines}")
    return app


def _is_control() -> bool:
    return request.path.startswith("/_fake")


def _error_format() -> str:
    return str(g.get("response_format") or response_format(request))


def _read_body_in_time() -> None:
    """Read the whole body up front: a client that stops sending gets MOCK0010 (408), not a stuck worker."""
    req = current_request()
    if req.content_length and req.method in ("POST", "PUT", "PATCH"):
        try:
            req.get_data(cache=True)
        except (TimeoutError, OSError, ClientDisconnected) as exc:
            raise RequestTimeout(f"{type(exc).__name__} while reading the request body.") from None


def _refuse_nul(*, nul: str = "\x00") -> None:
    """U+0000 in a path, query or form field is refused on every door: no XML document can carry it, and
    PostgreSQL's text cannot hold it (so both stores answer alike)."""
    req = current_request()
    query = req.query_string
    if (
        nul in req.path
        or b"%00" in query
        or b"\x00" in query
        or (req.mimetype == "application/x-www-form-urlencoded" and b"%00" in req.get_data(cache=True))
    ):
        raise MalformedDocument(
            "The request carries the character U+0000 (%00), which Sterling cannot store."
        )


def _register_errors(app: Flask) -> None:
    @app.errorhandler(SterlingError)
    def sterling_error(exc: SterlingError) -> Response:
        if _is_control():
            return control.error_response(exc.status, exc.error_code, exc.more_info or exc.error_description)
        if not getattr(exc, "journaled", False):  # refused at the door (auth, parse, unknown API)
            app.extensions["sterling_mock"].journal_refusal(
                request.headers.get(NAMESPACE_HEADER, "").strip() or "default",
                request.blueprint or "",
                (request.view_args or {}).get("api") or request.path,
                exc,
            )
        return rest_error(exc, _error_format())

    @app.errorhandler(FaultHttp)
    def injected_http(exc: FaultHttp) -> Response:
        return Response(exc.body, status=exc.status, content_type=exc.content_type, headers=exc.headers)

    @app.errorhandler(FaultAbort)
    def injected_abort(exc: FaultAbort) -> Response:
        # what the middleware cuts (close) or never sends (reset)
        return rest_error(InternalError(f"connection {exc.kind}"), _error_format())

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        if _is_control():
            return control.error_response(status, exc.name.upper().replace(" ", "_"), exc.description or "")
        error: SterlingError
        if isinstance(exc, RequestEntityTooLarge) or status == 413:
            limit = app.extensions["sterling_mock"].settings.max_body_bytes
            error = BodyTooLarge(f"The limit is {limit} bytes.")
        elif status == 405:
            error = MethodNotAllowed(f"{request.method} is not allowed on {request.path}.")
        elif status == 404:
            error = NotFound(f"No Sterling resource at {request.path}.")
        else:
            error = SterlingError(
                exc.description or exc.name, code="MOCK0400", description=exc.name, http_status=status
            )
        return rest_error(error, _error_format())

    @app.errorhandler(Exception)
    def internal_error(exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.path)
        if _is_control():
            return control.error_response(500, "INTERNAL", type(exc).__name__)
        return rest_error(InternalError(type(exc).__name__), _error_format())
