"""The demo console under ``/_fake/console/``: its blueprint, protection (token, same-origin, read-only) and helpers.

Pages are server-rendered Jinja (autoescaped) with one stylesheet and a little plain JavaScript, all served
from this package: no CDN, no build step.  The route groups live beside this module (``pages``: order book,
order detail, pipeline, journal; ``actions``: order actions and controls).

Protection: the same ``control_token`` as the control plane.  A script sends ``X-Sterling-Mock-Token``; a
browser opens ``/_fake/console/?token=<token>`` once (or types it into the login form) and gets an HttpOnly,
``SameSite=Strict`` cookie scoped to ``/_fake/console``.  Every POST must come from the console's own
origin (``Sec-Fetch-Site``/``Origin``), so another site cannot drive it through the browser of someone
who has it open.  With ``console_read_only`` every page shows but every POST answers 403.
"""

from __future__ import annotations

import hmac
import re
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, redirect, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from sterling_mock.mock_server.base.web import same_origin
from sterling_mock.mock_server.calls.dispatch import Fake

bp = Blueprint(
    "console",
    __name__,
    url_prefix="/_fake/console",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)
TOKEN_HEADER = "X-Sterling-Mock-Token"
COOKIE = "sterling_mock_console"
#: The user name the console's own calls carry in the journal.
USER = "console"
_NAMESPACE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")


class ConsoleError(Exception):
    """A console request that cannot be served: rendered as an HTML page with its status."""

    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.title = title
        self.message = message


def fake() -> Fake:
    runtime: Fake = current_app.extensions["sterling_mock"]
    return runtime


def read_only() -> bool:
    return bool(fake().settings.console_read_only)


def namespace() -> str:
    """The namespace the console looks at (``ns`` in the query or form); a bad name is a 400."""
    given = (request.values.get("ns") or "default").strip()
    if not _NAMESPACE.match(given):
        raise ConsoleError(400, "Bad namespace", "Letters, digits and . _ : - only, at most 128 characters.")
    return given


def link(endpoint_path: str, **params: Any) -> str:
    """A console URL with its query, empty parameters left out."""
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"{bp.url_prefix}{endpoint_path}" + (f"?{query}" if query else "")


def page(template: str, status: int = 200, **context: Any) -> Response:
    body = render_template(template, read_only=read_only(), ns=context.pop("ns", "default"), **context)
    return Response(body, status=status, content_type="text/html; charset=utf-8")


@bp.context_processor
def _globals() -> dict[str, Any]:
    return {"link": link}


@bp.errorhandler(ConsoleError)
def _console_error(exc: ConsoleError) -> Response:
    return page("error.html", exc.status, title=exc.title, message=exc.message, ns=_safe_ns())


def _safe_ns() -> str:
    given = request.values.get("ns", "default")
    return given if _NAMESPACE.match(given) else "default"


def _token_ok(token: str) -> bool:
    given = request.headers.get(TOKEN_HEADER) or request.cookies.get(COOKIE) or ""
    return hmac.compare_digest(given.encode(), token.encode())


def _cookie_response(location: str, token: str) -> BaseResponse:
    response = redirect(location, 303)
    response.set_cookie(COOKIE, token, httponly=True, samesite="Strict", path=bp.url_prefix or "/")
    return response


@bp.before_request
def _protect() -> BaseResponse | None:
    token = fake().settings.control_token
    if request.method == "POST" and not same_origin(
        request.headers.get("Sec-Fetch-Site"), request.headers.get("Origin"), request.host_url
    ):
        raise ConsoleError(403, "Refused", "Console actions are accepted from the console's own pages only.")
    if not token or request.endpoint in ("console.login", "console.static"):
        return None
    given = request.args.get("token")
    if given is not None and request.method == "GET" and hmac.compare_digest(given.encode(), token.encode()):
        args = {k: v for k, v in request.args.items() if k != "token"}
        return _cookie_response(request.path + (f"?{urlencode(args)}" if args else ""), token)
    if _token_ok(token):
        return None
    return page("login.html", 401, title="Token needed", next=request.path, ns=_safe_ns())


@bp.post("/login")
def login() -> BaseResponse:
    """The login form: the control token as a cookie for this browser."""
    token = fake().settings.control_token
    given = request.form.get("token", "")
    target = request.form.get("next", "")
    if not target.startswith(f"{bp.url_prefix}/") or "//" in target or "\\" in target:
        target = f"{bp.url_prefix}/"
    if not token:
        return redirect(target, 303)
    if not hmac.compare_digest(given.encode(), token.encode()):
        return page("login.html", 401, title="Token needed", next=target, wrong=True, ns=_safe_ns())
    return _cookie_response(target, token)


def refuse_if_read_only() -> None:
    if read_only():
        raise ConsoleError(
            403, "Read-only console", "This console is read-only (setting console_read_only): no actions."
        )


# The route modules (``pages``, ``actions``) register on ``bp`` when imported; they import this module, so they
# are listed in ``console/routes.py``, which the app factory imports (no cycle).
__all__ = ["USER", "ConsoleError", "bp", "fake", "link", "namespace", "page"]
