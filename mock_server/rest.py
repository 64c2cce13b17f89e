"""The REST face (``/smcfs/restapi/invoke/<api>``, ``/jwt``): a request becomes (api, document, caller)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, g, request

from client.wire import Doc

from . import auth, clock
from .dispatch import Call, Fake
from .errors import MalformedDocument
from .http import NAMESPACE_HEADER, parse_document, render_output, request_format, response_format

bp = Blueprint("rest", __name__, url_prefix="/smcfs/restapi")


def fake() -> Fake:
    runtime: Fake = current_app.extensions["sterling_mock"]
    return runtime


def namespace() -> str:
    return request.headers.get(NAMESPACE_HEADER, "").strip() or "default"


def credentials() -> auth.Credentials:
    return auth.Credentials(
        authorization=request.headers.get("Authorization", ""),
        loginid=request.args.get("_loginid", ""),
        token=request.args.get("_token", ""),
    )


def read_body() -> tuple[str | None, Doc]:
    body = request.get_data(cache=True)
    fmt = request_format(request, body)
    return parse_document(body, fmt, fake().settings.max_depth)


def run(api: str, doc: Doc, *, transport: str = "rest", template: Doc | None = None) -> Response:
    """Authenticate, invoke and render: the common tail of every REST-style door."""
    runtime = fake()
    fmt = g.response_format
    ns = namespace()
    spec = runtime.spec(api)
    user = "" if spec.public else auth.authenticate(runtime.store, runtime.settings, ns, credentials())
    if template is None:
        template = runtime.stored_template(
            request.args.get("_templateId") or request.args.get("_templateKey")
        )
    call = Call(api=api, ns=ns, user=user, transport=transport, fmt=fmt, template=template)
    output = runtime.invoke(call, doc)
    return render_output(output, fmt)


@bp.post("/invoke/<api>")
def invoke(api: str) -> Response:
    g.response_format = response_format(request)
    fake().spec(api)  # an unknown API answers before the body is looked at
    _, doc = read_body()
    return run(api, doc)


@bp.get("/jwt")
def jwt() -> Response:
    """``GET /jwt?_loginid=&_token=`` -> a JWT as plain text, for ``Authorization: Bearer`` [DOC][OBS]."""
    g.response_format = response_format(request)
    runtime = fake()
    ns = namespace()
    creds = credentials()
    if not (creds.loginid and creds.token):
        creds.authorization = request.headers.get("Authorization", "")
        if not creds.authorization:
            raise MalformedDocument("GET /jwt needs _loginid and _token.")
    user = auth.authenticate(runtime.store, runtime.settings, ns, creds)
    with runtime.store.read() as tx:
        issued = clock.now(tx, ns).timestamp()
    return Response(auth.make_jwt(runtime.settings, user, issued), content_type="text/plain; charset=UTF-8")
