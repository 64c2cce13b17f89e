"""The REST face (``/smcfs/restapi/invoke/<api>``, ``/jwt``): a request becomes (api, document, caller)."""

from __future__ import annotations

from flask import Blueprint, Request, Response, current_app, g, request

from client.wire import Doc

from . import auth, clock
from .context import Output
from .dispatch import Call, Fake
from .http import (
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
    body = req.get_data(cache=True)
    fmt = request_format(req, body)
    return parse_document(body, fmt, fake().settings.max_depth)


def call(
    api: str, doc: Doc, *, transport: str = "rest", template: Doc | None = None, req: Request | None = None
) -> Output:
    """Authenticate and invoke: what every REST-style door does before rendering."""
    req = req or current_request()
    runtime = fake()
    ns = namespace(req)
    spec = runtime.spec(api)
    user = "" if spec.public else auth.authenticate(runtime.store, runtime.settings, ns, credentials(req))
    args = req.args
    call = Call(
        api=api,
        ns=ns,
        user=user,
        transport=transport,
        fmt=g.response_format,
        template=template,
        # looked up with the call's controls (Fake._before)
        template_id="" if template is not None else args.get("_templateId") or args.get("_templateKey") or "",
    )
    return runtime.invoke(call, doc)


def run(
    api: str, doc: Doc, *, transport: str = "rest", template: Doc | None = None, req: Request | None = None
) -> Response:
    """Authenticate, invoke and render: the common tail of every REST-style door."""
    return render_output(call(api, doc, transport=transport, template=template, req=req), g.response_format)


@bp.post("/invoke/<api>")
def invoke(api: str) -> Response:
    req = current_request()
    g.response_format = response_format(req)
    fake().spec(api)  # an unknown API answers before the body is looked at
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
