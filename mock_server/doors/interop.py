"""The interop servlet face: ``/smcfs/interop/InteropHttpServlet`` (parameters in, ``text/xml`` out).

How captured clients call it (reference §1) [OBS]: ``POST`` with an empty body, no Content-Type and no
Authorization; every parameter in the query string (``timeout=30`` included, ignored) — or the same
parameters as a form body (the HTTP API tester, ``YIFClientFactory`` over HTTP).  A parameter in both places
takes the query string's value, as ``ServletRequest.getParameter`` does.  Answers are always
``text/xml; charset=UTF-8`` with ``InteropSentData: true``; errors are HTTP 200 with the classic
pretty-printed ``<Errors>`` document, except the fake's own transport limits (413 body too large, 429
throttled), which keep their status so that clients' retry logic sees them.

Credentials (setting ``interop_auth``) [INF: the captures only show good credentials]:
``password`` (default) checks ``YFSEnvironment.userId``/``YFSEnvironment.password`` against the users and
answers YCP0427 in an ``<Errors>`` document (HTTP 200) when they are missing or wrong; ``user`` needs a
known ``userId`` and ignores the password, as DevMode instances do; ``open`` (or ``auth_style=OPEN``) checks
nothing.  Without ``YFSEnvironment.userId`` the REST credentials (Basic, Bearer, ``_loginid``/``_token``)
are accepted instead.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from flask import Blueprint, Response, g, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from sterling_mock.client.wire import Doc, to_xml
from sterling_mock.mock_server.base.errors import (
    BodyTooLarge,
    InteropApiMissing,
    NotAuthenticated,
    SterlingError,
    UnknownApi,
)
from sterling_mock.mock_server.calls.dispatch import Call
from sterling_mock.mock_server.domain import auth
from sterling_mock.mock_server.domain.context import Output
from sterling_mock.mock_server.doors.http import TEXT_XML_TYPE, classic_errors, parse_document
from sterling_mock.mock_server.doors.rest import credentials, fake, namespace

bp = Blueprint("interop", __name__, url_prefix="/smcfs/interop")
#: Statuses that keep their HTTP code over the servlet; every other error answers 200 [OBS].
_TRANSPORT_STATUSES = (413, 429)
_FORM_TYPES = ("", "application/x-www-form-urlencoded", "text/plain", "application/octet-stream")


def _params() -> dict[str, str]:
    """Form body parameters, then the query string's (which win).  A raw XML body is the API's input."""
    params: dict[str, str] = {}
    body = request.get_data(cache=True)
    if body.strip() and request.mimetype in _FORM_TYPES and not body.lstrip().startswith(b"<"):
        params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    elif body.strip() and body.lstrip().startswith(b"<"):
        params["InteropApiData"] = body.decode("utf-8", "replace")  # [INF] clients posting the XML itself
    params.update(request.args.items())
    return params


def _target(params: dict[str, str]) -> tuple[str, bool]:
    """(API or service name, is it a service).  ``ApiName`` carries a display form (``MultiApi``) [OBS]."""
    is_flow = params.get("IsFlow", "N").strip().upper() == "Y"
    name = params.get("InteropApiName", "").strip()
    if is_flow:
        name = params.get("ServiceName", "").strip() or name
    elif not name and params.get("ApiName", "").strip():
        display = params["ApiName"].strip()
        name = display[:1].lower() + display[1:]
    if not name:
        raise InteropApiMissing("Send InteropApiName, or IsFlow=Y with ServiceName.")
    return name, is_flow


def _user(params: dict[str, str]) -> str:
    runtime = fake()
    settings = runtime.settings
    user = params.get("YFSEnvironment.userId", "").strip()
    mode = "open" if settings.auth_style == "OPEN" else settings.interop_auth
    if mode == "open":
        return user or "admin"
    if not user:
        creds = credentials()
        if creds.authorization or creds.loginid or creds.token:
            return auth.authenticate(runtime.store, settings, namespace(), creds)
        raise NotAuthenticated("YFSEnvironment.userId and YFSEnvironment.password are required.")
    known = user in settings.users
    if mode == "user" and known:
        return user
    if mode == "password" and auth.check_password(settings, user, params.get("YFSEnvironment.password", "")):
        return user
    raise NotAuthenticated(f"Invalid YFSEnvironment.userId or YFSEnvironment.password for '{user}'.")


def _document(text: str, what: str) -> tuple[str | None, Doc]:
    if not text.strip():
        return None, {}
    try:
        return parse_document(text.encode("utf-8"), "xml", fake().settings.max_depth)
    except SterlingError as exc:
        exc.attributes.setdefault("Parameter", what)
        raise


def _xml(body: bytes, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    response = Response(body, status=status, content_type=TEXT_XML_TYPE)
    response.headers["InteropSentData"] = "true"
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _answer(output: Output) -> bytes:
    if output.void:
        return to_xml("Output", {})  # a void API answers <Output/> through the servlet (reference §2)
    body = output.prerendered.get("xml")
    return body if body is not None else to_xml(output.root, output.doc or {})


@bp.route("/InteropHttpServlet", methods=["GET", "POST"])
def servlet() -> Response:
    """One API (``InteropApiName``) or service (``IsFlow=Y``) with ``InteropApiData`` and ``TemplateData``.

    GET is served like POST [INF: the servlet's doGet]. ``YFSEnvironment.progId`` becomes the
    ``Createprogid``/``Modifyprogid`` of what the call writes (``InteropHttpServlet`` when absent [INF]).
    """
    g.response_format = "xml"
    params = _params()
    name, is_flow = _target(params)
    g.interop_api = name
    user = _user(params)
    runtime = fake()
    if not is_flow:
        runtime.spec(name, namespace())
    root, doc = _document(params.get("InteropApiData", ""), "InteropApiData")
    template = _document(params.get("TemplateData", ""), "TemplateData")[1] or None
    api = name
    if is_flow:
        api, doc = "executeFlow", {"FlowName": name, "Input": doc, **({"InputRoot": root} if root else {})}
    progid = params.get("YFSEnvironment.progId", "").strip() or "InteropHttpServlet"
    call = Call(
        api=api, ns=namespace(), user=user, transport="interop", fmt="xml", progid=progid, template=template
    )
    return _xml(_answer(runtime.invoke(call, doc)))


@bp.errorhandler(SterlingError)
def _sterling_error(exc: SterlingError) -> Response:
    api = str(g.get("interop_api") or "")
    if not exc.api_name and api and not isinstance(exc, UnknownApi):
        exc.api_name = api
    if not getattr(exc, "journaled", False):  # refused before the dispatcher (credentials, parameters)
        fake().journal_refusal(namespace(), "interop", api or request.path, exc)
    status = exc.status if exc.status in _TRANSPORT_STATUSES else 200
    return _xml(classic_errors(exc), status, exc.headers)


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> Response:
    if isinstance(exc, RequestEntityTooLarge) or exc.code == 413:
        error: SterlingError = BodyTooLarge(f"The limit is {fake().settings.max_body_bytes} bytes.")
    else:
        error = SterlingError(exc.description or exc.name, code="MOCK0400", description=exc.name)
    return _sterling_error(error)
