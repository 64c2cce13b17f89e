"""The REST face (``/smcfs/restapi/invoke/<api>``, ``/jwt``): a request becomes (api, document, caller)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable
from typing import Any

from flask import Blueprint, Flask, Request, Response, current_app, g, request

from sterling_mock.client.wire import Doc
from sterling_mock.mock_server.calls.dispatch import Call, Fake
from sterling_mock.mock_server.domain import auth, clock
from sterling_mock.mock_server.domain.context import Output
from sterling_mock.mock_server.doors import limits
from sterling_mock.mock_server.doors.http import (
    NAMESPACE_HEADER,
    current_request,
    parse_document,
    render_output,
    request_format,
    response_format,
)

bp = Blueprint("rest", __name__, url_prefix="/smcfs/restapi")


def fake() -> Fake:
    runtime: Fake = current_app.extensions["sterling_mock"]
    return runtime


def namespace(req: Request | None = None) -> str:
    return (req or current_request()).headers.get(NAMESPACE_HEADER, "").strip() or "default"


def credentials(req: Request | None = None) -> auth.Credentials:
    req = req or current_request()
    args = req.args
    return auth.Credentials(
        authorization=req.headers.get("Authorization", ""),
        loginid=args.get("_loginid", ""),
        token=args.get("_token", ""),
    )


def read_body(req: Request | None = None) -> tuple[str | None, Doc]:
    req = req or current_request()
    return body_document(req, req.get_data(cache=True))


def body_document(req: Request, body: bytes) -> tuple[str | None, Doc]:
    """``body`` parsed as its Content-Type says: (root name or None for JSON, document)."""
    return parse_document(body, request_format(req, body), fake().settings.max_depth)


def call(
    api: str, doc: Doc, *, transport: str = "rest", template: Doc | None = None, req: Request | None = None
) -> Output:
    """Authenticate and invoke: what every REST-style door does before rendering."""
    req = req or current_request()
    return fake().invoke(caller(api, req, transport=transport, template=template), doc)


def caller(api: str, req: Request, *, transport: str = "rest", template: Doc | None = None) -> Call:
    """Who calls ``api`` and how (authenticated: YCP0427 otherwise).  Reads only: nothing has happened yet."""
    runtime = fake()
    ns = namespace(req)
    spec = runtime.spec(api, ns)
    user = "" if spec.public else auth.authenticate(runtime.store, runtime.settings, ns, credentials(req))
    args = req.args
    return Call(
        api=api,
        ns=ns,
        user=user,
        transport=transport,
        fmt=g.response_format,
        template=template,
        # looked up with the call's controls (Fake._before)
        template_id="" if template is not None else args.get("_templateId") or args.get("_templateKey") or "",
    )


def run(
    api: str, doc: Doc, *, transport: str = "rest", template: Doc | None = None, req: Request | None = None
) -> Response:
    """Authenticate, invoke and render: the common tail of every REST-style door."""
    return render_output(call(api, doc, transport=transport, template=template, req=req), g.response_format)


@bp.post("/invoke/<api>")
def invoke(api: str) -> Response:
    req = current_request()
    g.response_format = response_format(req)
    fake().spec(api, namespace(req))  # an unknown API (without stubs) answers before the body is looked at
    _, doc = read_body(req)
    return run(api, doc, req=req)


@bp.post("/executeFlow/<service>")
def execute_flow(service: str) -> Response:
    """``POST /executeFlow/<service>``: a configured service (``flows.py``); the body is its input [DOC][OBS]."""
    g.response_format = response_format(request)
    root, doc = read_body()
    wrapped: Doc = {"FlowName": service, "Input": doc}
    if root:
        wrapped["InputRoot"] = root
    return run("executeFlow", wrapped, transport="flow")


@bp.get("/jwt")
def jwt() -> Response:
    """``GET /jwt?_loginid=&_token=`` -> a JWT as plain text, for ``Authorization: Bearer`` [DOC][OBS].

    Needs no Authorization header [OBS: IBM's client]; a Basic header is accepted instead of the login token.
    """
    g.response_format = response_format(request)
    runtime = fake()
    ns = namespace()
    user = auth.jwt_user(runtime.store, runtime.settings, ns, credentials())
    with runtime.store.read() as tx:
        issued = clock.now(tx, ns).timestamp()
    return Response(auth.make_jwt(runtime.settings, user, issued), content_type="text/plain; charset=UTF-8")


# ------------------------------------------------------------------------------------------- the fast path

_INVOKE_PATH = re.compile(r"/smcfs/restapi/invoke/([A-Za-z][A-Za-z0-9_]*)\Z")
_DOCUMENT_TYPES = frozenset({"application/json", "application/xml", "text/xml"})


class FastInvoke:
    """``POST /smcfs/restapi/invoke/<api>`` without Flask's per-request machinery (URL adapter and matching,
    the request context, the before/after hooks): a quarter of getOrderDetails' CPU in process
    (bench/README.md).  Everything else, and every request this path cannot answer exactly as the Flask
    route would, goes to ``fallback`` (Flask) untouched.

    It takes a request only when the route's answer is fully determined by what it does here: a known API,
    a query without U+0000, a body of at most ``max_body_bytes`` with a JSON or XML Content-Type (so the
    app's ``_refuse_nul`` has nothing to refuse and ``_read_body_in_time`` nothing else to read).  It reads the
    body, negotiates, parses and authenticates, all without side effects; a failure there hands the request,
    body restored, to Flask, which answers and journals it as always.  Once the call is invoked, its
    errors are rendered by the app's own error handlers in a request context.  ``create_app`` refuses to
    build an app with hooks this path would skip (``check_hooks``)."""

    def __init__(self, app: Flask, fallback: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.fallback = fallback
        self.runtime: Fake = app.extensions["sterling_mock"]

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        taken = self._take(environ)
        response = None if taken is None else self._answer(environ, *taken)
        if response is None:
            return self.fallback(environ, start_response)
        return response(environ, start_response)

    def _take(self, environ: dict[str, Any]) -> tuple[str, bytes] | None:
        """(API, body) when this path takes the request (``wsgi.input`` then replays the body), else None."""
        query = str(environ.get("QUERY_STRING", ""))
        if environ.get("REQUEST_METHOD") != "POST" or "%00" in query or "\x00" in query:
            return None  # U+0000 in the query: the app's _refuse_nul answers
        found = _INVOKE_PATH.match(environ.get("PATH_INFO", ""))
        if found is None or not self.runtime.knows(found.group(1)):
            return None
        content_type = str(environ.get("CONTENT_TYPE", "")).split(";", 1)[0].strip().lower()
        if content_type not in _DOCUMENT_TYPES:
            return None
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return None
        if length <= 0 or length > self.runtime.settings.max_body_bytes:
            return None
        try:
            body = bytes(environ["wsgi.input"].read(length))
        except Exception as exc:  # a client that stops sending: Flask meets the same error (MOCK0010)
            environ["wsgi.input"] = limits.RaisingBody(exc)
            return None
        environ["wsgi.input"] = io.BytesIO(body)
        return (found.group(1), body) if len(body) == length else None

    def _answer(self, environ: dict[str, Any], api: str, body: bytes) -> Response | None:
        """The route's response, or None when Flask must answer (refused before anything happened)."""
        app = self.app
        req = app.request_class(environ)
        with app.app_context():
            fmt = response_format(req)
            g.response_format = fmt
            try:
                _, doc = body_document(req, body)
                who = caller(api, req)
            except Exception:
                return None
            try:
                return render_output(self.runtime.invoke(who, doc), fmt)
            except Exception as exc:
                return self._error(environ, fmt, exc)

    def _error(self, environ: dict[str, Any], fmt: str, exc: Exception) -> Response:
        """What the app's error handlers answer for ``exc`` raised by the invoked call."""
        app = self.app
        with app.request_context(environ):
            g.response_format = fmt
            try:
                answer = app.handle_user_exception(exc)
            except Exception as unhandled:  # pragma: no cover - the app handles Exception
                answer = app.handle_exception(unhandled)
            return app.finalize_request(answer)


def check_hooks(app: Flask, allowed: Iterable[Callable[..., Any]]) -> None:
    """Refuse hooks that ``FastInvoke`` would skip: app-wide before-request hooks other than ``allowed``
    (whose checks it makes itself), and any on the REST blueprint, after-request or teardown hook."""
    skipped = [
        f.__name__
        for key, funcs in app.before_request_funcs.items()
        if key in (None, bp.name)
        for f in funcs
        if f not in allowed
    ]
    for registry in (app.after_request_funcs, app.teardown_request_funcs):
        skipped += [f.__name__ for key, funcs in registry.items() if key in (None, bp.name) for f in funcs]
    skipped += [f.__name__ for f in app.teardown_appcontext_funcs]
    if skipped:
        raise RuntimeError(f"hooks the REST fast path would skip (rest.FastInvoke): {skipped}")
